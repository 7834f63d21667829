package org.memvirt.kvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.engine.Availability;
import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.Engine;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.FreeCounters;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.HostEnv;
import org.memvirt.host.HostMmu;
import org.memvirt.host.KsmState;
import org.memvirt.host.MemInfo;
import org.memvirt.host.ProcessMemory;
import org.memvirt.hostctl.KsmSession;
import org.memvirt.hostctl.KsmSettings;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadLimits;
import org.memvirt.workload.WorkloadUnits;

/**
 * The kvm engine: runs a workload in a real micro-VM on /dev/kvm (guest runtime from guest/) and reports every KVM
 * binary statistic, the exits the VMM saw and the host memory of guest RAM. Failures of the guest stop the VM with a
 * one-line {@link GuestFailure} (exit status 4); every fd and mapping is released either way.
 */
public final class KvmEngine implements Engine {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

    /** Whether this host can run the kvm engine, and why (or why not). */
    public record Usability(boolean usable, String reason) {}

    /**
     * Decides from /dev/kvm and its ioctls, never from cpuinfo flags (kvm_pvm hosts have no vmx/svm: docs/HOST-FACTS.md),
     * after MEMVIRT_KVM and MEMVIRT_HOST_ROOT ({@link HostEnv#kvmEngineVeto}), which can only make KVM look unusable.
     */
    public static Usability usable() {
        String arch = System.getProperty("os.arch");
        if (!System.getProperty("os.name").equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return new Usability(false, "the kvm engine runs on x86-64 Linux hosts, not " + System.getProperty("os.name") + "/" + arch);
        }
        java.util.Optional<String> veto = HostEnv.kvmEngineVeto();
        if (veto.isPresent()) return new Usability(false, veto.get());
        if (!Files.exists(Path.of(Kvm.DEVICE))) return new Usability(false, Kvm.DEVICE + " does not exist");
        try (Kvm kvm = Kvm.open()) {
            return new Usability(true, Kvm.DEVICE + " usable (API " + KvmAbi.API_VERSION + ", binary stats, "
                    + HostMmu.read().description() + ")");
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
    public EngineKind kind() {
        return EngineKind.KVM;
    }

    @Override
    public Availability availability() {
        Usability u = usable();
        return new Availability(u.usable(), u.reason());
    }

    static final long MIN_RESIDENT_LIMIT = 4L << 20;   // docs/overcommit-kvm.md: UffdSwap needs >= 4 MiB

    /**
     * Refuses what this host's KVM cannot give: an MMU mode other than the one it runs guests with (KVM's choice
     * of EPT, NPT or shadow paging is a module parameter, not a per-VM setting), a modelled TLB geometry, a resident
     * limit UffdSwap cannot keep, and ops the guest runtime does not run.
     */
    @Override
    public void check(RunSpec spec, String reason) {
        spec.guest().refuseFor(EngineKind.KVM);
        if (spec.guestProfile() != null && spec.guestProfile().linux()) throw EngineException.usage("--guest linux: " + MICRO_GUEST_ONLY);
        HostMmu host = HostMmu.read();
        if (spec.mmu() != host.mode()) {
            throw EngineException.host("--mmu " + spec.mmu().word() + ": this host's KVM runs guests with "
                    + host.mode().word() + " (" + host.description() + "); the kvm engine cannot change it (--engine sim"
                    + " models " + spec.mmu().word() + ")");
        }
        if (spec.vpid() != null && spec.vpid() != host.tlbTagged()) {
            throw EngineException.host("--vpid " + (spec.vpid() ? "on" : "off") + ": this host's KVM runs guests with"
                    + " VPID " + (host.tlbTagged() ? "on" : "off") + " (" + host.description() + "); the kvm engine cannot"
                    + " change it (--engine sim models it)");
        }
        if (spec.tlb() != null) {
            throw EngineException.usage("--tlb " + spec.tlb() + ": the kvm engine runs on this host's TLBs; --tlb sets the"
                    + " sim engine's geometry");
        }
        long limit = spec.residentLimitBytes();
        if (limit != 0 && (limit < MIN_RESIDENT_LIMIT || limit % 4096 != 0)) {
            throw EngineException.usage("--resident-limit: must be a multiple of 4 KiB and at least 4 MiB, not "
                    + WorkloadUnits.formatSize(limit));
        }
        if (Math.max(limit, options.residentLimitBytes()) > 0) refuseWithoutUffd("--resident-limit");
        checkSupported(spec);
    }

    /** A resident limit needs a userfaultfd that traps kernel faults: refused before any work where there is none. */
    private static void refuseWithoutUffd(String field) {
        String why = UffdSwap.unavailableReason();
        if (why != null) throw EngineException.host(field + ": " + why);
    }

    @Override
    public RunResult run(RunSpec spec, RunListener listener) {
        checkSupported(spec);
        long deadline = deadline(spec);
        KsmSettings ksmSettings = options.ksm() != null ? options.ksm() : spec.ksm() ? KsmSettings.fast() : null;
        long limit = Math.max(options.residentLimitBytes(), spec.residentLimitBytes());
        try (KsmSession ksm = ksmSettings == null ? null : KsmSession.start(ksmSettings);
             KvmMachine machine = KvmMachine.boot(spec.machine(), deadline, limit)) {
            return drive(machine, spec, listener, deadline, ksm);
        }
    }

    /** Refuses what the kvm path cannot do or this host cannot hold (see {@link KvmFit}). */
    @Override
    public List<String> check(HostSpec spec) {
        for (HostSpec.Vm vm : spec.vms()) {
            if (vm.guest() != null && vm.guest().linux()) {
                throw new EngineException("vms[" + vm.name() + "].guest: " + MICRO_GUEST_ONLY);
            }
        }
        for (HostSpec.Vm vm : spec.vms()) if (vm.residentLimitBytes() > 0) refuseWithoutUffd("vms[" + vm.name() + "].resident_limit");
        return KvmFit.check(spec, MemInfo.read(HostEnv.root()), KsmState.read(HostEnv.root()));
    }

    static final String MICRO_GUEST_ONLY = "the kvm engine boots memvirt's micro-guest; a Linux guest runs on the qemu"
            + " engine, or as the sim's model of it (--engine sim)";

    /** Boots every VM in this process and runs the workloads at once ({@link KvmHost}). */
    @Override
    public HostResult run(HostSpec spec, RunListener listener) {
        return KvmHost.run(spec, check(spec));
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
                    if (!kvm.hasPcid()) throw EngineException.host("'" + s.text() + "': " + NO_PCID);
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
        HostMmu mmu = HostMmu.read();
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
            Counters own = Counters.of(Map.of(Counter.GUEST_FRAMES, machine.shared(GuestLayout.SH_FRAMES) - frames0));
            ops.add(new RunResult.OpResult(step.text(), nanos, stats.delta(before, after).plus(own)));
            before = after;
        }
        RunResult r = result(machine, mmu, stats, start, before, ops, driver);
        if (ksm == null) return r;
        return r.withCounters(new Counters(ksm.globalDeltas()));
    }

    /** Guest RAM's host memory now: its mapping in this process's smaps. */
    static ProcessMemory.Mapping ramSmaps(GuestRam ram) {
        return ProcessMemory.self().mapping(ram.hostAddress());
    }

    private static RunResult result(KvmMachine machine, HostMmu mmu, StatsCollector stats, StatsCollector.Snapshot start,
            StatsCollector.Snapshot end, List<RunResult.OpResult> ops, OpDriver driver) {
        GuestRam ram = machine.ram();
        ProcessMemory.Mapping smaps = ramSmaps(ram);
        Map<String, Long> ksm = ram.mergeable() ? ProcessMemory.self().ksmStat().fields() : Map.of();
        long rssKb = smaps.resident() / 1024;
        long tables = machine.shared(GuestLayout.SH_TABLES);
        Map<Counter, Long> own = new LinkedHashMap<>();
        own.put(Counter.GUEST_FRAMES, machine.shared(GuestLayout.SH_FRAMES));
        own.put(Counter.GUEST_TABLE_FRAMES, tables);
        own.put(Counter.GUEST_RAM_RSS_KB, rssKb);
        own.put(Counter.GUEST_RAM_ANON_HUGE_KB, smaps.anonHugePages() / 1024);
        own.put(Counter.GUEST_RAM_SWAP_KB, smaps.swap() / 1024);
        own.put(Counter.GUEST_RAM_NORESERVE, ram.noReserve() ? 1L : 0L);
        own.put(Counter.VMM_RSS_KB, ProcessMemory.self().status().vmRss() / 1024 - rssKb);
        if (ram.mergeable()) own.put(Counter.GUEST_RAM_KSM_KB, smaps.ksm() / 1024);
        ksm.forEach((name, v) -> Counter.find(name).ifPresent(c -> own.put(c, v)));   // a newer kernel's extras: not in the table
        if (driver.ksmSettleNanos() > 0) own.put(Counter.KSM_SETTLE_MS, driver.ksmSettleNanos() / 1_000_000);
        if (driver.verifiedPages() > 0) {
            own.put(Counter.VERIFY_PAGES, driver.verifiedPages());
            own.put(Counter.VERIFY_MISMATCHES, driver.verifyMismatches());
        }
        BalloonHost balloon = machine.balloon();
        long ballooned = machine.shared(GuestLayout.SH_BALLOON);
        if (balloon.batches() > 0) {
            own.put(Counter.BALLOON_NUM_PAGES, driver.balloonTarget());
            own.put(Counter.BALLOON_ACTUAL_PAGES, balloon.actualPages());
            own.put(Counter.BALLOON_INFLATED_PAGES, balloon.inflatedPages());
            own.put(Counter.BALLOON_DEFLATED_PAGES, balloon.deflatedPages());
            own.put(Counter.BALLOON_RECLAIMED_PAGES, balloon.reclaimedPages());
            own.put(Counter.BALLOON_BATCHES, balloon.batches());
            own.put(Counter.BALLOON_DISCARD_ERRORS, balloon.discardErrors());
            own.put(Counter.BALLOON_MMIO_EXITS, balloon.mmioExits());
            long[] st = balloon.stats();
            if (st != null) for (int i = 0; i < st.length; i++) own.put(BalloonHost.STATS[i], st[i]);
        }
        long swappedBytes = smaps.swap();
        own.putAll(machine.swapCounters());
        swappedBytes += machine.vmmSwappedBytes();
        own.putAll(freeM());
        List<Counters> vcpus = new ArrayList<>();
        for (int cpu = 0; cpu < machine.vcpuCount(); cpu++) vcpus.add(stats.vcpuTotals(cpu, start, end));
        long shared = smaps.ksm();   // this VM's guest RAM mapped to KSM pages (smaps "KSM:")
        RunResult.MemoryPicture memory = new RunResult.MemoryPicture(machine.totalRam(), rssKb * 1024,
                smaps.anonHugePages(), swappedBytes, shared, ballooned * 4096, tables * 4096);
        return new RunResult(EngineKind.KVM, Kvm.DEVICE + ", " + mmu.description(), mmu.mode(), mmu.tlbTagged(), memory,
                stats.totals(start, end).plus(Counters.of(own)), vcpus, ops);
    }

    /** The host's memory as {@code free} shows it now (host.FreeMemory), in KiB. */
    private static Map<Counter, Long> freeM() {
        return FreeCounters.host(MemInfo.read(HostEnv.root()).free());
    }
}
