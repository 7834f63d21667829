package org.memvirt.kvm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.memvirt.engine.Counter;
import org.memvirt.engine.Counters;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.ProcessMemory;
import org.memvirt.hostctl.KsmSession;
import org.memvirt.hostctl.KsmSettings;

/**
 * Several kvm-engine VMs in one process, as several QEMUs on one host but sharing one ksmd view: identical guests
 * merge across VMs. Every VM boots first, then the workloads run at once (one platform thread per VM); when all are
 * done, merging is let settle (with a KSM session) and each VM's memory is read from its guest RAM mapping.
 */
public final class KvmScenarioRunner {
    /**
     * One VM of a scenario.
     *
     * @param name the VM's name in the outcome
     * @param spec its machine and workload ({@code timeout} is ignored: the scenario's applies)
     * @param residentLimitBytes the VMM's resident limit for this VM (0: none), as {@link KvmOptions}
     */
    public record VmSpec(String name, RunSpec spec, long residentLimitBytes) {
        public VmSpec(String name, RunSpec spec) {
            this(name, spec, 0);
        }
    }

    /**
     * One VM's outcome.
     *
     * @param result the VM's run, as {@link KvmEngine#run} reports it, taken when its workload ended
     * @param residentBytes guest RAM resident at the end of the scenario (smaps Rss of the guest RAM mapping)
     * @param ksmBytes of which mapped to KSM pages (smaps "KSM:")
     * @param swappedBytes guest RAM in host swap (smaps Swap) plus in the VMM's swap file
     * @param balloonedBytes guest RAM in the VM's balloon
     */
    public record VmOutcome(String name, RunResult result, long residentBytes, long ksmBytes, long swappedBytes,
            long balloonedBytes) {}

    /**
     * The scenario's outcome.
     *
     * @param vms per VM, in the order given
     * @param ksm with a KSM session: the global sysfs counters' changes ({@code ksm_global_*}), this process's
     *        /proc/self/ksm_stat ({@code ksm_merging_pages}, {@code ksm_process_profit}, ...) and {@code ksm_settle_ms}
     */
    public record Outcome(List<VmOutcome> vms, Counters ksm) {}

    /** One VM's guest RAM at an instant, as {@link VmOutcome} reports it at the end. */
    public record Memory(long residentBytes, long ksmBytes, long swappedBytes, long balloonedBytes) {}

    /**
     * Told at each VM's op boundaries while the scenario runs, on that VM's thread: implementations must be
     * thread-safe and cheap. {@code memory} is every VM's guest RAM at the boundary (in the order given); {@code ksm}
     * the global KSM counters' changes so far (empty without a KSM session).
     */
    public interface Observer {
        Observer NONE = new Observer() {};

        /** VM {@code vm} (its index) starts its first op. */
        default void vmStarted(int vm) {}

        /** VM {@code vm} finished top-level op {@code index} ({@code text}) after {@code nanos} of wall time. */
        default void opDone(int vm, int index, String text, long nanos, List<Memory> memory, Counters ksm) {}
    }

    /**
     * Runs the VMs together. {@code ksm} null leaves the host's KSM as it is; otherwise ksmd runs with those settings
     * for the scenario and every changed sysfs value is restored before this returns.
     */
    public static Outcome run(List<VmSpec> vms, KsmSettings ksm, Duration timeout) {
        return run(vms, ksm, timeout, Observer.NONE);
    }

