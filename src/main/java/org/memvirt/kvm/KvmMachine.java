package org.memvirt.kvm;

import static org.memvirt.kvm.GuestLayout.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.memvirt.config.MachineConfig;

/**
 * A booted micro-VM: guest RAM, the VM, one platform thread per vCPU, the guest runtime loaded and running at CPL3,
 * waiting for ops in its mailboxes. Owns every native resource of the VM and releases them in reverse order.
 */
final class KvmMachine implements AutoCloseable {

    private final Kvm kvm;
    private final KvmVm vm;
    private final GuestRam ram;
    private final StatsReader vmStats;
    private final Vcpu[] vcpus;
    private final BalloonHost balloon;
    private final UffdSwap swap;   // null: no resident limit
    private long firstReadyNanos;
    private ScheduledFuture<?> watchdog;   // fires once, at the run's deadline (--timeout)

    /**
     * One vCPU. vCPU 0 runs on the caller's thread (no hand-off between the VMM and the guest, as in a C VMM); each
     * further vCPU has its own platform thread (KVM_RUN blocks; never a virtual thread).
     */
    private static final class Vcpu {
        final ExecutorService thread;
        KvmVcpu kvm;
        StatsReader stats;
        volatile boolean stop;
        volatile boolean running;
        long userExits;

        Vcpu(int index) {
            thread = index == 0 ? null : Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vcpu-" + index);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Stops VMs that pass their deadline; one daemon thread for every VM of the process, idle until then. */
    private static final class Watchdog {
        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kvm-watchdog");
            t.setDaemon(true);
            return t;
        });

        static {
            TIMER.setRemoveOnCancelPolicy(true);   // a cancelled VM's task leaves the queue at once
        }
    }

    /** Work run on a vCPU's own thread. */
    interface VcpuWork {
        void run(int cpu);
    }

    /** Every refusal that needs no /dev/kvm, made before the device is opened and before anything is mapped. */
    private static void checkConfig(MachineConfig machine, long residentLimit) {
        int smp = machine.smp();
        if (smp < 1 || smp > MAX_VCPUS) throw new KvmException("the kvm engine runs 1 to " + MAX_VCPUS + " vCPUs, not " + smp);
        GuestRam.check(machine);
        GuestBoot.check(machine.layout().ramRegions());
        if (residentLimit == 0) return;
        UffdSwap.checkLimit(residentLimit);
        var b = machine.backend();
        if (b != null && (b.share() || b.prealloc() || !b.kind().equals("memory-backend-ram") || Boolean.TRUE.equals(b.hugetlb()))) {
            throw new KvmException("--resident-limit needs private, lazily allocated guest RAM (memory-backend-ram, share=off, no prealloc)");
        }
    }

    private KvmMachine(Kvm kvm, KvmVm vm, GuestRam ram, StatsReader vmStats, Vcpu[] vcpus, UffdSwap swap) {
        this.swap = swap;
        this.kvm = kvm;
        this.vm = vm;
        this.ram = ram;
        this.vmStats = vmStats;
        this.vcpus = vcpus;
        this.balloon = new BalloonHost(ram, swap);
    }

    /** Creates the VM, maps guest RAM, loads the runtime and boots every vCPU to the runtime's CPL3 loop. */
    static KvmMachine boot(MachineConfig machine, long deadline) {
        return boot(machine, deadline, 0);
    }

