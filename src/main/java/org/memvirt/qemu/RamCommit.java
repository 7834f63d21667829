package org.memvirt.qemu;

import org.memvirt.host.HostRoot;
import org.memvirt.host.MemInfo;

/**
 * Whether the kernel lets QEMU map guest RAM with the commit charge a {@code reserve=on} backend takes (linux
 * mm/util.c __vm_enough_memory, which mmap calls for a private writable mapping without MAP_NORESERVE):
 * <ul>
 * <li>{@code vm.overcommit_memory=1} (OVERCOMMIT_ALWAYS): always;</li>
 * <li>{@code 0} (OVERCOMMIT_GUESS): unless the mapping alone has more pages than
 *     {@code totalram_pages() + total_swap_pages}, that is more bytes than MemTotal + SwapTotal;</li>
 * <li>{@code 2} (OVERCOMMIT_NEVER): while {@code Committed_AS} plus the mapping stays below {@code CommitLimit} less
 *     {@code admin_reserve_kbytes} (not with CAP_SYS_ADMIN) and {@code user_reserve_kbytes}; memvirt also counts TCG's
 *     1 GiB translation buffer (qemu tcg/region.c DEFAULT_CODE_GEN_BUFFER_SIZE), also committed.</li>
 * </ul>
 * Where it would not, QEMU fails with {@code cannot set up guest memory 'pc.ram': Cannot allocate memory}; memvirt
 * then gives QEMU a {@code memory-backend-ram} with {@code reserve=off} (MAP_NORESERVE), which is lazy the same way.
 *
 * @param fits whether a {@code reserve=on} mapping of the RAM would be allowed
 * @param reason one line with the numbers it was decided on
 */
public record RamCommit(boolean fits, String reason) {
    static final long TCG_CODE_BUFFER_BYTES = 1L << 30;   // qemu tcg/region.c DEFAULT_CODE_GEN_BUFFER_SIZE_1 (64-bit hosts)
    static final int CAP_SYS_ADMIN = 21;                   // linux include/uapi/linux/capability.h
    private static final long KIB = 1024;

    /** The decision for {@code ramBytes} of guest RAM on this host. */
    public static RamCommit check(long ramBytes, boolean tcg) {
        return check(HostRoot.REAL, ramBytes, tcg, sysAdmin(HostRoot.REAL));
    }

    /** The decision from {@code root}'s /proc files. */
    static RamCommit check(HostRoot root, long ramBytes, boolean tcg, boolean sysAdmin) {
        MemInfo mem = MemInfo.read(root);
        int mode = (int) number(root, "/proc/sys/vm/overcommit_memory", 0);
        return switch (mode) {
            case 1 -> new RamCommit(true, "vm.overcommit_memory=1: every mapping is allowed");
            case 2 -> never(root, mem, ramBytes + (tcg ? TCG_CODE_BUFFER_BYTES : 0), sysAdmin);
            default -> guess(mem, ramBytes);
        };
    }

    private static RamCommit guess(MemInfo mem, long ramBytes) {
        long limit = mem.memTotal() + mem.swapTotal();
        boolean fits = Long.compareUnsigned(ramBytes, limit) <= 0;
        return new RamCommit(fits, "vm.overcommit_memory=0: " + gib(ramBytes) + " of guest RAM " + (fits ? "<=" : ">")
                + " RAM + swap " + gib(limit));
    }

    private static RamCommit never(HostRoot root, MemInfo mem, long bytes, boolean sysAdmin) {
        long allowed = mem.bytes("CommitLimit");
        if (!sysAdmin) allowed -= number(root, "/proc/sys/vm/admin_reserve_kbytes", 0) * KIB;
        allowed -= number(root, "/proc/sys/vm/user_reserve_kbytes", 0) * KIB;
        long committed = mem.bytes("Committed_AS");
        boolean fits = committed + bytes < allowed;
        return new RamCommit(fits, "vm.overcommit_memory=2: committed " + gib(committed) + " + " + gib(bytes)
                + (fits ? " <" : " >=") + " allowed " + gib(allowed));
    }

    private static long number(HostRoot root, String file, long absent) {
        return root.readValue(file).map(v -> Long.parseLong(v.trim())).orElse(absent);
    }

    private static String gib(long bytes) {
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }

    /** Whether this process (and so the QEMU it starts) has CAP_SYS_ADMIN: /proc/self/status CapEff. */
    static boolean sysAdmin(HostRoot root) {
        for (String line : root.read("/proc/self/status").orElse("").split("\n")) {
            if (line.startsWith("CapEff:")) return (Long.parseUnsignedLong(line.substring(7).trim(), 16) >>> CAP_SYS_ADMIN & 1) != 0;
        }
        return false;
    }
}
