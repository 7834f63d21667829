package org.memvirt.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.memvirt.x86.Access;
import org.memvirt.x86.AddressSpace;
import org.memvirt.x86.CpuMode;
import org.memvirt.x86.Mmu;
import org.memvirt.x86.Paging;
import org.memvirt.x86.TlbConfig;
import org.memvirt.x86.WalkResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Translations per second on one core: (a) a TLB-hit stream, (b) a random stream over 16 GiB of guest memory that
 * misses the TLBs and does 2D (EPT) walks with page-walk caches and nested TLB, and beside it (c) the physical
 * limit: a plain loop doing the same number of dependent random reads over a long[] as large as the page tables.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "-XX:+UseParallelGC"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class X86TranslateBench {
    static final int BATCH = 1024;
    static final long GVA_BASE = 0x7f00_0000_0000L;

    /** (a) 64 pages that stay in the L1 DTLB; {@code mmuNoMemo} has the same tables with the TLB hit memo off. */
    @State(Scope.Thread)
    public static class HitStream {
        Mmu mmu, mmuNoMemo;
        CpuMode mode;
        final WalkResult r = new WalkResult();
        final long[] frames = new long[64];
        int i;

        @Setup(Level.Trial)
        public void setUp() {
            AddressSpace as = new AddressSpace(AddressSpace.Kind.EPT, 4, 4, Paging.SHIFT_4K, Paging.SHIFT_4K);
            as.mapRange(GVA_BASE, 64L << 12);
            mmu = as.mmu(TlbConfig.zen5(), null);
            mmuNoMemo = as.mmu(TlbConfig.zen5(), null);
            mmuNoMemo.tlb().useHitMemo(false);
            mode = as.guestMode();
            for (int k = 0; k < 64; k++) {
                mmu.translate(GVA_BASE + ((long) k << 12), Access.USER, mode, r);
                frames[k] = r.pa;
                mmuNoMemo.translate(GVA_BASE + ((long) k << 12), Access.USER, mode, r);
            }
        }
    }

    /** (b) and (c): 16 GiB of guest memory, 4 KiB guest pages, EPT with 4 KiB or 2 MiB host pages. */
    @State(Scope.Thread)
    public static class RandomStream {
        @Param({"4K", "2M"})
        public String hostPage;

        Mmu mmu;
        CpuMode mode;
        final WalkResult r = new WalkResult();
        long[] gvas;
        int i;
        /** Page-table references per translation, measured on this stream before timing. */
        public double refsPerTranslation;
        /** The physical-limit array: a random cycle over as many longs as the page tables occupy. */
        long[] chase;
        int cursor;

        @Setup(Level.Trial)
        public void setUp() {
            AddressSpace as = new AddressSpace(AddressSpace.Kind.EPT, 4, 4, Paging.SHIFT_4K,
                    Paging.parsePageSize(hostPage));
            long bytes = 16L << 30;
            as.mapRange(GVA_BASE, bytes);
            mmu = as.mmu(TlbConfig.zen5(), null);
            mode = as.guestMode();
            SplittableRandom rnd = new SplittableRandom(42);
            gvas = new long[1 << 20];
            for (int k = 0; k < gvas.length; k++) gvas[k] = GVA_BASE + (rnd.nextLong(bytes) & ~7L);
            long refs = 0;
            for (long gva : gvas) {
                mmu.translate(gva, Access.USER, mode, r);
                refs += r.refs;
            }
            refsPerTranslation = (double) refs / gvas.length;
            int longs = Math.toIntExact(as.hostMemory().pages() * 512);
            chase = sattoloCycle(longs, rnd);
            System.out.printf("%n[x86] host %s: %d table pages (%d MiB), %.3f refs per translation, %d walks of %d%n",
                    hostPage, as.hostMemory().pages(), as.hostMemory().pages() >> 8, refsPerTranslation,
                    mmu.walks(), mmu.walks() + mmu.tlbHits());
        }

        static long[] sattoloCycle(int n, SplittableRandom rnd) {
            long[] next = new long[n];
            for (int k = 0; k < n; k++) next[k] = k;
            for (int k = n - 1; k > 0; k--) {
                int j = rnd.nextInt(k);
                long t = next[k];
                next[k] = next[j];
                next[j] = t;
            }
            return next;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long tlbHitStream(HitStream s) {
        return hitStream(s, s.mmu);
    }

    /** (a) as before the hit memo: every hit searches the L1 DTLB (A/B baseline in the same run). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long tlbHitStreamNoMemo(HitStream s) {
        return hitStream(s, s.mmuNoMemo);
    }

    private static long hitStream(HitStream s, Mmu mmu) {
        long sum = 0;
        final CpuMode mode = s.mode;
        final WalkResult r = s.r;
        int i = s.i;
        for (int k = 0; k < BATCH; k++) {
            mmu.translate(GVA_BASE + ((long) (i++ & 63) << 12) + 0x10, Access.USER, mode, r);
            sum += r.pa;
        }
        s.i = i;
        return sum;
    }

    /** Baseline of (a): the cheapest possible "translation", one load from a 64-entry frame table plus the offset. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long plainArrayLookup(HitStream s) {
        long sum = 0;
        final long[] frames = s.frames;
        int i = s.i;
        for (int k = 0; k < BATCH; k++) {
            long gva = GVA_BASE + ((long) (i++ & 63) << 12) + 0x10;
            sum += frames[(int) (gva >>> 12) & 63] | (gva & 0xFFF);
        }
        s.i = i;
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long randomStream2d(RandomStream s) {
        long sum = 0;
        final Mmu mmu = s.mmu;
        final CpuMode mode = s.mode;
        final WalkResult r = s.r;
        final long[] gvas = s.gvas;
        int i = s.i;
        for (int k = 0; k < BATCH; k++) {
            mmu.translate(gvas[i++ & (gvas.length - 1)], Access.USER, mode, r);
            sum += r.pa;
        }
        s.i = i;
        return sum;
    }

    /** The same number of dependent random reads per translation as {@link #randomStream2d}, over a same-size array. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long physicalLimit(RandomStream s) {
        final long[] chase = s.chase;
        final long reads = Math.round(s.refsPerTranslation * BATCH);
        long p = s.cursor;
        for (long k = 0; k < reads; k++) p = chase[(int) p];
        s.cursor = (int) p;
        return p;
    }
}
