package org.memvirt.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What only a real Linux guest takes (the qemu engine; the others refuse anything but {@link #DEFAULT}, naming the
 * option): the user's own kernel and initramfs, the virtio-balloon device's features, and how long to go on measuring
 * after the workload (a guest that runs its own work).
 *
 * @param kernel {@code --kernel}: the guest's kernel instead of memvirt's image's, or null
 * @param initrd {@code --initrd}: the guest's initramfs instead of memvirt's (then no agent runs), or null
 * @param freePageReporting {@code --balloon free-page-reporting=on}: the guest hands freed pages back to the host by
 *        itself (virtio 1.2 §5.5.6.7, VIRTIO_BALLOON_F_FREE_PAGE_REPORTING)
 * @param deflateOnOom {@code --balloon deflate-on-oom=on}: the guest takes ballooned pages back before its OOM killer
 *        runs (virtio 1.2 §5.5.6.1, VIRTIO_BALLOON_F_DEFLATE_ON_OOM)
 * @param duration {@code --duration}: after the workload, go on sampling the guest for this long; null: stop after
 *        the workload
 */
public record GuestOptions(Path kernel, Path initrd, boolean freePageReporting, boolean deflateOnOom,
        Duration duration) {
    public static final GuestOptions DEFAULT = new GuestOptions(null, null, false, false, null);

    /** Whether nothing was asked for: what an engine without a real guest accepts. */
    public boolean isDefault() {
        return equals(DEFAULT);
    }

    /** The options given, as the command line spells them ({@code --kernel FILE}, {@code --balloon deflate-on-oom=on}). */
    public List<String> given() {
        List<String> out = new ArrayList<>();
        if (kernel != null) out.add("--kernel " + kernel);
        if (initrd != null) out.add("--initrd " + initrd);
        if (freePageReporting) out.add("--balloon free-page-reporting=on");
        if (deflateOnOom) out.add("--balloon deflate-on-oom=on");
        if (duration != null) out.add("--duration " + duration.toMillis() / 1000.0 + "s");
        return out;
    }

    /**
     * Refuses every option given, for an engine without a real guest: a usage error naming the first one, e.g.
     * {@code --kernel FILE: the sim engine has no Linux guest to boot it (--engine qemu boots one)}.
     */
    public void refuseFor(EngineKind engine) {
        if (isDefault()) return;
        throw EngineException.usage(given().getFirst() + ": " + engine.description() + " has no Linux guest for it"
                + " (--engine qemu boots one)");
    }
}
