package org.memvirt.engine;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The guest operating system a VM boots: memvirt's micro-guest (docs/guest-model.md) or a Linux guest (the qemu
 * engine's Debian kernel, and the sim's model of it, docs/linux-guest.md), with the settings a Linux guest has.
 * Written on the command line and in scenarios as QEMU writes device options: {@code linux},
 * {@code linux,thp=always,free-page-reporting=on,balloon-pace=tcg}.
 *
 * @param kind micro or linux
 * @param thp the Linux guest's /sys/kernel/mm/transparent_hugepage/enabled (the micro-guest maps 2 MiB pages only
 *        after {@code pages 2M}: {@link Thp#NEVER})
 * @param freePageReporting the balloon device's {@code free-page-reporting=on} (VIRTIO_BALLOON_F_REPORTING), which the
 *        Linux driver uses: free 2 MiB blocks go back to the host without a balloon op
 * @param balloonPagesPerSecond how fast the Linux balloon driver inflates, in 4 KiB pages per second; 0 for the
 *        micro-guest (its driver's pace is the model's round trip, docs/sim-engine.md)
 */
public record GuestProfile(Kind kind, Thp thp, boolean freePageReporting, long balloonPagesPerSecond) {
    /** Inflating 7 GiB of an 8 GiB idle guest took about 4,126 ms on KVM: 1,835,008 pages / 4.126 s (Wei Wang,
     * "[PATCH v12 5/8] virtio-balloon: VIRTIO_BALLOON_F_SG", LKML 2017-07-12: the baseline before that patch). */
    public static final long BALLOON_PACE_KVM = 444_742;
    /** MEASURED under TCG on a 2-core host: 3 GiB (786,432 pages) in 26.8 s (scripts/linux-guest-facts,
     * docs/linux-guest.md). */
    public static final long BALLOON_PACE_TCG = 29_344;

    /** memvirt's micro-guest. */
    public static final GuestProfile MICRO = new GuestProfile(Kind.MICRO, Thp.NEVER, false, 0);
    /** A Linux guest as the qemu engine boots it: THP never (the image's /init), no free page reporting, KVM's pace. */
    public static final GuestProfile LINUX = new GuestProfile(Kind.LINUX, Thp.NEVER, false, BALLOON_PACE_KVM);

    /** The guest operating systems. */
    public enum Kind {
        MICRO, LINUX;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The Linux guest's transparent huge page policy (linux mm/huge_memory.c enabled_store). */
    public enum Thp {
        NEVER, MADVISE, ALWAYS;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public GuestProfile {
        if (kind == Kind.MICRO && (thp != Thp.NEVER || freePageReporting || balloonPagesPerSecond != 0)) {
            throw new IllegalArgumentException("the micro-guest has no THP policy, free page reporting or balloon pace");
        }
        if (kind == Kind.LINUX && balloonPagesPerSecond <= 0) throw new IllegalArgumentException("balloon pace must be positive");
    }

    public boolean linux() {
        return kind == Kind.LINUX;
    }

    /**
     * {@code micro}, or {@code linux} with options {@code thp=never|madvise|always}, {@code free-page-reporting=on|off},
     * {@code balloon-pace=kvm|tcg|PAGES} (pages per second); anything else is refused in one line naming
     * {@code option} ({@code --guest}, or a scenario's field).
     */
    public static GuestProfile parse(String text, String option) {
        String[] parts = text.strip().split(",", -1);
        Kind kind = switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "micro" -> Kind.MICRO;
            case "linux" -> Kind.LINUX;
            default -> throw EngineException.usage(option + " must be micro or linux (with options), not '" + parts[0] + "'");
        };
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) throw EngineException.usage(option + ": '" + parts[i] + "' is not NAME=VALUE");
            if (opts.put(parts[i].substring(0, eq), parts[i].substring(eq + 1)) != null) {
                throw EngineException.usage(option + ": " + parts[i].substring(0, eq) + " given twice");
            }
        }
        if (kind == Kind.MICRO) {
            if (!opts.isEmpty()) {
                throw EngineException.usage(option + ": " + opts.keySet().iterator().next() + " is a Linux guest's setting; "
                        + "the micro-guest has none");
            }
            return MICRO;
        }
        Thp thp = Thp.NEVER;
        boolean reporting = false;
        long pace = BALLOON_PACE_KVM;
        for (Map.Entry<String, String> e : opts.entrySet()) {
            String v = e.getValue().toLowerCase(Locale.ROOT);
            switch (e.getKey()) {
                case "thp" -> thp = thp(v, option);
                case "free-page-reporting" -> reporting = onOff(v, option + ": free-page-reporting");
                case "balloon-pace" -> pace = pace(v, option);
                default -> throw EngineException.usage(option + ": unknown option '" + e.getKey()
                        + "' (thp, free-page-reporting, balloon-pace)");
            }
        }
        return new GuestProfile(kind, thp, reporting, pace);
    }

    private static Thp thp(String v, String option) {
        for (Thp t : Thp.values()) if (t.key().equals(v)) return t;
        throw EngineException.usage(option + ": thp must be never, madvise or always, not '" + v + "'");
    }

    private static boolean onOff(String v, String what) {
        return switch (v) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw EngineException.usage(what + " must be on or off, not '" + v + "'");
        };
    }

    private static long pace(String v, String option) {
        return switch (v) {
            case "kvm" -> BALLOON_PACE_KVM;
            case "tcg" -> BALLOON_PACE_TCG;
            default -> {
                try {
                    long n = Long.parseLong(v);
                    if (n > 0) yield n;
                } catch (NumberFormatException e) {
                    // refused below
                }
                throw EngineException.usage(option + ": balloon-pace must be kvm, tcg or pages per second, not '" + v + "'");
            }
        };
    }

    /** The profile as {@link #parse} reads it, every setting spelled out: {@code linux,thp=never,...}. */
    @Override
    public String toString() {
        if (kind == Kind.MICRO) return "micro";
        String pace = balloonPagesPerSecond == BALLOON_PACE_KVM ? "kvm"
                : balloonPagesPerSecond == BALLOON_PACE_TCG ? "tcg" : Long.toString(balloonPagesPerSecond);
        return "linux,thp=" + thp.key() + ",free-page-reporting=" + (freePageReporting ? "on" : "off")
                + ",balloon-pace=" + pace;
    }
}
