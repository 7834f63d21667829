package org.memvirt.x86;

/** The page-fault error code pushed with #PF (SDM Vol 3A §4.7, Figure 4-12). */
public final class PfErrorCode {
    public static final int P = 1 << 0;                            // 0 = not present, 1 = protection violation
    public static final int W = 1 << 1;                            // write access
    public static final int U = 1 << 2;                            // user-mode access
    public static final int RSVD = 1 << 3;                         // reserved bit set in a paging-structure entry
    public static final int ID = 1 << 4;                           // instruction fetch (with SMEP, or PAE and NXE)
    public static final int PK = 1 << 5;                           // protection-key violation
    public static final int SS = 1 << 6;                           // shadow-stack access
    public static final int SGX = 1 << 15;                         // SGX-specific access-control violation

    /** "P W U RSVD I/D PK" style rendering, e.g. {@code P|W|U}; "0" for zero. */
    public static String describe(long code) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"P", "W", "U", "RSVD", "I/D", "PK", "SS"};
        for (int i = 0; i < names.length; i++) {
            if ((code & (1L << i)) != 0) sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }

    private PfErrorCode() {}
}
