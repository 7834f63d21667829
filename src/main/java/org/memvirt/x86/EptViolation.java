package org.memvirt.x86;

/** Exit qualification of an EPT-violation VM exit (SDM Vol 3C §27.2.1, Table 27-7). */
public final class EptViolation {
    public static final int EXIT_REASON = 48;                      // linux uapi/asm/vmx.h EXIT_REASON_EPT_VIOLATION
    public static final int MISCONFIG_EXIT_REASON = 49;            // EXIT_REASON_EPT_MISCONFIG
    public static final long READ = 1L << 0;                       // access was a data read
    public static final long WRITE = 1L << 1;                      // access was a data write
    public static final long FETCH = 1L << 2;                      // access was an instruction fetch
    public static final long READABLE = 1L << 3;                   // AND of bit 0 of the EPT entries used
    public static final long WRITABLE = 1L << 4;                   // AND of bit 1
    public static final long EXECUTABLE = 1L << 5;                 // AND of bit 2
    public static final long USER_EXECUTABLE = 1L << 6;            // AND of bit 10 (MBEC)
    public static final long GLA_VALID = 1L << 7;                  // guest linear-address field valid
    public static final long GLA_TRANSLATION = 1L << 8;            // 1: the final GPA; 0: a guest paging-structure access

    /** Readable rendering such as {@code R|GLA_VALID}. */
    public static String describe(long q) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"READ", "WRITE", "FETCH", "READABLE", "WRITABLE", "EXECUTABLE", "USER_EXECUTABLE",
            "GLA_VALID", "GLA_TRANSLATION"};
        for (int i = 0; i < names.length; i++) {
            if ((q & (1L << i)) != 0) sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
        }
        return sb.isEmpty() ? "0" : sb.toString();
    }

    private EptViolation() {}
}
