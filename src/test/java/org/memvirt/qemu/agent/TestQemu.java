package org.memvirt.qemu.agent;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.memvirt.config.QemuArgs;
import org.memvirt.qemu.AccelChoice;
import org.memvirt.qemu.QemuBinary;
import org.memvirt.qemu.QemuLaunch;
import org.memvirt.qemu.QemuProcess;
import org.memvirt.qemu.VirtioBalloon;
import org.memvirt.image.BootArgs;
import org.memvirt.image.GuestImage;

/**
 * One guest of memvirt's image for tests and the boot benchmark, started the way the qemu engine will start it:
 * {@link QemuProcess} with the user-style line {@code -M MACHINE -m SIZE -smp 1 -nic none -no-reboot}, the image's
 * kernel, initrd and boot arguments, a balloon, the agent's port and a console log, under TCG (a stock Linux kernel is
 * not expected to boot under every KVM these tests meet, e.g. kvm_pvm's emulated CPL0). Closing says goodbye to the
 * agent (the guest powers off) and then stops QEMU and removes its files.
 */
public final class TestQemu implements AutoCloseable {
    static final Duration READY_TIMEOUT = Duration.ofMinutes(3);   // TCG on a loaded 2-core host: boots took 3-31 s

    public final QemuProcess qemu;
    public final AgentSession session;
    public final long readyMillis;                                // QEMU start to the agent's ready message

    private TestQemu(QemuProcess qemu, AgentSession session, long readyMillis) {
        this.qemu = qemu;
        this.session = session;
        this.readyMillis = readyMillis;
    }

    /** Why no guest can be booted here (QEMU missing or too old), or empty. */
    public static Optional<String> whyNot() {
        return Optional.ofNullable(QemuBinary.unusableReason());
    }

    /** Boots {@code image} on {@code machine} (microvm or pc) with {@code memory} of RAM and one vCPU under TCG. */
    public static TestQemu boot(GuestImage image, String machine, String memory) {
        boolean microvm = machine.equals("microvm");
        BootArgs args = microvm ? BootArgs.microvmUnderTcg(java.nio.file.Path.of("/proc/cpuinfo")) : BootArgs.standard();
        QemuLaunch launch = QemuLaunch.of(QemuArgs.parse(List.of("-M", machine, "-m", memory, "-smp", "1", "-nic", "none",
                        "-no-reboot")))
                .withKernel(image.kernel(), image.initrd(), args.commandLine())
                .withBalloon(new VirtioBalloon(VirtioBalloon.DEFAULT_ID, false, false))
                .withChannel(AgentPort.channel())
                .withConsoleLog()
                .withAccel(AccelChoice.given(AccelChoice.TCG, "a stock Linux guest in tests"));
        long start = System.nanoTime();
        QemuProcess qemu = QemuProcess.start(launch);
        try {
            AgentSession session = AgentSession.open(qemu, READY_TIMEOUT);
            return new TestQemu(qemu, session, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            qemu.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } finally {
            qemu.close();
        }
    }
}
