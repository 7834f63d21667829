package org.memvirt.image;

import java.nio.file.Path;

/**
 * A kernel and an initramfs to boot with QEMU's {@code -kernel} and {@code -initrd}.
 *
 * @param origin {@code memvirt} (built from Debian packages and this build's agent), {@code user} (both files given),
 *               or {@code user kernel} / {@code user initrd} (one given, the other memvirt's)
 * @param manifest what memvirt's part was built from; null when both files are the user's
 * @param cached true when memvirt's part came from the cache rather than a build just now
 * @param buildMillis the time it took to find or build the image
 * @param note a line worth telling the user (an offline fallback), or empty
 */
public record GuestImage(Path kernel, Path initrd, String origin, ImageManifest manifest, boolean cached, long buildMillis,
        String note) {
    /** True when the initramfs is memvirt's, so its /init runs memvirt's agent. */
    public boolean runsAgent() {
        return origin.equals("memvirt") || origin.equals("user kernel");
    }
}
