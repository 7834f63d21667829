package org.memvirt.qemu;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.MachineType;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.QemuArg;

/**
 * The whole command line of one QEMU: the user's arguments verbatim and in order (less {@code -daemonize} and the
 * accelerator options, which memvirt owns), then what memvirt adds: the accelerator, {@code -display none} unless the
 * user chose a display, the QMP socket, kernel, initrd and command line, a {@code reserve=off} RAM backend where the
 * kernel would not commit the RAM ({@link RamCommit}), the balloon, the console log and the host-guest channels. Pure:
 * nothing is started or created here.
 *
 * @param argv the program and its arguments
 * @param notes what memvirt changed in the user's line and why, one line each
 * @param qmpSocket where QEMU listens for QMP
 * @param channelSockets each channel's socket by channel name
 * @param consoleLog the console log file, or null
 * @param ramNote why guest RAM has a reserve=off backend, or null where the user's backend is used as given
 */
public record QemuCommand(List<String> argv, List<String> notes, Path qmpSocket, Map<String, Path> channelSockets,
        Path consoleLog, String ramNote) {
    /** Backend id of the reserve=off RAM memvirt adds. */
    public static final String RAM_BACKEND_ID = "memvirt-ram";
    static final String SERIAL_BUS_ID = "memvirt-vser";
    /** sun_path holds 108 bytes with the terminating NUL (linux include/uapi/linux/un.h UNIX_PATH_MAX). */
    static final int MAX_SOCKET_PATH = 107;
    /** QEMU's id_wellformed (util/id.c): a letter, then letters, digits, '-', '.', '_'. */
    private static final Pattern ID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}");
    /** Options that choose a display (qemu-options.hx); without one QEMU 7.2 would open VNC on :0 where no GUI is built. */
    private static final Set<String> DISPLAY_OPTIONS = Set.of("display", "nographic", "vnc", "spice", "full-screen");

    public QemuCommand {
        argv = List.copyOf(argv);
        notes = List.copyOf(notes);
        channelSockets = Map.copyOf(channelSockets);
    }

    /** The command line for {@code launch} with {@code accel}, its sockets and files under {@code dir}. */
    static QemuCommand build(Path binary, QemuLaunch launch, AccelChoice accel, RamCommit commit, Path dir) {
        MachineConfig machine = launch.machine();
        String family = machine.layout().machine();
        List<String> argv = new ArrayList<>(List.of(binary.toString()));
        List<String> notes = new ArrayList<>();
        boolean userAccel = false, userDisplay = false;
        for (QemuArg arg : machine.qemuArgs()) {
            switch (arg.option()) {
                case "daemonize" -> notes.add(arg.location() + " dropped: memvirt keeps QEMU in the foreground to "
                        + "stop it");
                case "enable-kvm", "accel" -> notes.add(arg.location() + " dropped: memvirt chooses the accelerator ("
                        + accel.reason() + ")");
                default -> {
                    if (arg.setsMachineProperty("accel")) userAccel = true;
                    if (DISPLAY_OPTIONS.contains(arg.option())) userDisplay = true;
                    argv.addAll(arg.words());
                }
            }
        }
        for (QemuLaunch.Extra extra : launch.extras()) {
            argv.addAll(extra.words());
            notes.add(String.join(" ", extra.words()) + " added: " + extra.note());
        }
        if (userAccel) notes.add("-machine accel= kept: QEMU picks the accelerator from it, not memvirt");
        else argv.addAll(List.of("-accel", accel.accel()));
        if (!userDisplay) argv.addAll(List.of("-display", "none"));
        Path qmp = socket(dir, "qmp");
        argv.addAll(List.of("-qmp", "unix:" + qmp + ",server=on,wait=off"));
        if (launch.kernel() != null) argv.addAll(List.of("-kernel", launch.kernel().toString()));
        if (launch.initrd() != null) argv.addAll(List.of("-initrd", launch.initrd().toString()));
        if (launch.append() != null) argv.addAll(List.of("-append", launch.append()));
        String ramNote = ramBackend(machine, commit, argv, notes);
        if (launch.balloon() != null) argv.addAll(launch.balloon().args(family));
        Path console = null;
        if (launch.consoleLog()) {
            console = dir.resolve("console.log");
            argv.addAll(List.of("-chardev", "file,id=memvirt-console,path=" + console, "-serial", "chardev:memvirt-console"));
        }
        Map<String, Path> sockets = channels(launch.channels(), family, dir, argv);
        return new QemuCommand(argv, notes, qmp, sockets, console, ramNote);
    }

    /** Adds a reserve=off backend where the kernel would refuse to commit the default backend's RAM. */
    private static String ramBackend(MachineConfig machine, RamCommit commit, List<String> argv, List<String> notes) {
        if (commit.fits()) return null;
        MemoryBackend b = machine.backend();
        boolean defaultRam = b != null && b.id().equals(MachineType.lookup(machine.layout().machine()).defaultRamId())
                && b.kind().equals("memory-backend-ram") && !b.prealloc();
        if (!defaultRam) {
            notes.add("guest RAM kept as the command line gives it, though the kernel may refuse to commit it ("
                    + commit.reason() + ")");
            return null;
        }
        argv.addAll(List.of("-object", "memory-backend-ram,id=" + RAM_BACKEND_ID + ",size="
                + Long.toUnsignedString(machine.layout().ramSize()) + ",reserve=off", "-machine",
                "memory-backend=" + RAM_BACKEND_ID));
        return "guest RAM on memory-backend-ram with reserve=off (MAP_NORESERVE): " + commit.reason();
    }

    private static Map<String, Path> channels(List<AgentChannel> channels, String family, Path dir, List<String> argv) {
        Map<String, Path> sockets = new LinkedHashMap<>();
        boolean serialBus = false;
        for (AgentChannel c : channels) {
            if (sockets.containsKey(c.name())) throw new QemuException("channel '" + c.name() + "' given twice");
            Path socket = socket(dir, c.name());
            sockets.put(c.name(), socket);
            argv.addAll(List.of("-chardev", "socket,id=" + c.chardevId() + ",path=" + socket + ",server=on,wait=off"));
            switch (c.kind()) {
                case VIRTIO_SERIAL -> {
                    if (!serialBus) {
                        String driver = family.equals("microvm") ? "virtio-serial-device" : "virtio-serial-pci";
                        argv.addAll(List.of("-device", driver + ",id=" + SERIAL_BUS_ID));
                        serialBus = true;
                    }
                    argv.addAll(List.of("-device", "virtserialport,bus=" + SERIAL_BUS_ID + ".0,chardev="
                            + c.chardevId() + ",name=" + c.name()));
                }
                case ISA_SERIAL -> argv.addAll(List.of("-device", "isa-serial,chardev=" + c.chardevId()));
            }
        }
        return sockets;
    }

    private static Path socket(Path dir, String name) {
        Path p = dir.resolve(name + ".sock");
        int length = p.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_SOCKET_PATH) {
            throw new QemuException("socket path " + p + " is " + length + " bytes, more than a Unix socket takes ("
                    + MAX_SOCKET_PATH + "); set TMPDIR to a shorter directory");
        }
        return p;
    }

    /** Refuses an id QEMU would refuse, before anything starts. */
    static void checkId(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new QemuException(what + " '" + id + "': use a letter, then letters, digits, '-', '.', '_' (at "
                    + "most 64)");
        }
    }
}
