package org.memvirt.qemu;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArg;
import org.memvirt.image.BootArgs;
import org.memvirt.image.GuestImage;
import org.memvirt.qemu.agent.AgentPort;
import org.memvirt.qemu.agent.AgentSession;

/**
 * A guest the qemu engine started: QEMU, the session with memvirt's agent (null where the guest does not run it), the
 * guest-RAM mapping in QEMU's address space, the time from QEMU's start to the agent's ready message, and the
 * accelerator it ran with. Under KVM a guest that does not boot (QEMU's {@code internal-error} state, as a stock
 * kernel meets on a host whose KVM emulates guest CPL0, or a death before the agent is ready) is booted again under
 * TCG, the note says why, and the verdict is kept until the host reboots ({@link KvmLinuxVerdict}), so that later
 * boots go to TCG at once. Closing says goodbye to the agent (the guest powers off), then stops QEMU and removes
 * its files, on every path.
 */
final class BootedGuest implements AutoCloseable {
    /** TCG on a loaded 2-core host: boots to the agent took 3-31 s (docs/PERFORMANCE.md). */
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    /**
     * How long a boot under KVM may take to reach the agent before the guest is taken to have failed there: memvirt's
     * guest reaches it in about 3 s under TCG on these 2-core machines (docs/qemu-engine.md), and a KVM that runs the
     * guest natively is faster still; a KVM that emulates guest CPL0 (kvm_pvm) was still booting after 3 minutes and
     * then stopped with an emulation failure. 45 s leaves a native KVM on a loaded host room, and costs a host whose
     * KVM cannot boot Linux 45 s once (KvmLinuxVerdict remembers it).
     */
    static final Duration KVM_READY_TIMEOUT = Duration.ofSeconds(45);
    /** QEMU's run states that end a boot under KVM at once (qapi/run-state.json RunState). */
    static final Set<String> DEAD_STATES = Set.of("internal-error", "guest-panicked", "shutdown");
    private static final Duration STATUS_POLL = Duration.ofMillis(500);
    /** Options that give the guest a network or drop QEMU's default NIC (qemu-options.hx). */
    private static final Set<String> NETWORK_OPTIONS = Set.of("nic", "net", "netdev", "nodefaults");

    final QemuProcess qemu;
    final AgentSession agent;
    final long bootNanos;
    final GuestRamMapping.Mapping ram;
    final List<String> notes;

    private BootedGuest(QemuProcess qemu, AgentSession agent, long bootNanos, GuestRamMapping.Mapping ram,
            List<String> notes) {
        this.qemu = qemu;
        this.agent = agent;
        this.bootNanos = bootNanos;
        this.ram = ram;
        this.notes = List.copyOf(notes);
    }

    /** Starts the guest {@code plan} describes ({@code image}: memvirt's, null where the QEMU line boots its own). */
    static BootedGuest boot(MachineConfig machine, GuestPlan plan, GuestImage image) {
        return boot(machine, plan, image, null);
    }

    /** {@link #boot(MachineConfig, GuestPlan, GuestImage)} with QEMU run through {@code inside} (a memory cgroup's). */
    static BootedGuest boot(MachineConfig machine, GuestPlan plan, GuestImage image, UnaryOperator<List<String>> inside) {
        // every guest the engine boots is Linux (memvirt's kernel, or the user's): one that failed under this host's
        // KVM since it booted sends the rest to TCG, the agent-less ones too (they give no sign of a failed boot)
        AccelChoice accel = AccelChoice.forLinuxGuest();
        if (!accel.accel().equals(AccelChoice.KVM) || !plan.agent()) return start(machine, plan, image, accel, List.of(), inside);
        try {
            return start(machine, plan, image, accel, List.of(), inside);
        } catch (QemuException | org.memvirt.qemu.agent.AgentException e) {
            String why = "a Linux guest did not boot under this host's KVM (" + e.getMessage() + ")";
            KvmLinuxVerdict.record(why);
            return start(machine, plan, image, AccelChoice.given(AccelChoice.TCG, why),
                    List.of("booted again under TCG: " + why), inside);
        }
    }

