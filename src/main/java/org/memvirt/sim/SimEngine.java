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
import org.memvirt.workload.AccessStream;
import org.memvirt.workload.Op;
import org.memvirt.workload.Patterns;
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
        return new SimHost(spec).run(listener);
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
        Runner runner = new Runner(vm, listener, deadline);
        long clock = 0;
        List<RunResult.OpResult> ops = new ArrayList<>();
        List<Workload.Step> steps = spec.workload().steps();
        for (int i = 0; i < steps.size(); i++) {
            Workload.Step step = steps.get(i);
            listener.stepStarted(i, steps.size(), step.text());
            deadline.step(step.text());
            long[] before = vm.totals();
            runner.run(step.op(), runner.vcpusFor(step.vcpu()));
            for (Vcpu v : vm.vcpus) v.serviceRequests();        // every vCPU re-enters the guest after the step
            long[] after = vm.totals();
            long[] delta = new long[Stat.COUNT];
            for (int k = 0; k < Stat.COUNT; k++) delta[k] = after[k] - before[k];
            long nanos = cost.nanos(cost.vmCycles(delta)) + runner.takeSleptNanos();
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

    /** Executes ops on the VM's vCPUs. */
    private static final class Runner {
        private static final int PROGRESS_CHUNK = 1 << 16;   // accesses between progress reports
        private final SimVm vm;
        private final RunListener listener;
        private final SimDeadline deadline;
        private long sleptNanos;
        private int depth;                                   // > 0 inside a repeat: only the repeat reports progress

        Runner(SimVm vm, RunListener listener, SimDeadline deadline) {
            this.vm = vm;
            this.listener = listener;
            this.deadline = deadline;
        }

        /** Every {@link #PROGRESS_CHUNK} accesses and repeat iteration: report, and stop at the deadline. */
        private void progress(double done) {
            deadline.check();
            if (depth == 0) listener.stepProgress(done);
        }

        List<Vcpu> vcpusFor(int pinned) {
            if (pinned == Workload.Step.SPREAD) return vm.vcpus;
            if (pinned < 0 || pinned >= vm.vcpus.size())
                throw new SimException("op pinned to vCPU " + pinned + " but the machine has " + vm.vcpus.size());
            return List.of(vm.vcpus.get(pinned));
        }

        long takeSleptNanos() {
            long n = sleptNanos;
            sleptNanos = 0;
            return n;
        }

        void run(Op op, List<Vcpu> on) {
            switch (op) {
                case Op.Touch(long bytes, long offset) -> pages(on, offset, bytes, Kind.TOUCH, null);
                case Op.Read(long bytes, long offset) -> pages(on, offset, bytes, Kind.READ, null);
                case Op.Fill(long bytes, long offset, Op.Content content) -> pages(on, offset, bytes, Kind.FILL, content);
                case Op.Random r -> random(on, r);
                case Op.Processes(int count) -> {
                    vm.guest.enterRunning(on.get(0));
                    vm.guest.setProcesses(on.get(0), count);
                }
                case Op.Switch(long count, boolean pcid) -> {
                    Vcpu v = on.get(0);                  // process ops run on one vCPU (vCPU 0 unless pinned)
                    vm.guest.enterRunning(v);
                    for (long i = count; i > 0; i--) vm.guest.switchProcess(v, pcid);
                }
                case Op.Unmap(long bytes, long offset) -> pages(on, offset, bytes, Kind.UNMAP, null);
                case Op.Remap(long bytes, long offset) -> pages(on, offset, bytes, Kind.REMAP, null);
                case Op.Free(long bytes, long offset) -> pages(on, offset, bytes, Kind.FREE, null);
                case Op.Demand(boolean demandOn) -> vm.guest.demand = demandOn;
                case Op.PageSize(int shift) -> vm.guest.largePages = shift == Op.PageSize.SHIFT_2M;
                case Op.Balloon(Op.BalloonAction action, long bytes) -> balloon(on.get(0), action, bytes);
                case Op.Sleep(long nanos) -> {
                    vm.host.advance(nanos);
                    sleptNanos += nanos;
                }
                case Op.Verify() -> vm.verify();
                case Op.Repeat(int times, List<Op> body) -> {
                    for (int i = 0; i < times; i++) {
                        depth++;
                        for (Op o : body) run(o, on);
                        depth--;
                        progress((i + 1.0) / times);
                    }
                }
                case Op.Trace(String file, long[] accesses) -> trace(on, accesses);
            }
        }

        private enum Kind { TOUCH, READ, FILL, UNMAP, REMAP, FREE }

        private void pages(List<Vcpu> on, long offset, long bytes, Kind kind, Op.Content content) {
            long ramBytes = vm.ram.ramPages() << Paging.PAGE_SHIFT;
            if (offset < 0 || bytes < 0 || offset + bytes > ramBytes)
                throw new SimException("range [" + offset + ", " + (offset + bytes) + ") is outside the workload region of "
                        + ramBytes + " bytes (the guest's RAM size)");
            long first = offset >>> Paging.PAGE_SHIFT;
            long end = (offset + bytes + Paging.PAGE_SIZE - 1) >>> Paging.PAGE_SHIFT;
            long pages = end - first;
            if (kind == Kind.UNMAP || kind == Kind.REMAP || kind == Kind.FREE) {
                vm.guest.checkWholeLargePages(vm.guest.running, gva(first), gva(end), kind.name().toLowerCase(java.util.Locale.ROOT));
            }
            for (int k = 0; k < on.size(); k++) {
                Vcpu v = on.get(k);
                long from = first + start(pages, on.size(), k);
                long to = first + start(pages, on.size(), k + 1);
                if (from == to) continue;
                vm.guest.enterRunning(v);
                switch (kind) {
                    case TOUCH, READ, FILL -> {
                        if (!vm.guest.demand) for (long n = from; n < to; n++) vm.guest.ensureMapped(v, v.process, gva(n));
                        for (long c = from; c < to; c += PROGRESS_CHUNK) {
                            access(v, c, Math.min(to, c + PROGRESS_CHUNK), kind, content);
                            progress((k + (double) (Math.min(to, c + PROGRESS_CHUNK) - from) / (to - from)) / on.size());
                        }
                    }
                    case UNMAP -> { for (long n = from; n < to; n++) vm.guest.unmap(v, v.process, gva(n)); }
                    case REMAP -> { for (long n = from; n < to; n++) vm.guest.remap(v, v.process, gva(n)); }
                    case FREE -> { for (long n = from; n < to; n++) vm.guest.free(v, v.process, gva(n)); }
                }
            }
        }

        private void access(Vcpu v, long from, long to, Kind kind, Op.Content content) {
            GuestOs.Process p = v.process;
            final boolean write = kind != Kind.READ;
            final int fillKind = content == null ? -1 : fillKind(content);
            final long fillParam = content == null ? 0 : fillParam(content);
            for (long n = from; n < to; n++) {
                long gfn = v.translate(gva(n), write);
                if (kind == Kind.TOUCH) {
                    vm.write(p.pid, n, gfn, Patterns.touch(p.pid, n));
                } else if (kind == Kind.FILL) {
                    vm.write(p.pid, n, gfn, fillKind == 0 ? HostMemory.ZERO_CONTENT : Patterns.fill(fillKind, fillParam, p.pid, n, 0));
                    v.stats[Stat.DTLB_HITS] += Paging.ENTRIES - 1;           // the other 511 qwords hit the DTLB
                }
            }
        }

        private static int fillKind(Op.Content c) {
            return switch (c) {
                case Op.Content.Zero() -> 0;
                case Op.Content.Same(int variants) -> 1;
                case Op.Content.Unique() -> 2;
                case Op.Content.RandomBytes(long seed) -> 3;
            };
        }

        private static long fillParam(Op.Content c) {
            return switch (c) {
                case Op.Content.Same(int variants) -> variants;
                case Op.Content.RandomBytes(long seed) -> seed;
                default -> 0;
            };
        }

        private void random(List<Vcpu> on, Op.Random r) {
            long pages = (r.over() + Paging.PAGE_SIZE - 1) >>> Paging.PAGE_SHIFT;
            if (r.over() > vm.ram.ramPages() << Paging.PAGE_SHIFT)
                throw new SimException("random over " + r.over() + " bytes exceeds the guest's RAM");
            AccessStream stream = new AccessStream(pages, r.writesPercent(), r.distribution(), r.seed());
            Vcpu first = on.get(0);                      // demand off: one vCPU maps [0, over) first, ascending
            vm.guest.enterRunning(first);
            if (!vm.guest.demand) for (long n = 0; n < pages; n++) vm.guest.ensureMapped(first, first.process, gva(n));
            for (int k = 0; k < on.size(); k++) {
                Vcpu v = on.get(k);
                long count = share(r.count(), on.size(), k);
                if (count == 0) continue;
                vm.guest.enterRunning(v);
                for (long done = 0; done < count; done += PROGRESS_CHUNK) {
                    randomAccesses(vm, v, stream, Math.min(PROGRESS_CHUNK, count - done));
                    progress((k + (double) Math.min(count, done + PROGRESS_CHUNK) / count) / on.size());
                }
            }
        }

        /** The hot loop of {@code random}: small on purpose, so the JIT compiles it with translate inlined. */
        private static void randomAccesses(SimVm vm, Vcpu v, AccessStream stream, long count) {
            final int pid = v.process.pid;
            for (long i = count; i > 0; i--) {
                final long a = stream.next();
                final long n = a >>> 1;
                final boolean write = (a & 1) != 0;
                final long gfn = v.translate(gva(n), write);
                if (write) vm.write(pid, n, gfn, Patterns.touch(pid, n));
            }
        }

        private void trace(List<Vcpu> on, long[] accesses) {
            final long ramBytes = vm.ram.ramPages() << Paging.PAGE_SHIFT;
            for (int k = 0; k < on.size(); k++) {
                Vcpu v = on.get(k);
                int from = (int) start(accesses.length, on.size(), k), to = (int) start(accesses.length, on.size(), k + 1);
                if (from == to) continue;
                vm.guest.enterRunning(v);
                for (int i = from; i < to; i++) {
                    long a = accesses[i];
                    long offset = a & ~7L;                       // region offsets (docs/workload.md, trace replay)
                    if (offset < 0 || offset >= ramBytes)
                        throw new SimException("trace offset 0x" + Long.toHexString(offset) + " is outside the workload region of "
                                + ramBytes + " bytes (the guest's RAM size)");
                    long gva = GuestOs.REGION_BASE + offset;
                    if (!vm.guest.demand) vm.guest.ensureMapped(v, v.process, gva);
                    boolean write = (a & 1) != 0;
                    long gfn = v.translate(gva, write);
                    if (write) vm.write(v.process.pid, offset >>> Paging.PAGE_SHIFT, gfn, Patterns.touch(v.process.pid, offset >>> Paging.PAGE_SHIFT));
                }
            }
        }

        private void balloon(Vcpu v, Op.BalloonAction action, long bytes) {
            long pages = bytes >>> Paging.PAGE_SHIFT;
            long now = vm.guest.balloonPages();
            sleptNanos += vm.guest.balloonTo(v, switch (action) {
                case INFLATE -> now + pages;
                case DEFLATE -> now - pages;
                case TO -> pages;
            });
        }

        private static long gva(long regionPage) {
            return GuestOs.REGION_BASE + (regionPage << Paging.PAGE_SHIFT);
        }

        /** First index of part {@code k} of {@code total} split into {@code parts} contiguous parts. */
        private static long start(long total, int parts, int k) {
            return Math.multiplyHigh(total, k) == 0 ? total * k / parts : (long) ((double) total * k / parts);
        }

        private static long share(long total, int parts, int k) {
            return start(total, parts, k + 1) - start(total, parts, k);
        }
    }
}
