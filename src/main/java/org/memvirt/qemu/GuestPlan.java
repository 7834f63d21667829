package org.memvirt.qemu;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArg;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.GuestOptions;
import org.memvirt.engine.RunSpec;
import org.memvirt.workload.Op;
import org.memvirt.workload.Unrolled;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadUnits;

/**
 * What the qemu engine boots for one run, decided before anything starts: memvirt's image (Debian's kernel, busybox
 * and the agent; {@code --kernel} or {@code --initrd} may replace one of the two), or the guest the user's own QEMU
 * line boots ({@code -kernel}, a disk image, {@code -drive}, ...), which memvirt only measures. Also the balloon
 * device (memvirt's, or one the line already has) and what memvirt adds to the line for its own image.
 *
 * @param ownLine the user's QEMU line boots its own guest: memvirt adds no kernel, initrd, agent or console
 * @param kernel {@code --kernel}, or null
 * @param initrd {@code --initrd}, or null
 * @param agent memvirt's agent will run in the guest (memvirt's initramfs boots)
 * @param balloon the balloon device memvirt adds, or null where the line has its own
 * @param balloonId the id of the balloon device the guest has ({@code /machine/peripheral/ID} for its statistics), or
 *        null where the line's own device has no id
 * @param lineDescription how the line boots its guest ({@code -kernel vmlinuz}, {@code disk rhel7.img}), or null
 */
record GuestPlan(boolean ownLine, Path kernel, Path initrd, boolean agent, VirtioBalloon balloon, String balloonId,
        String lineDescription) {
    /** QEMU options that give the guest something to boot (qemu-options.hx): the line's guest is the user's. */
    static final Set<String> BOOT_SOURCES = Set.of("kernel", "hda", "hdb", "hdc", "hdd", "drive", "cdrom", "blockdev",
            "fda", "fdb", "pflash", "mtdblock", "sd");
    /** virtio-balloon's device models (hw/virtio/virtio-balloon-pci.c, virtio-balloon.c, virtio-ccw). */
    static final Set<String> BALLOON_DRIVERS = Set.of("virtio-balloon-pci", "virtio-balloon-pci-transitional",
            "virtio-balloon-pci-non-transitional", "virtio-balloon-device", "virtio-balloon-ccw", "virtio-balloon");

    /** The plan for {@code spec}; refuses what cannot work together, naming the option. */
    static GuestPlan of(RunSpec spec) {
        MachineConfig machine = spec.machine();
        GuestOptions g = spec.guest();
        String line = null;
        QemuArg userBalloon = null;
        for (QemuArg a : machine.qemuArgs()) {
            if (line == null && BOOT_SOURCES.contains(a.option())) {
                line = a.isDiskImage() ? "disk image " + a.value() : a.location();
            }
            if (a.option().equals("device") && BALLOON_DRIVERS.contains(a.property("driver", "driver"))) userBalloon = a;
        }
        if (line != null && (g.kernel() != null || g.initrd() != null)) {
            throw EngineException.usage((g.kernel() != null ? "--kernel" : "--initrd") + ": the QEMU line boots its own"
                    + " guest (" + line + "); give either that or --kernel/--initrd");
        }
        if (userBalloon != null && (g.freePageReporting() || g.deflateOnOom())) {
            throw EngineException.usage("--balloon: the QEMU line has its own balloon device (" + userBalloon.location()
                    + "); set free-page-reporting and deflate-on-oom there");
        }
        VirtioBalloon balloon = userBalloon != null ? null
                : new VirtioBalloon(VirtioBalloon.DEFAULT_ID, g.freePageReporting(), g.deflateOnOom());
        String balloonId = userBalloon != null ? userBalloon.property("driver", "id") : VirtioBalloon.DEFAULT_ID;
        boolean agent = line == null && g.initrd() == null;
        return new GuestPlan(line != null, g.kernel(), g.initrd(), agent, balloon, balloonId, line);
    }

    /**
     * Refuses the ops this guest cannot run, naming the op: without memvirt's agent only the host's ops run
     * ({@code balloon}, {@code sleep}); a balloon the guest cannot keep (QEMU's {@code balloon} needs a target of at
     * least one byte, hw/virtio/virtio-balloon.c qmp_balloon); and {@code switch ... pcid}'s meaning is Linux's.
     */
    void checkOps(Workload workload, long ramBytes) {
        long balloon = 0;
        for (Workload.Step step : workload.steps()) {
            for (Unrolled ops = new Unrolled(List.of(step.op())); ops.hasNext(); ) {
                Op op = ops.next();
                if (op instanceof Op.Balloon b) {
                    balloon = BalloonOp.targetBalloon(b, balloon);
                    if (balloon >= ramBytes) {
                        throw new EngineException("'" + step.text() + "': the balloon would hold all "
                                + WorkloadUnits.formatSize(ramBytes) + " of guest RAM; QEMU's balloon command leaves"
                                + " the guest at least one page");
                    }
                } else if (!agent && !(op instanceof Op.Sleep)) {
                    throw new EngineException("'" + step.text() + "': this guest does not run memvirt's agent ("
                            + withoutAgent() + "); only balloon and sleep ops run on it, from the host");
                }
            }
        }
    }

    /** Why no agent runs, for messages and notes. */
    String withoutAgent() {
        return ownLine ? "the QEMU line boots its own guest: " + lineDescription : "--initrd " + initrd + " is yours";
    }

    /** The notes this plan gives the run. */
    List<String> notes() {
        List<String> out = new ArrayList<>();
        if (!agent) out.add("no memvirt agent in the guest (" + withoutAgent() + "): measured from the host and over QMP");
        if (balloon == null) {
            out.add("the QEMU line's own balloon device is used" + (balloonId == null
                    ? " (it has no id=, so the guest's balloon statistics cannot be read)" : " (id " + balloonId + ")"));
        }
        return out;
    }
}