    private static BootedGuest start(MachineConfig machine, GuestPlan plan, GuestImage image, AccelChoice accel,
            List<String> earlier, UnaryOperator<List<String>> inside) {
        QemuLaunch launch = launch(machine, plan, image, accel);
        if (inside != null) launch = launch.inside(inside);
        long t0 = System.nanoTime();
        QemuProcess qemu = QemuProcess.start(launch);
        try {
            AgentSession agent = null;
            if (plan.agent()) {
                try (KvmBootWatch watch = accel.accel().equals(AccelChoice.KVM) ? new KvmBootWatch(qemu) : null) {
                    boolean kvm = accel.accel().equals(AccelChoice.KVM);
                    agent = AgentSession.open(qemu, kvm ? KVM_READY_TIMEOUT : READY_TIMEOUT);
                }
            }
            long boot = System.nanoTime() - t0;
            GuestRamMapping.Mapping ram = GuestRamMapping.locate(qemu.pid(), machine.layout().ramSize());
            List<String> notes = new ArrayList<>(earlier);
            notes.add(accel.reason());
            notes.addAll(qemu.command().notes());
            if (qemu.command().ramNote() != null) notes.add(qemu.command().ramNote());
            return new BootedGuest(qemu, agent, boot, ram, notes);
        } catch (RuntimeException e) {
            qemu.close();
            throw e;
        }
    }

    /** The user's line, plus for memvirt's image its kernel, boot arguments, console log and agent port. */
    static QemuLaunch launch(MachineConfig machine, GuestPlan plan, GuestImage image, AccelChoice accel) {
        QemuLaunch launch = QemuLaunch.of(machine).withAccel(accel);
        if (plan.balloon() != null) launch = launch.withBalloon(plan.balloon());
        if (plan.ownLine()) return launch;
        boolean tcgMicrovm = machine.layout().machine().equals("microvm") && accel.accel().equals(AccelChoice.TCG);
        BootArgs args = tcgMicrovm ? BootArgs.microvmUnderTcg(Path.of("/proc/cpuinfo")) : BootArgs.standard();
        launch = launch.withKernel(image.kernel(), image.initrd(), args.commandLine()).withConsoleLog();
        if (plan.agent()) launch = launch.withChannel(AgentPort.channel());
        if (!has(machine, Set.of("no-reboot"))) {
            launch = launch.withExtra(List.of("-no-reboot"), "a guest kernel panic (panic=-1) ends QEMU instead of"
                    + " rebooting the guest");
        }
        if (!has(machine, NETWORK_OPTIONS)) {
            launch = launch.withExtra(List.of("-nic", "none"), "memvirt's guest uses no network (and QEMU loads no NIC"
                    + " option ROM)");
        }
        return launch;
    }

    private static boolean has(MachineConfig machine, Set<String> options) {
        for (QemuArg a : machine.qemuArgs()) if (options.contains(a.option())) return true;
        return false;
    }

    /** The accelerator QEMU runs with. */
    String accel() {
        return qemu.accel().accel();
    }

    @Override
    public void close() {
        try {
            if (agent != null) agent.close();
        } finally {
            qemu.close();
        }
    }

    /**
     * While the agent is not ready yet under KVM: polls {@code query-status} and stops QEMU when the guest reached a
     * state it does not leave by itself (KVM's emulation failure is {@code internal-error}: QEMU keeps running with
     * the vCPU stopped), so the boot fails at once with QEMU's own message instead of waiting for the timeout.
     */
    private static final class KvmBootWatch implements AutoCloseable {
        private final Thread thread;
        private volatile boolean done;

        KvmBootWatch(QemuProcess qemu) {
            thread = Thread.ofPlatform().daemon().name("memvirt-kvm-boot-watch").start(() -> {
                while (!done && qemu.alive()) {
                    try {
                        if (DEAD_STATES.contains(qemu.qmp().status().status())) {
                            qemu.close();
                            return;
                        }
                        Thread.sleep(STATUS_POLL);
                    } catch (QemuException | InterruptedException e) {
                        return;
                    }
                }
            });
        }

        @Override
        public void close() {
            done = true;
            thread.interrupt();
        }
    }
}
