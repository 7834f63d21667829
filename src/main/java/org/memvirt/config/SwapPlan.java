package org.memvirt.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
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
 *
 * <p>Every figure is computed exactly (BigInteger) and must stay below 2^63 bytes (8 EiB), so that it fits the JSON
 * consumers' 64-bit integers; a plan beyond that, a guest or host of 0 bytes or of more than an x86-64 machine can
 * address, and no guests at all are refused with {@link ConfigException}.
 */
public record SwapPlan(List<Guests> guests, long hostRam, long hostReserve, long hostSwap) {
    static final long GiB = 1L << 30;
    /** x86-64 physical addresses have at most 52 bits: no guest or host has more RAM. */
    static final long MAX_RAM = 1L << 52;                       // qemu target/i386/cpu-param.h TARGET_PHYS_ADDR_SPACE_BITS
    static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(63);

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
                String digits = text.substring(0, x);
                if (new BigInteger(digits).compareTo(BigInteger.valueOf(Long.MAX_VALUE)) > 0) {
                    // qemu util/qemu-option.c parse_option_number: the ERANGE wording
                    throw new ConfigException("Value '" + digits + "' is too large for parameter 'count'");
                }
                count = Long.parseLong(digits);
                size = text.substring(x + 1);
            }
            return new Guests(count, ram("a guest", QemuSize.parseMiB(size)));
        }

        public Guests {
            if (count < 1) throw new ConfigException("a count of " + count + " guests makes no sense");
        }

        public long totalBytes() {
            return Math.multiplyExact(count, sizeBytes);
        }
    }

    /**
     * Checks a RAM size ({@code what}: "a guest", "host RAM"): more than 0 and at most {@link #MAX_RAM}.
     *
     * @param bytes an unsigned 64-bit size as {@link QemuSize} returns it
     */
    public static long ram(String what, long bytes) {
        if (bytes == 0) throw new ConfigException(what + " of 0 bytes makes no sense");
        if (Long.compareUnsigned(bytes, MAX_RAM) > 0) {
            throw new ConfigException(what + " of " + Long.toUnsignedString(bytes) + " bytes (" + QemuSize.toStr(bytes)
                    + ") is more than x86-64 can address (52 physical address bits: " + QemuSize.toStr(MAX_RAM) + ")");
        }
        return bytes;
    }

    /** Checks a size that may be 0 ({@code --host-reserve}, {@code --host-swap}): below 2^63 bytes. */
    public static long size(String what, long bytes) {
        if (bytes < 0) throw new ConfigException(what + " of " + QemuSize.toStr(bytes) + " is out of range (plan's"
                + " figures stay below 8 EiB)");
        return bytes;
    }

    public SwapPlan {
        guests = List.copyOf(guests);
        if (guests.isEmpty()) throw new ConfigException("no guests to plan for: give --guest NxSIZE");
        ram("host RAM", hostRam);
        size("a host reserve", hostReserve);
        if (hostSwap != -1) size("host swap", hostSwap);
        BigInteger total = BigInteger.ZERO;
        for (Guests g : guests) total = total.add(BigInteger.valueOf(g.count()).multiply(BigInteger.valueOf(g.sizeBytes())));
        BigInteger swap = total.add(BigInteger.valueOf(hostReserve)).subtract(BigInteger.valueOf(hostRam)).max(BigInteger.ZERO)
                .add(BigInteger.valueOf(recommendedHostSwap(hostRam)));
        BigInteger largest = total.max(swap).max(total.add(BigInteger.valueOf(hostReserve)));
        if (largest.compareTo(LIMIT) >= 0) {
            throw new ConfigException("the guests total " + QemuSize.toStr(total) + ": plan's figures stay below 8 EiB");
        }
    }

    /** Guest memory in all; below 2^63 (checked when the plan was made). */
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
        return Math.max(0, Math.subtractExact(Math.addExact(guestTotal(), hostReserve), hostRam));
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
        return Math.addExact(swapForGuests(), recommendedHostSwap());
    }

    /** Guest memory per byte of host RAM (host RAM is never 0), to 6 decimals. */
    public double overcommitRatio() {
        return new BigDecimal(guestTotal()).divide(new BigDecimal(hostRam), 6, RoundingMode.HALF_EVEN).doubleValue();
    }

    public List<String> warnings() {
        List<String> w = new ArrayList<>();
        long swap = swapForGuests();
        if (swap > 0) {
            w.add("guests and host need " + gib(swap) + " more than host RAM: once guests touch their memory,"
                    + " performance is bound by swap");
        }
        BigInteger needed = BigInteger.valueOf(guestTotal()).add(BigInteger.valueOf(hostReserve));
        BigInteger have = BigInteger.valueOf(hostRam).add(BigInteger.valueOf(Math.max(0, hostSwap)));
        if (hostSwap >= 0 && have.compareTo(needed) < 0) {
            w.add("RAM + swap is " + gib(needed.subtract(have).longValueExact()) + " short of guests + host reserve: the OOM"
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
        return bytes % GiB == 0 ? bytes / GiB + " GiB" : String.format(java.util.Locale.ROOT, "%.2f GiB", (double) bytes / GiB);
    }
}