    /** As {@link #boot(MachineConfig, long)}, with the VMM keeping at most {@code residentLimit} bytes resident (0: no limit). */
    static KvmMachine boot(MachineConfig machine, long deadline, long residentLimit) {
        checkConfig(machine, residentLimit);
        int smp = machine.smp();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Kvm kvm = add(opened, Kvm.open());
            if (smp > kvm.maxVcpus()) throw KvmException.host("-smp " + smp + " exceeds KVM_CAP_MAX_VCPUS " + kvm.maxVcpus());
            GuestRam ram = add(opened, GuestRam.map(machine));   // before the VM, so it is unmapped after the VM closes
            UffdSwap swap = residentLimit > 0 ? add(opened, UffdSwap.start(ram, residentLimit)) : null;
            KvmVm vm = add(opened, kvm.createVm());
            ram.registerWith(vm);
            StatsReader vmStats = add(opened, vm.openStats());
            Vcpu[] vcpus = new Vcpu[smp];
            KvmMachine m = new KvmMachine(kvm, vm, ram, vmStats, vcpus, swap);
            opened.clear();
            try {
                GuestBoot.load(ram, smp, GuestBoot.runtimeImage());
                m.startVcpus();
                m.watchdog = Watchdog.TIMER.schedule(m::stopAll, Math.max(0, deadline - System.nanoTime()),
                        TimeUnit.NANOSECONDS);
                m.bootVcpus();
                return m;
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) closeQuietly(opened.get(i));
            throw e;
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    private void startVcpus() {
        for (int i = 0; i < vcpus.length; i++) {
            final int cpu = i;
            Vcpu v = new Vcpu(cpu);
            vcpus[cpu] = v;
            Callable<Void> create = () -> {
                v.kvm = vm.createVcpu(cpu);
                v.stats = v.kvm.openStats();
                v.kvm.setLongMode(PML4_PROC0, (int) KCODE_SEL, (int) KDATA_SEL);
                v.kvm.setEntry(IMAGE_BASE, kernelStackTop(cpu), cpu);
                return null;
            };
            if (v.thread == null) {
                try {
                    create.call();
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new KvmException("vCPU " + cpu + ": " + e);
                }
            } else {
                await(v.thread.submit(create), "boot");
            }
        }
    }

    /** vCPU 0 first (it builds the IDT); then the others, each to its PORT_READY. */
    private void bootVcpus() {
        long start = System.nanoTime();
        for (int cpu = 0; cpu < vcpus.length; cpu++) {
            int only = cpu;
            onVcpus(new int[] {only}, this::resume, "boot");
            if (cpu == 0) firstReadyNanos = System.nanoTime() - start;
        }
    }

    /** Whether the vCPUs' CPUID has PCID, so the guest may set CR4.PCIDE. */
    boolean hasPcid() {
        return kvm.hasPcid();
    }

    /** Nanoseconds from the first KVM_RUN of vCPU 0 to its first OUT (the runtime's boot at CPL0). */
    long bootNanos() {
        return firstReadyNanos;
    }

    int vcpuCount() {
        return vcpus.length;
    }

    GuestRam ram() {
        return ram;
    }

    /** The VMM's swap counters (swap_out_pages, swap_in_pages, ...); empty without a resident limit. */
    java.util.Map<org.memvirt.engine.Counter, Long> swapCounters() {
        return swap == null ? java.util.Map.of() : swap.counters();
    }

    /** Guest RAM the VMM has in its own swap file. */
    long vmmSwappedBytes() {
        return swap == null ? 0 : swap.swappedBytes();
    }

    /** The VMM's side of the balloon device. */
    BalloonHost balloon() {
        return balloon;
    }

    long totalRam() {
        return GuestBoot.totalRam(ram.regions());
    }

    // ---- running ----

    /**
     * Runs {@code work} for each listed vCPU at once (vCPU 0 on this thread, the others on theirs) and waits for all.
     * When the run's deadline passes, the watchdog kicks every vCPU out of KVM_RUN and the op fails with a
     * {@link GuestFailure} naming the RIP; any failure stops the other vCPUs too.
     */
    void onVcpus(int[] cpus, VcpuWork work, String opText) {
        List<Future<?>> others = new ArrayList<>(cpus.length);
        boolean here = false;
        for (int cpu : cpus) {
            if (vcpus[cpu].thread == null) {
                here = true;
            } else {
                others.add(vcpus[cpu].thread.submit(() -> {
                    work.run(cpu);
                    return null;
                }));
            }
        }
        RuntimeException first = null;
        if (here) {
            try {
                work.run(0);
            } catch (RuntimeException e) {
                first = e;
                stopAll();
            }
        }
        for (Future<?> f : others) {
            try {
                await(f, opText);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                    stopAll();
                }
            }
        }
        if (first instanceof GuestFailure g) throw new GuestFailure(g.getMessage() + ", while running '" + opText + "'");
        if (first != null) throw first;
    }

