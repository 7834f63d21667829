package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.memvirt.engine.Availability;
import org.memvirt.engine.Counters;
import org.memvirt.engine.Engine;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadLimits;

/**
 * The simulator engine: runs a workload on a modelled VM (guest OS, KVM's shadow or TDP MMU, VPID-tagged TLBs,
 * host memory) and reports KVM's counters, memvirt's own and the virtual time of each op. Deterministic.
 */
public final class SimEngine implements Engine {
    private final Supplier<HostMemory> hostMemory;
    private final CostModel cost;

    /** A sim engine whose VM runs alone on a host with lazily allocated memory. */
    public SimEngine() {
        this(LazyHostMemory::new, CostModel.DEFAULT);
    }

    public SimEngine(Supplier<HostMemory> hostMemory, CostModel cost) {
        this.hostMemory = hostMemory;
        this.cost = cost;
    }

    @Override
    public EngineKind kind() {
        return EngineKind.SIM;
    }

    /** Always usable: the model needs nothing from the host. */
    @Override
    public Availability availability() {
        return new Availability(true, "");
    }

    /**
     * Refuses what a single simulated VM cannot do: it runs on the lazy host, which has neither ksmd nor a
     * hypervisor swap file (a scenario models both), a TLB geometry that cannot be read, and a Linux guest too large
     * or too small for the model.
     */
    @Override
    public void check(RunSpec spec, String reason) {
        spec.guest().refuseFor(EngineKind.SIM);
        if (spec.ksm() || spec.residentLimitBytes() > 0) {
            throw EngineException.usage((spec.ksm() ? "--ksm" : "--resident-limit") + " needs the kvm engine (" + reason
                    + "); for modelled KSM or swap use `memvirt scenario --engine sim` with host.ksm / host.swap");
        }
        TlbGeometry.of(spec.tlb());
        linux(spec.guestProfile(), spec.machine().layout());
        preflight(spec);
    }

    /** The Linux guest model of {@code guest}, or null for the micro-guest; a guest the model cannot boot is refused. */
    static LinuxGuestProfile linux(org.memvirt.engine.GuestProfile guest, org.memvirt.config.MemoryLayout layout) {
        if (guest == null || !guest.linux()) return null;
        try {
            return new LinuxGuestProfile(guest, layout);
        } catch (SimException e) {
            throw new EngineException(e.getMessage());
        }
    }

    /**
     * What is checked before a single VM is built, also when {@link #run(RunSpec, RunListener)} is called directly:
     * the workload against the guest ({@link WorkloadLimits}), the model against the JVM's heap
     * ({@link ModelFootprint}), and the workload against {@code --timeout} ({@link SimDeadline}).
     */
    private static void preflight(RunSpec spec) {
        WorkloadLimits.check(spec.workload(), spec.machine().layout().ramSize(), Math.max(1, spec.machine().smp()));
        ModelFootprint.check(ModelFootprint.runBytes(spec.machine().layout().ramSize() / Paging.PAGE_SIZE,
                spec.workload(), spec.mmu()), "this run");
        SimDeadline.checkFits(spec.workload(), spec.timeout());
    }

    @Override
    public RunResult run(RunSpec spec, RunListener listener) {
        return run(spec, listener, vm -> {});
    }

    /**
     * Refuses what only a real VMM does (hypervisor-level swap, {@code resident_limit}), a Linux guest too small to
     * boot, a model larger than the JVM's heap ({@link ModelFootprint}) and a run expected to outlast its
     * {@code --max-wall} ({@link SimHostCost}).
     */
    @Override
    public List<String> check(HostSpec spec) {
        for (HostSpec.Vm vm : spec.vms()) {
            if (vm.residentLimitBytes() > 0) {
                throw new EngineException("vms[" + vm.name() + "].resident_limit: hypervisor-level swap runs on the kvm"
                        + " engine only (--engine kvm)");
            }
            try {
                linux(vm.guest(), vm.machine().layout());
            } catch (EngineException e) {
                throw new EngineException("vms[" + vm.name() + "].guest: " + e.getMessage());
            }
        }
        ModelFootprint.check(ModelFootprint.hostBytes(spec), "scenario " + spec.name());
        SimHostCost.check(spec);
        return List.of();
    }

    /** Runs the VMs in quanta of virtual time on one simulated host ({@link SimHost}). */
    @Override
    public HostResult run(HostSpec spec, RunListener listener) {
        check(spec);
        SimHostCost.announcement(spec).ifPresent(listener::notice);
        return new SimHost(spec, cost).run(listener);
    }

