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

    @Override
    public String name() {
        return "kvm";
    }

    @Override
    public RunResult run(RunSpec spec, RunListener listener) {
        Workload workload = spec.workload();
        for (Workload.Step s : workload.steps()) OpDriver.checkSupported(s.op());
        Duration timeout = spec.timeout() == null ? DEFAULT_TIMEOUT : spec.timeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        HostMmu mmu = HostMmu.detect();
        try (KvmMachine machine = KvmMachine.boot(spec.machine(), deadline)) {
            StatsCollector stats = new StatsCollector(machine);
            OpDriver driver = new OpDriver(machine, deadline);
            List<RunResult.OpResult> ops = new ArrayList<>();
            StatsCollector.Snapshot start = stats.take();
            StatsCollector.Snapshot before = start;
            List<Workload.Step> steps = workload.steps();
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
            return result(machine, mmu, stats, start, before, ops, driver);
        }
    }

    private static RunResult result(KvmMachine machine, HostMmu mmu, StatsCollector stats, StatsCollector.Snapshot start,
            StatsCollector.Snapshot end, List<RunResult.OpResult> ops, OpDriver driver) {
        GuestRam ram = machine.ram();
        Map<String, Long> smaps = ProcReader.smapsOf(ram.hostAddress());
        Map<String, Long> ksm = ram.mergeable() ? ProcReader.ksmStat() : Map.of();
        // hugetlb pages are not in Rss (linux Documentation/filesystems/proc.rst: Shared_Hugetlb, Private_Hugetlb)
        long rssKb = smaps.getOrDefault("Rss", 0L) + smaps.getOrDefault("Shared_Hugetlb", 0L)
                + smaps.getOrDefault("Private_Hugetlb", 0L);
        long tables = machine.shared(GuestLayout.SH_TABLES);
        Map<String, Long> own = new LinkedHashMap<>();
        own.put("guest_frames", machine.shared(GuestLayout.SH_FRAMES));
        own.put("guest_table_frames", tables);
        own.put("guest_ram_rss_kb", rssKb);
        own.put("guest_ram_anon_huge_kb", smaps.getOrDefault("AnonHugePages", 0L));
        own.put("guest_ram_swap_kb", smaps.getOrDefault("Swap", 0L));
        own.put("guest_ram_noreserve", ram.noReserve() ? 1L : 0L);
        own.put("vmm_rss_kb", ProcReader.status().getOrDefault("VmRSS", 0L) - rssKb);
        ksm.forEach(own::put);
        if (driver.verifiedPages() > 0) {
            own.put("verify_pages", driver.verifiedPages());
            own.put("verify_mismatches", driver.verifyMismatches());
        }
        own.putAll(freeM());
        List<Counters> vcpus = new ArrayList<>();
        for (int cpu = 0; cpu < machine.vcpuCount(); cpu++) vcpus.add(stats.vcpuTotals(cpu, start, end));
        long shared = ksm.getOrDefault("ksm_merging_pages", 0L) * 4096;
        RunResult.MemoryPicture memory = new RunResult.MemoryPicture(machine.totalRam(), rssKb * 1024,
                smaps.getOrDefault("AnonHugePages", 0L) * 1024, smaps.getOrDefault("Swap", 0L) * 1024, shared, 0,
                tables * 4096);
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
