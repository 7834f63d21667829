package org.memvirt.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Host swap sizing for overcommitted guests, after Red Hat: RAM + swap must cover every guest plus the host's own
 * reserve (RHEL 6 Virtualization Administration Guide, "Overcommitting with KVM"), and the host keeps its own
 * recommended swap (RHEL 7 Installation Guide, "Recommended System Swap Space").
 *
 * @param guests the guest groups
 * @param hostRam host RAM bytes
 * @param hostReserve bytes kept for the host OS (Red Hat: 4 GiB)
 * @param hostSwap swap configured on the host now, or -1 if unknown
 */
public record SwapPlan(List<Guests> guests, long hostRam, long hostReserve, long hostSwap) {
    static final long GiB = 1L << 30;

    /** {@code count} guests of {@code sizeBytes} each. */
    public record Guests(long count, long sizeBytes) {
        /**
         * Parses {@code NxSIZE} (a bare SIZE means one guest; N has no leading zero, so {@code 0x10} is a hex size);
         * SIZE as {@link QemuSize#parseMiB}.
         */
        public static Guests parse(String text) {
            int x = text.indexOf('x');
            long count = 1;
            String size = text;
            if (x > 0 && text.charAt(0) != '0' && text.substring(0, x).chars().allMatch(Character::isDigit)) {
                count = Long.parseLong(text.substring(0, x));
                size = text.substring(x + 1);
            }
            return new Guests(count, QemuSize.parseMiB(size));
        }

        public long totalBytes() {
            return Math.multiplyExact(count, sizeBytes);
        }
    }

    public SwapPlan {
        guests = List.copyOf(guests);
    }

    public long guestTotal() {
        long sum = 0;
        for (Guests g : guests) sum = Math.addExact(sum, g.totalBytes());
        return sum;
    }

    /** RAM + swap - reserve: what the guests together can hold before the OOM killer must act (swap 0 when unknown). */
    public long roomForGuests() {
        return hostRam + Math.max(0, hostSwap) - hostReserve;
    }

    /** Swap so that RAM + swap covers all guests plus the host reserve. */
    public long swapForGuests() {
        return Math.max(0, guestTotal() + hostReserve - hostRam);
    }

    /** RHEL 7 table: <= 2 GiB: 2 x RAM; 2-8 GiB: = RAM; 8-64 GiB: at least 4 GiB; > 64 GiB: at least 4 GiB. */
    public static long recommendedHostSwap(long ram) {
        if (ram <= 2 * GiB) return 2 * ram;
        if (ram <= 8 * GiB) return ram;
        return 4 * GiB;
    }

    public long recommendedHostSwap() {
        return recommendedHostSwap(hostRam);
    }

    public long totalSwap() {
        return swapForGuests() + recommendedHostSwap();
    }

    /** Guest memory per byte of host RAM. */
    public double overcommitRatio() {
        return hostRam == 0 ? Double.POSITIVE_INFINITY : (double) guestTotal() / hostRam;
    }

    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        long swap = swapForGuests();
        if (swap > 0) {
            w.add("guests and host need " + gib(swap) + " more than host RAM: once guests touch their memory,"
                    + " performance is bound by swap");
        }
        if (hostSwap >= 0 && roomForGuests() < guestTotal()) {
            w.add("RAM + swap is " + gib(guestTotal() - roomForGuests()) + " short of guests + host reserve: the OOM"
                    + " killer may kill guests (the largest first)");
        } else if (hostSwap >= 0 && hostSwap < totalSwap()) {
            w.add("host swap (" + gib(hostSwap) + ") is below the planned " + gib(totalSwap()));
        } else if (hostSwap < 0 && swap > 0) {
            w.add("with less than " + gib(swap) + " of swap, RAM + swap is short and the OOM killer may kill guests"
                    + " (the largest first)");
        }
        return w;
    }

    private static String gib(long bytes) {
        return bytes % GiB == 0 ? bytes / GiB + " GiB" : String.format("%.2f GiB", (double) bytes / GiB);
    }
}