    /** {@link #run(RunSpec, RunListener)}, calling {@code afterStep} after every top-level step (tests check invariants). */
    RunResult run(RunSpec spec, RunListener listener, java.util.function.Consumer<SimVm> afterStep) {
        preflight(spec);
        LinuxGuestProfile linux = linux(spec.guestProfile(), spec.machine().layout());
        SimDeadline deadline = SimDeadline.start(spec.workload(), spec.timeout(), System::nanoTime);
        SimVm vm = new SimVm(spec.machine(), hostMemory.get(), spec.mmu(), vpid(spec), TlbGeometry.of(spec.tlb()),
                linux != null);
        FreePageReporting reporting = linux != null && linux.profile().freePageReporting() ? vm.guest.reportFreePages() : null;
        vm.guest.boot(vm.vcpus.get(0));
        if (linux != null) vm.guest.bootLinux(linux);
        if (reporting != null) reporting.start(0);
        resetCounters(vm);
        long bootTables = vm.stats[Stat.GUEST_PT_PAGES];
        MmuGuest guest = new MmuGuest(vm, cost);
        OpInterpreter interpreter = new OpInterpreter(guest, (done, report) -> {
            deadline.check();                                  // every chunk of accesses and repeat iteration
            if (report) listener.stepProgress(done);
        });
        long clock = 0;
        List<RunResult.OpResult> ops = new ArrayList<>();
        List<Workload.Step> steps = spec.workload().steps();
        for (int i = 0; i < steps.size(); i++) {
            Workload.Step step = steps.get(i);
            listener.stepStarted(i, steps.size(), step.text());
            deadline.step(step.text());
            long[] before = vm.totals();
            guest.runOn(vcpusFor(vm, step.vcpu()));
            interpreter.load(List.of(step.op())).run(OpInterpreter.NO_LIMIT);
            for (Vcpu v : vm.vcpus) v.serviceRequests();        // every vCPU re-enters the guest after the step
            long[] after = vm.totals();
            long[] delta = new long[Stat.COUNT];
            for (int k = 0; k < Stat.COUNT; k++) delta[k] = after[k] - before[k];
            long nanos = cost.nanos(cost.vmCycles(delta)) + interpreter.takeElapsedNanos();
            clock += nanos;
            if (reporting != null) reporting.advanceTo(clock);   // its passes run beside the workload
            ops.add(new RunResult.OpResult(step.text(), nanos, Stat.snapshot(delta)));
            listener.stepProgress(1.0);
            afterStep.accept(vm);
        }
        return result(vm, spec, ops, linux, bootTables);
    }

    /** VPID on unless the spec turns it off (linux arch/x86/kvm/vmx/vmx.c: enable_vpid defaults to 1). */
    private static boolean vpid(RunSpec spec) {
        return spec.vpid() == null || spec.vpid();
    }

    /** Boot work (the runtime's tables) is not part of the run; gauges keep their values. */
    private static void resetCounters(SimVm vm) {
        for (int i = 0; i < Stat.COUNT; i++) {
            if (isGauge(i)) continue;
            vm.stats[i] = 0;
            for (Vcpu v : vm.vcpus) v.stats[i] = 0;
        }
    }

    private static boolean isGauge(int stat) {
        return stat == Stat.MMU_UNSYNC || stat == Stat.PAGES_4K || stat == Stat.PAGES_2M || stat == Stat.PAGES_1G
                || stat == Stat.SHADOW_PAGES || stat == Stat.TDP_PAGES || stat == Stat.GUEST_PT_PAGES;
    }

    private RunResult result(SimVm vm, RunSpec spec, List<RunResult.OpResult> ops, LinuxGuestProfile linux,
            long bootTables) {
        long[] t = vm.totals();
        long page = Paging.PAGE_SIZE;
        long resident = vm.host.residentPages(vm.vmId) * page;
        RunResult.MemoryPicture memory = new RunResult.MemoryPicture(
                spec.machine().layout().ramSize(),
                resident,
                0,
                vm.host.swappedPages(vm.vmId) * page,
                0,
                vm.guest.balloonPages() * page,
                (t[Stat.GUEST_PT_PAGES] + t[Stat.SHADOW_PAGES] + t[Stat.TDP_PAGES]) * page,
                null,
                linux == null ? null : linux.split(resident,            // the workload: frames taken since boot, less tables
                        (t[Stat.GUEST_FRAMES] - (t[Stat.GUEST_PT_PAGES] - bootTables)) * page));
        List<Counters> vcpus = new ArrayList<>();
        for (Vcpu v : vm.vcpus) vcpus.add(Stat.vcpuSnapshot(v.statsSnapshot()));
        Counters counters = Stat.snapshot(t);
        CostModel.Estimate e = cost.estimate(counters);
        return new RunResult(EngineKind.SIM, "", spec.mmu(), vpid(spec), memory, counters, vcpus, ops,
                spec.tlb() == null || spec.tlb().isEmpty() ? TlbGeometry.ZEN5.name() : spec.tlb(), new RunResult.Cost(e.vmCycles(), e.nativeCycles(), e.slowdown(),
                        e.vmNanos(), e.nativeNanos()));
    }

    /** The vCPUs a step runs on: all of them, or the one it is pinned to. */
    private static List<Vcpu> vcpusFor(SimVm vm, int pinned) {
        if (pinned == Workload.Step.SPREAD) return vm.vcpus;
        if (pinned < 0 || pinned >= vm.vcpus.size())
            throw new SimException("op pinned to vCPU " + pinned + " but the machine has " + vm.vcpus.size());
        return List.of(vm.vcpus.get(pinned));
    }
}
