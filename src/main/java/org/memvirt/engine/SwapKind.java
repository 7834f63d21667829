package org.memvirt.engine;

import java.util.Locale;

/**
 * The kind of host swap device, with the modelled cost of moving one 4 KiB page. The latencies are typical
 * figures for 4 KiB random I/O on each class of device (order of magnitude, not measurements of this host);
 * zram keeps swapped pages compressed in RAM, at {@code compressionRatio} pages per frame.
 */
public enum SwapKind {
    HDD(8_000_000, 100_000, 0),        // ~8 ms seek + rotation per random read; writes batched by the block layer
    SSD(100_000, 30_000, 0),           // SATA SSD: ~100 us 4 KiB random read
    NVME(20_000, 10_000, 0),           // NVMe: ~20 us 4 KiB random read
    ZRAM(3_000, 6_000, 3);             // LZO/LZ4 decompress/compress in RAM; ~3:1 on typical anonymous memory

    public final long readNanos;
    public final long writeNanos;
    public final int compressionRatio;

    SwapKind(long readNanos, long writeNanos, int compressionRatio) {
        this.readNanos = readNanos;
        this.writeNanos = writeNanos;
        this.compressionRatio = compressionRatio;
    }

    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
