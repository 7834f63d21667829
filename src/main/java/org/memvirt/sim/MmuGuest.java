package org.memvirt.sim;

import java.util.List;

import org.memvirt.workload.Op;
import org.memvirt.workload.Patterns;

/**
 * The guest memory of {@code run} and {@code --compare}: {@link GuestOs} on the VM's MMU. Every access is a vCPU's
 * translation (TLBs, walks, shadow or TDP faults, exits), every mapping a guest page-table store; an op's range is
 * split over the vCPUs it runs on, each part on its own vCPU.
 */
final class MmuGuest implements GuestMemory {
    private final SimVm vm;
    private final CostModel cost;
    private List<Vcpu> on;
    private Vcpu v;                                 // the vCPU of the part running
    private long sleptNanos;

    MmuGuest(SimVm vm, CostModel cost) {
        this.vm = vm;
        this.cost = cost;
        runOn(vm.vcpus);
    }

    /** The vCPUs the next ops run on: all of them (a spread step) or the one a step is pinned to. */
    void runOn(List<Vcpu> vcpus) {
        on = vcpus;
        v = vcpus.get(0);
    }

    private static long gva(long regionPage) {
        return GuestOs.REGION_BASE + (regionPage << Paging.PAGE_SHIFT);
    }

    @Override
    public long regionPages() {
        return vm.ram.ramPages();
    }

    @Override
    public int parts() {
        return on.size();
    }

    @Override
    public void enter(int part) {
        v = on.get(part);
        vm.guest.enterRunning(v);
    }

    /** Never: a run that cannot go on throws. */
    @Override
    public boolean stopped() {
        return false;
    }

    /** The cost model's time of every counter so far plus the sleeps (not on a hot path: {@code run} has no limit). */
    long clock() {
        return cost.nanos(cost.vmCycles(vm.totals())) + sleptNanos;
    }

    @Override
    public boolean reached(long limit) {
        return clock() >= limit;
    }

    @Override
    public void prefault(long page) {
        vm.guest.ensureMapped(v, v.process, gva(page));
    }

    @Override
    public void access(long page, boolean write, int content, long param) {
        final long gfn = v.translate(gva(page), write);
        if (!write) return;
        final int pid = v.process.pid;
        if (content == TOUCH) {
            vm.write(pid, page, gfn, Patterns.touch(pid, page));
        } else {
            vm.write(pid, page, gfn, content == 0 ? HostMemory.ZERO_CONTENT : Patterns.fill(content, param, pid, page, 0));
            v.stats[Stat.DTLB_HITS] += Paging.ENTRIES - 1;           // the other 511 qwords hit the DTLB
        }
    }

    @Override
    public void checkWholeLargePages(long first, long end, String what) {
        vm.guest.checkWholeLargePages(vm.guest.running, gva(first), gva(end), what);
    }

    @Override
    public void unmap(long page) {
        vm.guest.unmap(v, v.process, gva(page));
    }

    @Override
    public void remap(long page) {
        vm.guest.remap(v, v.process, gva(page));
    }

    @Override
    public void free(long page) {
        vm.guest.free(v, v.process, gva(page));
    }

    @Override
    public void afterFree() {
        vm.guest.requestFlushAfterFree();
    }

    @Override
    public void demand(boolean on) {
        vm.guest.demand = on;
    }

    @Override
    public void largePages(boolean on) {
        vm.guest.largePages = on;
    }

    @Override
    public void processes(int count) {
        vm.guest.setProcesses(v, count);
    }

    @Override
    public void switchProcess(boolean pcid) {
        vm.guest.switchProcess(v, pcid);
    }

    @Override
    public long balloonOpBase() {
        return vm.guest.balloonPages();
    }

    /** The driver moves the balloon there at once; its time is a Linux guest's pace, 0 for the micro-guest. */
    @Override
    public long balloonTo(Op.BalloonAction action, long numPages) {
        long nanos = vm.guest.balloonTo(v, numPages);
        sleptNanos += nanos;
        return nanos;
    }

    @Override
    public void sleep(long nanos) {
        vm.host.advance(nanos);
        sleptNanos += nanos;
    }

    @Override
    public void verify() {
        vm.verify();
    }
}
