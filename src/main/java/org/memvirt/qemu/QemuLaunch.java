package org.memvirt.qemu;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.config.MachineConfig;

/**
 * What to start: the user's QEMU command line (resolved in {@code machine}) and what memvirt adds to it.
 *
 * <pre>{@code
 * QemuLaunch launch = QemuLaunch.of(machine)
 *         .withKernel(vmlinuz, initrd, "console=ttyS0 quiet")
 *         .withBalloon(new VirtioBalloon(VirtioBalloon.DEFAULT_ID, true, false))
 *         .withChannel(new AgentChannel("org.memvirt.agent", AgentChannel.Kind.VIRTIO_SERIAL))
 *         .withConsoleLog();
 * }</pre>
 *
 * @param machine the user's command line and its memory configuration
 * @param kernel {@code -kernel}, or null
 * @param initrd {@code -initrd}, or null
 * @param append {@code -append}, or null
 * @param balloon the balloon device to add, or null
 * @param channels host-guest channels to add
 * @param consoleLog whether the first serial port goes to a log file in QEMU's private directory
 * @param accel the accelerator, or null for {@link AccelChoice#forThisHost()}
 * @param startTimeout how long QEMU may take to open its QMP socket
 * @param qmpTimeout how long one QMP command may take
 * @param runtimeParent where QEMU's private directory (sockets, logs) is made, or null for java.io.tmpdir
 * @param extras options memvirt adds after the user's line, each with the note that says why
 * @param inside what QEMU's command line is run through to be inside a memory cgroup from its first instruction
 *        ({@code org.memvirt.hostctl.HostLimits#command}), or null
 */
public record QemuLaunch(MachineConfig machine, Path kernel, Path initrd, String append, VirtioBalloon balloon,
        List<AgentChannel> channels, boolean consoleLog, AccelChoice accel, Duration startTimeout,
        Duration qmpTimeout, Path runtimeParent, List<Extra> extras,
        java.util.function.UnaryOperator<List<String>> inside) {
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_QMP_TIMEOUT = Duration.ofSeconds(10);

    public QemuLaunch {
        channels = List.copyOf(channels);
        extras = List.copyOf(extras);
    }

    /**
     * Options memvirt adds to the user's line ({@code -nic none} for a guest that needs no network).
     *
     * @param words the option's words
     * @param note why, as {@link QemuCommand#notes()} reports it
     */
    public record Extra(List<String> words, String note) {
        public Extra {
            words = List.copyOf(words);
        }
    }

    /** The user's line alone: nothing added but QMP, the accelerator and, where needed, a reserve=off backend. */
    public static QemuLaunch of(MachineConfig machine) {
        return new QemuLaunch(machine, null, null, null, null, List.of(), false, null, DEFAULT_START_TIMEOUT,
                DEFAULT_QMP_TIMEOUT, null, List.of(), null);
    }

    /** These options added after the user's line, with the note that says why. */
    public QemuLaunch withExtra(List<String> words, String note) {
        List<Extra> all = new ArrayList<>(extras);
        all.add(new Extra(words, note));
        return new QemuLaunch(machine, kernel, initrd, append, balloon, channels, consoleLog, accel, startTimeout,
                qmpTimeout, runtimeParent, all, inside);
    }

    public QemuLaunch withKernel(Path kernelImage, Path initramfs, String commandLine) {
        return new QemuLaunch(machine, kernelImage, initramfs, commandLine, balloon, channels, consoleLog, accel,
                startTimeout, qmpTimeout, runtimeParent, extras, inside);
    }

    public QemuLaunch withBalloon(VirtioBalloon device) {
        return new QemuLaunch(machine, kernel, initrd, append, device, channels, consoleLog, accel, startTimeout,
                qmpTimeout, runtimeParent, extras, inside);
    }

    public QemuLaunch withChannel(AgentChannel channel) {
        List<AgentChannel> all = new ArrayList<>(channels);
        all.add(channel);
        return new QemuLaunch(machine, kernel, initrd, append, balloon, all, consoleLog, accel, startTimeout, qmpTimeout,
                runtimeParent, extras, inside);
    }

    public QemuLaunch withConsoleLog() {
        return new QemuLaunch(machine, kernel, initrd, append, balloon, channels, true, accel, startTimeout, qmpTimeout,
                runtimeParent, extras, inside);
    }

    public QemuLaunch withAccel(AccelChoice choice) {
        return new QemuLaunch(machine, kernel, initrd, append, balloon, channels, consoleLog, choice, startTimeout,
                qmpTimeout, runtimeParent, extras, inside);
    }

    public QemuLaunch withTimeouts(Duration start, Duration qmp) {
        return new QemuLaunch(machine, kernel, initrd, append, balloon, channels, consoleLog, accel, start, qmp,
                runtimeParent, extras, inside);
    }

    public QemuLaunch withRuntimeParent(Path parent) {
        return new QemuLaunch(machine, kernel, initrd, append, balloon, channels, consoleLog, accel, startTimeout,
                qmpTimeout, parent, extras, inside);
    }

    /** QEMU's command line run through {@code wrap} (a memory cgroup's joining command) once it is built. */
    public QemuLaunch inside(java.util.function.UnaryOperator<List<String>> wrap) {
        return new QemuLaunch(machine, kernel, initrd, append, balloon, channels, consoleLog, accel, startTimeout,
                qmpTimeout, runtimeParent, extras, wrap);
    }
}
