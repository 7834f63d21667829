package org.memvirt.kvm;

import static org.memvirt.kvm.GuestLayout.*;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.RamRegion;

/**
 * A booted micro-VM: guest RAM, the VM, one platform thread per vCPU, the guest runtime loaded and running at CPL3,
 * waiting for ops in its mailboxes. Owns every native resource of the VM and releases them in reverse order.
 */
final class KvmMachine implements AutoCloseable {
    private static final long PTE_USER = 0x7;          // present, writable, user (SDM Vol 3A Table 4-19)
    private static final long PDE_2M_USER = 0x87;      // ... and PS: a 2 MiB page (SDM Vol 3A Table 4-18)
    private static final long TWO_MIB = 2L << 20;
    private static final String RUNTIME = "/guest/runtime.bin";

    private final Kvm kvm;
    private final KvmVm vm;
    private final GuestRam ram;
    private final StatsReader vmStats;
    private final Vcpu[] vcpus;
    private long firstReadyNanos;

    /** One vCPU with its own platform thread (KVM_RUN blocks; never a virtual thread). */
    private static final class Vcpu {
        final ExecutorService thread;
        KvmVcpu kvm;
        StatsReader stats;
        volatile boolean stop;
        long userExits;

        Vcpu(int index) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vcpu-" + index);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Work run on a vCPU's own thread. */
    interface VcpuWork {
        void run(int cpu);
    }

    private KvmMachine(Kvm kvm, KvmVm vm, GuestRam ram, StatsReader vmStats, Vcpu[] vcpus) {
        this.kvm = kvm;
        this.vm = vm;
        this.ram = ram;
        this.vmStats = vmStats;
        this.vcpus = vcpus;
    }

