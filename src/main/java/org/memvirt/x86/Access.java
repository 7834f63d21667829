package org.memvirt.x86;

/**
 * The kind of a memory access, as an int of flags laid out like the #PF error code (SDM Vol 3A §4.7) so that the
 * error code is a mask away: {@link #WRITE} = W/R (bit 1), {@link #USER} = U/S (bit 2), {@link #FETCH} = I/D (bit 4).
 * {@link #IMPLICIT} marks an implicit supervisor-mode access (GDT, IDT, TSS...), which SMAP always checks.
 */
public final class Access {
    public static final int READ = 0;
    public static final int WRITE = 1 << 1;
    public static final int USER = 1 << 2;
    public static final int FETCH = 1 << 4;
    public static final int IMPLICIT = 1 << 8;

    public static boolean write(int access) { return (access & WRITE) != 0; }
    public static boolean fetch(int access) { return (access & FETCH) != 0; }
    public static boolean user(int access) { return (access & USER) != 0; }

    /** Parses "read", "write" or "fetch" with an optional ",user" / ",supervisor" / ",implicit". */
    public static int parse(String text) {
        int a = 0;
        for (String part : text.toLowerCase(java.util.Locale.ROOT).split("[,+ ]+")) {
            a |= switch (part) {
                case "read", "r", "supervisor", "kernel", "" -> 0;
                case "write", "w" -> WRITE;
                case "fetch", "x", "exec", "execute" -> FETCH;
                case "user", "u" -> USER;
                case "implicit" -> IMPLICIT;
                default -> throw new X86Exception("access must be read, write or fetch (optionally ,user), not '"
                        + text + "'");
            };
        }
        if ((a & WRITE) != 0 && (a & FETCH) != 0) throw new X86Exception("an access is a write or a fetch, not both");
        return a;
    }

    public static String name(int access) {
        String kind = write(access) ? "write" : fetch(access) ? "fetch" : "read";
        return kind + (user(access) ? ",user" : ",supervisor") + ((access & IMPLICIT) != 0 ? ",implicit" : "");
    }

    private Access() {}
}
