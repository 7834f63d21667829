package org.memvirt.qemu;

/**
 * A byte channel between the host and the guest whose host side is a Unix socket QEMU listens on
 * ({@code -chardev socket,server=on,wait=off}); the host connects to {@link QemuProcess#channelSocket(String)}.
 * In the guest it is either a virtio-serial port named {@code name} (/sys/class/virtio-ports/vport*&#47;name, needs
 * the virtio_console driver) or an extra 16550 serial port ({@code -device isa-serial}: ttyS1 after the console).
 *
 * @param name the channel's name: the socket's file name and the virtio-serial port's name
 * @param kind how the guest sees it
 */
public record AgentChannel(String name, Kind kind) {
    /** How the guest sees the channel. */
    public enum Kind { VIRTIO_SERIAL, ISA_SERIAL }

    public AgentChannel {
        QemuCommand.checkId("channel name", name);
    }

    String chardevId() {
        return "memvirt-ch-" + name;
    }
}
