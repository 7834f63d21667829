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

    /**
     * Parses exactly {@code read}, {@code write} or {@code fetch}, optionally followed by {@code ,user},
     * {@code ,supervisor} (the default) or {@code ,supervisor,implicit} (not for a fetch: SDM Vol 3A §4.6, fetches
     * are never implicit supervisor-mode accesses); the names {@link #name} prints. Anything else is refused.
     */
    public static int parse(String text) {
        int comma = text.indexOf(',');
        String kind = comma < 0 ? text : text.substring(0, comma);
        String who = comma < 0 ? "" : text.substring(comma);
        int a = switch (kind) {
            case "read" -> READ;
            case "write" -> WRITE;
            case "fetch" -> FETCH;
            default -> -1;
        };
        int mode = switch (who) {
            case "", ",supervisor" -> 0;
            case ",user" -> USER;
            case ",supervisor,implicit" -> a == FETCH ? -1 : IMPLICIT;
            default -> -1;
        };
        if (a < 0 || mode < 0) {
            throw new X86Exception("--access must be read, write or fetch, optionally followed by ,user, ,supervisor or"
                    + " ,supervisor,implicit (not for fetch), not '" + text + "'");
        }
        return a | mode;
    }

    public static String name(int access) {
        String kind = write(access) ? "write" : fetch(access) ? "fetch" : "read";
        return kind + (user(access) ? ",user" : ",supervisor") + ((access & IMPLICIT) != 0 ? ",implicit" : "");
    }

    private Access() {}
}
