package org.memvirt.config;

import java.util.List;

/**
 * One argument of a QEMU command line as QEMU's first pass splits it: an option with its value, or a bare disk image,
 * which QEMU adds as {@code -hda} does (softmmu/vl.c qemu_init: {@code drive_add(IF_DEFAULT, 0, argv[optind++],
 * HD_OPTS)}).
 *
 * @param option the option's name in QEMU's table ({@code m}, {@code enable-kvm}); {@code hda} for a bare image
 * @param spelling the option word as written ({@code -m}, {@code --m}); empty for a bare image
 * @param value the option's argument, the image's file name, or null for an option without argument
 */
public record QemuArg(String option, String spelling, String value) {
    /** A bare word: the disk image QEMU attaches as IDE hard disk 0. */
    public static QemuArg diskImage(String file) {
        return new QemuArg("hda", "", file);
    }

    public boolean isDiskImage() {
        return spelling.isEmpty();
    }

    /** The words as written, to pass to QEMU verbatim. */
    public List<String> words() {
        if (isDiskImage()) return List.of(value);
        return value == null ? List.of(spelling) : List.of(spelling, value);
    }

    /** Whether this is a {@code -machine}/{@code -M} that sets {@code property} ({@code accel}, {@code memory-backend}). */
    public boolean setsMachineProperty(String property) {
        if (!option.equals("machine") && !option.equals("M")) return false;
        for (QemuOpts.Opt opt : QemuOpts.keyval(value, "type")) if (opt.name().equals(property)) return true;
        return false;
    }

    /**
     * The value of {@code property} in this argument's QemuOpts {@code key=value,...} list (qemu util/qemu-option.c,
     * as {@code -device} and {@code -drive} are parsed), where a first element without
     * {@code =} is the value of {@code implied} ({@code -device virtio-balloon-pci,id=b0}: {@code driver} is
     * {@code virtio-balloon-pci}); null when the list does not set it or this argument has no value.
     */
    public String property(String implied, String property) {
        if (value == null) return null;
        String found = null;
        for (QemuOpts.Opt opt : QemuOpts.parse(value, implied, new java.util.ArrayList<>())) if (opt.name().equals(property)) found = opt.value();
        return found;
    }

    /** Where QEMU's messages place this argument ({@code -m 1.5: ...}): its words joined by a space. */
    public String location() {
        return String.join(" ", words());
    }
}