    /** {@link #run(List, KsmSettings, Duration)}, telling {@code observer} about every VM's op boundaries. */
    public static Outcome run(List<VmSpec> vms, KsmSettings ksm, Duration timeout, Observer observer) {
        if (vms.isEmpty()) throw new KvmException("a scenario needs at least one VM");
        for (VmSpec v : vms) KvmEngine.checkSupported(v.spec());
        long deadline = System.nanoTime() + timeout.toNanos();
        List<KvmMachine> machines = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(vms.size(), r -> {
            Thread t = new Thread(r, "vm");
            t.setDaemon(true);
            return t;
        });
        try (KsmSession session = ksm == null ? null : KsmSession.start(ksm)) {
            for (VmSpec v : vms) machines.add(KvmMachine.boot(v.spec().machine(), deadline, v.residentLimitBytes()));
            List<Future<RunResult>> runs = new ArrayList<>();
            for (int i = 0; i < vms.size(); i++) {
                KvmMachine m = machines.get(i);
                RunSpec spec = vms.get(i).spec();
                Boundaries b = new Boundaries(i, machines, session, observer);
                runs.add(threads.submit(() -> b.finish(KvmEngine.drive(m, spec, b, deadline, session))));
            }
            List<RunResult> results = new ArrayList<>();
            for (Future<RunResult> f : runs) results.add(await(f));
            Map<String, Long> ksmOut = new LinkedHashMap<>();
            if (session != null) {
                long waited = session.settle(Math.max(0, deadline - System.nanoTime()));
                ksmOut.putAll(session.globalDeltas());
                ProcessMemory.self().ksmStat().fields().forEach((name, v) -> {
                    if (Counter.find(name).isPresent()) ksmOut.put(name, v);             // a newer kernel's extras: not in the table
                });
                ksmOut.put(Counter.KSM_SETTLE_MS.key(), waited / 1_000_000);
            }
            List<VmOutcome> out = new ArrayList<>();
            for (int i = 0; i < vms.size(); i++) out.add(outcome(vms.get(i).name(), machines.get(i), results.get(i)));
            return new Outcome(out, new Counters(ksmOut));
        } finally {
            threads.shutdownNow();
            for (int i = machines.size() - 1; i >= 0; i--) machines.get(i).close();
        }
    }

    /** Turns one VM's step starts into op boundaries for the observer. */
    private static final class Boundaries implements RunListener {
        private final int vm;
        private final List<KvmMachine> machines;
        private final KsmSession session;
        private final Observer observer;
        private int current = -1;
        private String text = "";
        private long startedAt;

        Boundaries(int vm, List<KvmMachine> machines, KsmSession session, Observer observer) {
            this.vm = vm;
            this.machines = machines;
            this.session = session;
            this.observer = observer;
        }

        @Override
        public void stepStarted(int index, int total, String stepText) {
            if (current < 0) observer.vmStarted(vm);
            done();
            current = index;
            text = stepText;
            startedAt = System.nanoTime();
        }

        RunResult finish(RunResult r) {
            done();
            return r;
        }

        private void done() {
            if (current < 0 || observer == Observer.NONE) return;
            long nanos = System.nanoTime() - startedAt;
            List<Memory> memory = new ArrayList<>(machines.size());
            for (KvmMachine m : machines) memory.add(memoryOf(m));
            Counters ksm = new Counters(session == null ? Map.of() : session.globalDeltas());
            observer.opDone(vm, current, text, nanos, memory, ksm);
        }
    }

    private static Memory memoryOf(KvmMachine m) {
        ProcessMemory.Mapping smaps = KvmEngine.ramSmaps(m.ram());
        return new Memory(smaps.resident(), smaps.ksm(), smaps.swap() + m.vmmSwappedBytes(),
                m.shared(GuestLayout.SH_BALLOON) * 4096);
    }

    private static VmOutcome outcome(String name, KvmMachine m, RunResult r) {
        ProcessMemory.Mapping smaps = KvmEngine.ramSmaps(m.ram());
        return new VmOutcome(name, r, smaps.resident(), smaps.ksm(), smaps.swap() + m.vmmSwappedBytes(), m.shared(GuestLayout.SH_BALLOON) * 4096);
    }

    private static RunResult await(Future<RunResult> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new KvmException("VM thread failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KvmException("interrupted while running the scenario");
        }
    }

    private KvmScenarioRunner() {}
}
