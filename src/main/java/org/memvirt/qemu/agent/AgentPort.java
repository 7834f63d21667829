package org.memvirt.qemu.agent;

import java.nio.file.Path;
import java.util.List;

/**
 * The agent's channel as QEMU provides it: a virtio-console port named {@value #NAME} (the agent finds it by that name
 * under /sys/class/virtio-ports) whose host side is a Unix socket QEMU listens on. Kept apart from the serial
 * console, which stays a human's log (and where memvirt looks for "Kernel panic").
 */
public final class AgentPort {
    /** The port's name (QEMU virtserialport name=; guest/agent/main.c PORT_NAME). */
    public static final String NAME = "org.memvirt.agent";
    static final String CHARDEV = "memvirt-agent";

    /**
     * QEMU options adding the port: a virtio-serial controller ({@code virtio-serial-device} on virtio-mmio for
     * {@code -M microvm}, {@code virtio-serial-pci} elsewhere), the port, and its socket chardev (server, no wait: QEMU
     * starts at once and memvirt connects when the socket appears).
     */
    public static List<String> qemuArgs(Path socket, boolean mmio) {
        return List.of(
                "-chardev", "socket,id=" + CHARDEV + ",path=" + socket.toString().replace(",", ",,") + ",server=on,wait=off",   // QEMU option syntax doubles commas
                "-device", mmio ? "virtio-serial-device" : "virtio-serial-pci",
                "-device", "virtserialport,chardev=" + CHARDEV + ",name=" + NAME);
    }

    private AgentPort() {}
}
