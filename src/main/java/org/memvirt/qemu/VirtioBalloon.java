package org.memvirt.qemu;

import java.util.List;

/**
 * The virtio-balloon device memvirt adds to a guest (hw/virtio/virtio-balloon.c): {@code free-page-reporting} lets
 * the guest hand freed pages back on its own (VIRTIO_BALLOON_F_REPORTING), {@code deflate-on-oom} lets it take
 * ballooned pages back under memory pressure (VIRTIO_BALLOON_F_DEFLATE_ON_OOM). Its QOM path is
 * {@code /machine/peripheral/ID} ({@link QmpCommands#guestStats}).
 *
 * @param id the device id
 * @param freePageReporting {@code free-page-reporting=on}
 * @param deflateOnOom {@code deflate-on-oom=on}
 */
public record VirtioBalloon(String id, boolean freePageReporting, boolean deflateOnOom) {
    public static final String DEFAULT_ID = "memvirt-balloon";

    public VirtioBalloon {
        QemuCommand.checkId("balloon id", id);
    }

    /** {@code -device virtio-balloon-pci,...}, or on microvm (no PCI) the virtio-mmio {@code virtio-balloon-device}. */
    List<String> args(String machineFamily) {
        String driver = machineFamily.equals("microvm") ? "virtio-balloon-device" : "virtio-balloon-pci";
        return List.of("-device", driver + ",id=" + id + ",free-page-reporting=" + onOff(freePageReporting)
                + ",deflate-on-oom=" + onOff(deflateOnOom));
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }
}