    /** Stops every vCPU: sets its stop flag and kicks it until it has left KVM_RUN (at most 5 s). */
    private void stopAll() {
        for (Vcpu v : vcpus) v.stop = true;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - giveUp < 0) {
            boolean any = false;
            for (Vcpu v : vcpus) {
                if (v.running && v.kvm != null) {
                    any = true;
                    v.kvm.kick();
                }
            }
            if (!any) return;
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void await(Future<?> f, String opText) {
        try {
            f.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new KvmException("vCPU thread failed: " + c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvmException("interrupted while running '" + opText + "'");
        }
    }

    /**
     * On vCPU {@code cpu}'s thread: resumes the guest until it OUTs PORT_DONE or PORT_READY. Every exit to user
     * space is counted; anything else stops the VM with a one-line diagnosis.
     */
    void resume(int cpu) {
        Vcpu v = vcpus[cpu];
        KvmVcpu k = v.kvm;
        k.bindThread();
        v.running = true;
        try {
            runToReport(cpu, v, k);
        } finally {
            v.running = false;
        }
    }

    private void runToReport(int cpu, Vcpu v, KvmVcpu k) {
        for (;;) {
            if (v.stop) throw new GuestFailure("stopped: the guest ran past --timeout on vCPU " + cpu + " at RIP 0x" + Long.toHexString(k.rip()));
            int reason = k.run();
            if (reason == KvmAbi.EXIT_INTR) {
                k.clearKick();
                continue;
            }
            v.userExits++;
            if (reason == KvmAbi.EXIT_MMIO && BalloonHost.owns(k.mmioAddress())) {
                balloon.mmio(cpu, k, ram.readLong(mailbox(cpu) + MB_PID));
                continue;
            }
            if (reason == KvmAbi.EXIT_IO) {
                long port = k.ioPort();
                if (port == PORT_DONE || port == PORT_READY) return;
                if (port == PORT_FATAL) throw guestFatal(cpu);

            }
            VcpuExit exit = VcpuExit.decode(reason, k);
            throw new GuestFailure(VcpuExit.describe(exit) + " on vCPU " + cpu + " at RIP 0x" + Long.toHexString(k.rip()));
        }
    }

    private GuestFailure guestFatal(int cpu) {
        long mb = mailbox(cpu);
        long vector = ram.readLong(mb + MB_VECTOR), rip = ram.readLong(mb + MB_RIP), cr2 = ram.readLong(mb + MB_CR2);
        if (vector == VEC_OOM) {
            return new GuestFailure("guest out of memory: its frame allocator used all guest RAM (at GVA 0x"
                    + Long.toHexString(cr2) + ") on vCPU " + cpu);
        }
        return new GuestFailure("guest exception " + vector + " (error code 0x" + Long.toHexString(ram.readLong(mb + MB_ERROR))
                + (vector == 14 ? ", CR2 0x" + Long.toHexString(cr2) : "") + ", RFLAGS 0x" + Long.toHexString(ram.readLong(mb + MB_R1)) + ") on vCPU " + cpu + " at RIP 0x"
                + Long.toHexString(rip));
    }

    // ---- mailboxes and guest state ----

    void post(int cpu, long op, long a0, long a1, long a2, long a3) {
        long mb = mailbox(cpu);
        ram.writeLong(mb + MB_A0, a0);
        ram.writeLong(mb + MB_A1, a1);
        ram.writeLong(mb + MB_A2, a2);
        ram.writeLong(mb + MB_A3, a3);
        ram.writeLong(mb + MB_OP, op);
    }

    /** The process the next ops of {@code cpu} run in. */
    /** Asks vCPU {@code cpu} to flush its whole TLB before its next op (after a free elsewhere: no shootdown IPIs). */
    void requestTlbFlush(int cpu) {
        ram.writeLong(mailbox(cpu) + MB_FLUSH, 1);
    }

    void setProcess(int cpu, int pid) {
        long mb = mailbox(cpu);
        ram.writeLong(mb + MB_PID, pid);
        ram.writeLong(mb + MB_CR3, processCr3(pid));
    }

    long result(int cpu) {
        return ram.readLong(mailbox(cpu) + MB_R0);
    }

    long shared(long field) {
        return ram.readLong(SHARED_BASE + field);
    }

    void setShared(long field, long value) {
        ram.writeLong(SHARED_BASE + field, value);
    }

    long processCr3(int pid) {
        return ram.readLong(SHARED_BASE + SH_CR3 + 8L * pid);
    }

    long userExits(int cpu) {
        return vcpus[cpu].userExits;
    }

    // ---- statistics ----

    StatsReader vmStats() {
        return vmStats;
    }

    StatsReader vcpuStats(int cpu) {
        return vcpus[cpu].stats;
    }

    @Override
    public void close() {
        if (watchdog != null) watchdog.cancel(false);
        for (Vcpu v : vcpus) {
            if (v == null) continue;
            if (v.thread != null) {
                v.thread.shutdownNow();
                try {
                    v.thread.awaitTermination(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeQuietly(v.stats);
            closeQuietly(v.kvm);
        }
        closeQuietly(vmStats);
        closeQuietly(vm);
        closeQuietly(swap);
        closeQuietly(ram);
        closeQuietly(kvm);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            // closing never masks the error that made us close
        }
    }
}
