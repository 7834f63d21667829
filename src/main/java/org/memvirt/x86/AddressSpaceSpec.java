package org.memvirt.x86;

import java.util.List;
import java.util.Locale;

/**
 * A JSON-describable address space: the MMU kind, level counts and explicit guest and host mappings. Guest page-table
 * frames come from gpa 1 MiB..1 GiB and are host-mapped at {@code gpa + 1 TiB} automatically; with no host mappings
 * listed, each guest mapping's data is host-mapped the same way.
 */
public record AddressSpaceSpec(String mmu, Integer guestLevels, Integer hostLevels, String hostPage,
                               List<GuestMap> guest, List<HostMap> host) {
    /** gva to gpa with page size "4K" | "2M" | "1G" and flags such as "rw,user,nx,global,pk=3". */
    public record GuestMap(String gva, String gpa, String page, String flags) {}

    /** gpa to hpa with permissions such as "rwx" (EPT) or "rw,user" (NPT). */
    public record HostMap(String gpa, String hpa, String page, String perms) {}

    public AddressSpace build() {
        AddressSpace.Kind kind = AddressSpace.Kind.parse(mmu == null ? "ept" : mmu);
        int hps = Paging.parsePageSize(hostPage == null ? "4K" : hostPage);
        AddressSpace as = new AddressSpace(kind, guestLevels == null ? 4 : guestLevels,
                hostLevels == null ? 4 : hostLevels, Paging.SHIFT_4K, hps);
        for (GuestMap g : guest == null ? List.<GuestMap>of() : guest) {
            int shift = Paging.parsePageSize(g.page() == null ? "4K" : g.page());
            long gpa = parseAddress(g.gpa(), "gpa");
            as.mapGuest(parseAddress(g.gva(), "gva"), gpa, shift, guestFlags(g.flags()));
            if (kind.nested() && (host == null || host.isEmpty())) {
                long hsize = 1L << hps;
                for (long a = gpa & ~(hsize - 1); a < gpa + (1L << shift); a += hsize) {
                    as.mapHost(a, a + AddressSpace.HOST_OFFSET, hps,
                            kind == AddressSpace.Kind.EPT ? PageTableBuilder.EPT_RWX_WB : PageTableBuilder.X86_USER_RW);
                }
            }
        }
        for (HostMap h : host == null ? List.<HostMap>of() : host) {
            as.mapHost(parseAddress(h.gpa(), "gpa"), parseAddress(h.hpa(), "hpa"),
                    Paging.parsePageSize(h.page() == null ? "4K" : h.page()),
                    kind == AddressSpace.Kind.EPT ? eptPerms(h.perms()) : guestFlags(h.perms()));
        }
        return as;
    }

    /** Parses "0x..." (hex) or a decimal number. */
    public static long parseAddress(String text, String what) {
        if (text == null) throw new X86Exception("missing " + what);
        String t = text.trim().replace("_", "").toLowerCase(Locale.ROOT);
        if (t.startsWith("-") || t.startsWith("+")) throw new X86Exception("bad " + what + " '" + text + "'");
        try {
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new X86Exception("bad " + what + " '" + text + "'");
        }
    }

    /** "rw,user,nx,global,pk=N,pwt,pcd,notpresent" to ordinary entry flags; P is implied. */
    public static long guestFlags(String text) {
        long f = Pte.P;
        if (text == null || text.isBlank()) return f | Pte.RW | Pte.US;
        for (String part : text.toLowerCase(Locale.ROOT).split("[,+ ]+")) {
            if (part.startsWith("pk=")) {
                int key;
                try {
                    key = Integer.parseInt(part.substring(3));
                } catch (NumberFormatException e) {
                    key = -1;
                }
                if (key < 0 || key > 15) throw new X86Exception("protection key must be 0..15, not '" + part + "'");
                f = Pte.withProtectionKey(f, key);
                continue;
            }
            f = switch (part) {
                case "rw", "w", "write" -> f | Pte.RW;
                case "ro", "r", "read" -> f;
                case "user", "u" -> f | Pte.US;
                case "supervisor", "s", "kernel" -> f;
                case "nx", "xd" -> f | Pte.XD;
                case "global", "g" -> f | Pte.G;
                case "pwt" -> f | Pte.PWT;
                case "pcd" -> f | Pte.PCD;
                case "notpresent", "np" -> f & ~Pte.P;
                default -> throw new X86Exception("unknown page flag '" + part + "'");
            };
        }
        return f;
    }

    /** "rwx", "rx", "r"... plus optional ",uc|wc|wt|wp|wb" memory type (default wb). */
    public static long eptPerms(String text) {
        String t = text == null ? "rwx" : text.toLowerCase(Locale.ROOT);
        long mt = EptEntry.MT_WB;
        String perms = t;
        int comma = t.indexOf(',');
        if (comma >= 0) {
            perms = t.substring(0, comma);
            mt = switch (t.substring(comma + 1)) {
                case "uc" -> EptEntry.MT_UC;
                case "wc" -> EptEntry.MT_WC;
                case "wt" -> EptEntry.MT_WT;
                case "wp" -> EptEntry.MT_WP;
                case "wb" -> EptEntry.MT_WB;
                default -> throw new X86Exception("unknown EPT memory type '" + t.substring(comma + 1) + "'");
            };
        }
        long f = 0;
        for (char c : perms.toCharArray()) {
            f |= switch (c) {
                case 'r' -> EptEntry.R;
                case 'w' -> EptEntry.W;
                case 'x' -> EptEntry.X | EptEntry.XU;
                case '-' -> 0;
                default -> throw new X86Exception("EPT permissions are letters of 'rwx', not '" + perms + "'");
            };
        }
        return f | (mt << EptEntry.MT_SHIFT);
    }
}
