package org.memvirt.kvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.engine.Counters;
import org.memvirt.engine.Engine;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadLimits;

/**
 * The kvm engine: runs a workload in a real micro-VM on /dev/kvm (guest runtime from guest/) and reports every KVM
 * binary statistic, the exits the VMM saw and the host memory of guest RAM. Failures of the guest stop the VM with a
 * one-line {@link GuestFailure} (exit status 2); every fd and mapping is released either way.
 */
public final class KvmEngine implements Engine {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** Whether this host can run the kvm engine, and why (or why not). */
    public record Usability(boolean usable, String reason) {}

    /** Decides from /dev/kvm and its ioctls, never from cpuinfo flags (HOST.md: PVM hosts have no vmx/svm). */
    public static Usability usable() {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new Usability(false, "the kvm engine runs on x86-64 Linux hosts, not " + System.getProperty("os.name") + "/" + arch);
        }
        if (!Files.exists(Path.of(Kvm.DEVICE))) return new Usability(false, Kvm.DEVICE + " does not exist");
        try (Kvm kvm = Kvm.open()) {
            return new Usability(true, Kvm.DEVICE + " usable (API " + KvmAbi.API_VERSION + ", binary stats, "
                    + HostMmu.detect().description() + ")");
        } catch (KvmException e) {
            return new Usability(false, e.getMessage());
        } catch (LinkageError | UnsupportedOperationException | IllegalCallerException e) {
            return new Usability(false, "native access unavailable: " + e.getMessage());
        }
    }

    private final KvmOptions options;

    public KvmEngine() {
        this(KvmOptions.DEFAULT);
    }

    public KvmEngine(KvmOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "kvm";
    }

    @Override
    public RunResult run(RunSpec spec, RunListener listener) {
        checkSupported(spec);
        long deadline = deadline(spec);
        try (KsmSession ksm = options.ksm() == null ? null : KsmSession.start(options.ksm());
             KvmMachine machine = KvmMachine.boot(spec.machine(), deadline, options.residentLimitBytes())) {
            return drive(machine, spec, listener, deadline, ksm);
        }
    }

    static final String NO_PCID = "this KVM does not offer PCID to guests (KVM_GET_SUPPORTED_CPUID leaf 1 ECX bit 17 is"
            + " clear), so the guest cannot set CR4.PCIDE";

    /** Checks, before the VM starts, that the engine can run every op; {@code switch ... pcid} asks /dev/kvm. */
    static void checkSupported(RunSpec spec) {
        WorkloadLimits.check(spec.workload(), spec.machine().layout().ramSize(), Math.max(1, spec.machine().smp()));
        for (Workload.Step s : spec.workload().steps()) OpDriver.checkSupported(s.op());
        for (Workload.Step s : spec.workload().steps()) {
            if (OpDriver.usesPcid(s.op())) {
                try (Kvm kvm = Kvm.open()) {
                    if (!kvm.hasPcid()) throw new KvmException("'" + s.text() + "': " + NO_PCID);
                }
                return;
            }
        }
    }

    static long deadline(RunSpec spec) {
        Duration timeout = spec.timeout() == null ? DEFAULT_TIMEOUT : spec.timeout();
        return System.nanoTime() + timeout.toNanos();
    }

    /** Runs the workload on a booted machine and reports; {@code ksm} (or null) is the run's ksmd session. */
    static RunResult drive(KvmMachine machine, RunSpec spec, RunListener listener, long deadline, KsmSession ksm) {
        HostMmu mmu = HostMmu.detect();
        StatsCollector stats = new StatsCollector(machine);
        OpDriver driver = new OpDriver(machine, deadline, ksm);
        List<RunResult.OpResult> ops = new ArrayList<>();
        StatsCollector.Snapshot start = stats.take();
        StatsCollector.Snapshot before = start;
        List<Workload.Step> steps = spec.workload().steps();
        for (int i = 0; i < steps.size(); i++) {
            Workload.Step step = steps.get(i);
            listener.stepStarted(i, steps.size(), step.text());
            long t0 = System.nanoTime();
            long frames0 = machine.shared(GuestLayout.SH_FRAMES);
            driver.run(step.op(), step.text());
            long nanos = System.nanoTime() - t0;
            StatsCollector.Snapshot after = stats.take();
            Counters own = new Counters(Map.of("guest_frames", machine.shared(GuestLayout.SH_FRAMES) - frames0));
            ops.add(new RunResult.OpResult(step.text(), nanos, stats.delta(before, after).plus(own)));
            before = after;
        }
        RunResult r = result(machine, mmu, stats, start, before, ops, driver);
        if (ksm == null) return r;
        return new RunResult(r.engine(), r.engineReason(), r.mmu(), r.vpid(), r.memory(),
                r.counters().plus(ksm.globalDeltas()), r.vcpus(), r.ops());
    }

    /** Guest RAM's host memory now, from smaps: Rss (with hugetlb), KSM, Swap, AnonHugePages, in KiB. */
    static Map<String, Long> ramSmaps(GuestRam ram) {
        Map<String, Long> smaps = ProcReader.smapsOf(ram.hostAddress());
        // hugetlb pages are not in Rss (linux Documentation/filesystems/proc.rst: Shared_Hugetlb, Private_Hugetlb)
        long rssKb = smaps.getOrDefault("Rss", 0L) + smaps.getOrDefault("Shared_Hugetlb", 0L)
                + smaps.getOrDefault("Private_Hugetlb", 0L);
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("Rss", rssKb);
        out.put("KSM", smaps.getOrDefault("KSM", 0L));
        out.put("Swap", smaps.getOrDefault("Swap", 0L));
        out.put("AnonHugePages", smaps.getOrDefault("AnonHugePages", 0L));
        return out;
    }

    private static RunResult result(KvmMachine machine, HostMmu mmu, StatsCollector stats, StatsCollector.Snapshot start,
            StatsCollector.Snapshot end, List<RunResult.OpResult> ops, OpDriver driver) {
        GuestRam ram = machine.ram();
        Map<String, Long> smaps = ramSmaps(ram);
        Map<String, Long> ksm = ram.mergeable() ? ProcReader.ksmStat() : Map.of();
        long rssKb = smaps.get("Rss");
        long tables = machine.shared(GuestLayout.SH_TABLES);
        Map<String, Long> own = new LinkedHashMap<>();
        own.put("guest_frames", machine.shared(GuestLayout.SH_FRAMES));
        own.put("guest_table_frames", tables);
        own.put("guest_ram_rss_kb", rssKb);
        own.put("guest_ram_anon_huge_kb", smaps.get("AnonHugePages"));
        own.put("guest_ram_swap_kb", smaps.get("Swap"));
        own.put("guest_ram_noreserve", ram.noReserve() ? 1L : 0L);
        own.put("vmm_rss_kb", ProcReader.status().getOrDefault("VmRSS", 0L) - rssKb);
        if (ram.mergeable()) own.put("guest_ram_ksm_kb", smaps.get("KSM"));
        ksm.forEach(own::put);
        if (driver.ksmSettleNanos() > 0) own.put("ksm_settle_ms", driver.ksmSettleNanos() / 1_000_000);
        if (driver.verifiedPages() > 0) {
            own.put("verify_pages", driver.verifiedPages());
            own.put("verify_mismatches", driver.verifyMismatches());
        }
        BalloonHost balloon = machine.balloon();
        long ballooned = machine.shared(GuestLayout.SH_BALLOON);
        if (balloon.batches() > 0) {
            own.put("balloon_num_pages", driver.balloonTarget());
            own.put("balloon_actual_pages", balloon.actualPages());
            own.put("balloon_inflated_pages", balloon.inflatedPages());
            own.put("balloon_deflated_pages", balloon.deflatedPages());
            own.put("balloon_reclaimed_pages", balloon.reclaimedPages());
            own.put("balloon_batches", balloon.batches());
            own.put("balloon_discard_errors", balloon.discardErrors());
            own.put("balloon_mmio_exits", balloon.mmioExits());
            long[] st = balloon.stats();
            if (st != null) for (int i = 0; i < st.length; i++) own.put("balloon_stat_" + BalloonHost.STAT_NAMES[i], st[i]);
        }
        long swappedBytes = smaps.get("Swap") * 1024;
        own.putAll(machine.swapCounters());
        swappedBytes += machine.vmmSwappedBytes();
        own.putAll(freeM());
        List<Counters> vcpus = new ArrayList<>();
        for (int cpu = 0; cpu < machine.vcpuCount(); cpu++) vcpus.add(stats.vcpuTotals(cpu, start, end));
        long shared = smaps.get("KSM") * 1024;   // this VM's guest RAM mapped to KSM pages (smaps "KSM:")
        RunResult.MemoryPicture memory = new RunResult.MemoryPicture(machine.totalRam(), rssKb * 1024,
                smaps.get("AnonHugePages") * 1024, swappedBytes, shared, ballooned * 4096, tables * 4096);
        return new RunResult("kvm", Kvm.DEVICE + ", " + mmu.description(), mmu.mode().key(), mmu.vpid(), memory,
                stats.totals(start, end).plus(new Counters(own)), vcpus, ops);
    }

    /** The host's memory as {@code free} shows it (procps: used = total - free - buffers - cache - reclaimable). */
    private static Map<String, Long> freeM() {
        Map<String, Long> mi = ProcReader.meminfo();
        long total = mi.getOrDefault("MemTotal", 0L), free = mi.getOrDefault("MemFree", 0L);
        long buffCache = mi.getOrDefault("Buffers", 0L) + mi.getOrDefault("Cached", 0L) + mi.getOrDefault("SReclaimable", 0L);
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("host_mem_total_kb", total);
        out.put("host_mem_used_kb", total - free - buffCache);
        out.put("host_mem_free_kb", free);
        out.put("host_mem_buff_cache_kb", buffCache);
        out.put("host_mem_available_kb", mi.getOrDefault("MemAvailable", 0L));
        return out;
    }
}