    /** Creates the VM, maps guest RAM, loads the runtime and boots every vCPU to the runtime's CPL3 loop. */
    static KvmMachine boot(MachineConfig machine, long timeoutNanos) {
        int smp = machine.smp();
        if (smp < 1 || smp > MAX_VCPUS) throw new KvmException("the kvm engine runs 1 to " + MAX_VCPUS + " vCPUs, not " + smp);
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Kvm kvm = add(opened, Kvm.open());
            if (smp > kvm.maxVcpus()) throw new KvmException("-smp " + smp + " exceeds KVM_CAP_MAX_VCPUS " + kvm.maxVcpus());
            KvmVm vm = add(opened, kvm.createVm());
            GuestRam ram = add(opened, GuestRam.map(machine));
            ram.registerWith(vm);
            StatsReader vmStats = add(opened, vm.openStats());
            Vcpu[] vcpus = new Vcpu[smp];
            KvmMachine m = new KvmMachine(kvm, vm, ram, vmStats, vcpus);
            opened.clear();
            try {
                m.loadRuntime();
                m.startVcpus();
                m.bootVcpus(System.nanoTime() + timeoutNanos);
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

    private void loadRuntime() {
        byte[] image;
        try (InputStream in = KvmMachine.class.getResourceAsStream(RUNTIME)) {
            if (in == null) throw new KvmException("guest runtime " + RUNTIME + " missing from the class path (build with mvn)");
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new KvmException("cannot read the guest runtime: " + e.getMessage());
        }
        if (IMAGE_BASE + image.length > IMAGE_LIMIT) throw new KvmException("guest runtime too large: " + image.length);
        RamRegion low = ram.regions().getFirst();
        if (low.gpa() != 0 || low.size() < RUNTIME_END + (1L << 20)) {
            throw new KvmException("the kvm engine needs at least 3 MiB of RAM below 4 GiB");
        }
        MemorySegment.copy(MemorySegment.ofArray(image), 0, ram.mapping(), IMAGE_BASE, image.length);
        writeIdentityMap();
        writeSharedState();
    }

    /** The boot loader's part: GVA == GPA for all guest-physical space up to the end of RAM, 2 MiB pages, user. */
    private void writeIdentityMap() {
        long bigPages = (ram.gpaEnd() + TWO_MIB - 1) / TWO_MIB;
        if (bigPages > IDMAP_PDS * 512) throw new KvmException("the kvm engine maps guest-physical space up to 256 GiB");
        ram.writeLong(PML4_PROC0, IDMAP_PDPT | PTE_USER);
        long pds = (bigPages + 511) / 512;
        for (long i = 0; i < pds; i++) ram.writeLong(IDMAP_PDPT + 8 * i, (IDMAP_PD + 4096 * i) | PTE_USER);
        MemorySegment m = ram.mapping();
        for (long j = 0; j < bigPages; j++) m.set(java.lang.foreign.ValueLayout.JAVA_LONG, IDMAP_PD + 8 * j, (j * TWO_MIB) | PDE_2M_USER);
    }

    private void writeSharedState() {
        List<RamRegion> regions = ram.regions();
        RamRegion low = regions.getFirst();
        ram.writeLong(SHARED_BASE + SH_NREGIONS, regions.size());
        ram.writeLong(SHARED_BASE + SH_START0, RUNTIME_END);
        ram.writeLong(SHARED_BASE + SH_END0, low.end());
        if (regions.size() > 1) {
            ram.writeLong(SHARED_BASE + SH_START1, regions.get(1).gpa());
            ram.writeLong(SHARED_BASE + SH_END1, regions.get(1).end());
        }
        ram.writeLong(SHARED_BASE + SH_NEXT, RUNTIME_END);
        ram.writeLong(SHARED_BASE + SH_REGION_MAX, totalRam());
        ram.writeLong(SHARED_BASE + SH_NPROC, 1);
        ram.writeLong(SHARED_BASE + SH_CR3, PML4_PROC0);
        for (int cpu = 0; cpu < vcpus.length; cpu++) {
            ram.writeLong(mailbox(cpu) + MB_CR3, PML4_PROC0);
            ram.writeLong(mailbox(cpu) + MB_LOADED, PML4_PROC0);
        }
    }

    private void startVcpus() {
        for (int i = 0; i < vcpus.length; i++) {
            final int cpu = i;
            Vcpu v = new Vcpu(cpu);
            vcpus[cpu] = v;
            await(v.thread.submit(() -> {
                v.kvm = vm.createVcpu(cpu);
                v.kvm.bindThread();
                v.stats = v.kvm.openStats();
                v.kvm.setLongMode(PML4_PROC0, (int) KCODE_SEL, (int) KDATA_SEL);
                v.kvm.setEntry(IMAGE_BASE, kernelStackTop(cpu), cpu);
                return null;
            }), Long.MAX_VALUE, "boot");
        }
    }

    /** vCPU 0 first (it builds the IDT); then the others, each to its PORT_READY. */
    private void bootVcpus(long deadline) {
        long start = System.nanoTime();
        for (int cpu = 0; cpu < vcpus.length; cpu++) {
            int only = cpu;
            onVcpus(new int[] {only}, this::resume, deadline, "boot");
            if (cpu == 0) firstReadyNanos = System.nanoTime() - start;
        }
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

    long totalRam() {
        long sum = 0;
        for (RamRegion r : ram.regions()) sum += r.size();
        return sum;
    }

    // ---- running ----

    /**
     * Runs {@code work} on each listed vCPU's thread at once and waits for all, or for {@code deadline}
     * (System.nanoTime); a guest past its deadline is kicked out of KVM_RUN and reported as a {@link GuestFailure}.
     */
    void onVcpus(int[] cpus, VcpuWork work, long deadline, String opText) {
        List<Future<?>> futures = new ArrayList<>(cpus.length);
        for (int cpu : cpus) {
            futures.add(vcpus[cpu].thread.submit(() -> {
                work.run(cpu);
                return null;
            }));
        }
        RuntimeException first = null;
        for (Future<?> f : futures) {
            try {
                await(f, deadline, opText);
            } catch (TimedOut t) {
                stopAll(futures);
                throw timeoutDiagnosis(futures, opText);
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                    stopAll(futures);
                }
            }
        }
        if (first != null) throw first;
    }

    /** After a timeout: the stopped vCPU's own message (with its RIP), else a plain one. */
    private static GuestFailure timeoutDiagnosis(List<Future<?>> futures, String opText) {
        for (Future<?> f : futures) {
            try {
                await(f, System.nanoTime() + TimeUnit.SECONDS.toNanos(1), opText);
            } catch (GuestFailure g) {
                return g;
            } catch (RuntimeException e) {
                // not this one
            }
        }
        return new GuestFailure("stopped: the guest ran past --timeout, while running '" + opText + "'");
    }

    private void stopAll(List<Future<?>> futures) {
        for (Vcpu v : vcpus) v.stop = true;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < giveUp && futures.stream().anyMatch(f -> !f.isDone())) {
            for (Vcpu v : vcpus) if (v.kvm != null) v.kvm.kick();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void await(Future<?> f, long deadline, String opText) {
        try {
            long left = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - System.nanoTime();
            f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TimedOut(opText);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof GuestFailure g) throw new GuestFailure(g.getMessage() + ", while running '" + opText + "'");
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error err) throw err;
            throw new KvmException("vCPU thread failed: " + c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvmException("interrupted while running '" + opText + "'");
        }
    }

    /** Thrown by the coordinator when the deadline passes; the vCPU's own failure then carries the RIP. */
    static final class TimedOut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimedOut(String opText) {
            super(opText, null, false, false);
        }
    }

    /**
     * On vCPU {@code cpu}'s thread: resumes the guest until it OUTs PORT_DONE or PORT_READY. Every exit to user
     * space is counted; anything else stops the VM with a one-line diagnosis.
     */
    void resume(int cpu) {
        Vcpu v = vcpus[cpu];
        KvmVcpu k = v.kvm;
        for (;;) {
            if (v.stop) throw new GuestFailure("stopped: the guest ran past --timeout on vCPU " + cpu + " at RIP 0x" + Long.toHexString(k.rip()));
            int reason = k.run();
            if (reason == KvmAbi.EXIT_INTR) {
                k.clearKick();
                continue;
            }
            v.userExits++;
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
        for (Vcpu v : vcpus) {
            if (v == null) continue;
            v.thread.shutdownNow();
            try {
                v.thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(v.stats);
            closeQuietly(v.kvm);
        }
        closeQuietly(vmStats);
        closeQuietly(vm);
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
