package org.memvirt.qemu.agent;

import org.memvirt.qemu.AgentChannel;

/**
 * The agent's channel: a virtio-console port named {@value #NAME} (the agent finds it by that name under
 * /sys/class/virtio-ports), whose host side is the Unix socket QEMU listens on
 * ({@link org.memvirt.qemu.QemuProcess#channelSocket}). Kept apart from the serial console, which stays a log for
 * humans (and where memvirt looks for "Kernel panic").
 */
public final class AgentPort {
    /** The port's name (QEMU virtserialport name=; guest/agent/main.c PORT_NAME). */
    public static final String NAME = "org.memvirt.agent";

    /** The channel to add to a launch ({@code QemuLaunch.withChannel}). */
    public static AgentChannel channel() {
        return new AgentChannel(NAME, AgentChannel.Kind.VIRTIO_SERIAL);
    }

    private AgentPort() {}
}
