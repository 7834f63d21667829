package org.memvirt.config;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One entry of the e820 map QEMU hands the firmware via fw_cfg {@code etc/e820} (qemu hw/i386/e820_memory_layout.c).
 *
 * @param start first byte
 * @param end first byte past the entry (exclusive)
 * @param type {@code "ram"} or {@code "reserved"}
 */
@JsonPropertyOrder({"start", "end", "type"})
public record E820Entry(long start, long end, String type) {
    public static final String RAM = "ram";
    public static final String RESERVED = "reserved";
}
