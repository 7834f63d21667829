package org.memvirt.x86;

/**
 * Access rights of a completed translation (SDM Vol 3A §4.6, §4.6.2; error code §4.7). Static, pure and
 * allocation-free: the walkers and the TLB-hit path share it.
 */
public final class Permissions {
    /** Combined rights of a translation, in entry positions: R/W and U/S are ANDs over all levels, XD an OR. */
    public static final long RIGHTS = Pte.RW | Pte.US | Pte.XD;

    /**
     * The #PF error code for {@code access} to a present translation with combined {@code rights} and leaf protection
     * key {@code pkey}, or 0 if the access is allowed.
     */
    public static int check(long rights, int pkey, int access, CpuMode mode) {
        final boolean userAccess = (access & (Access.USER | Access.IMPLICIT)) == Access.USER;
        final boolean write = (access & Access.WRITE) != 0;
        final boolean fetch = (access & Access.FETCH) != 0;
        final boolean userPage = (rights & Pte.US) != 0;
        final boolean writable = (rights & Pte.RW) != 0;
        final boolean xd = mode.nxe() && (rights & Pte.XD) != 0;
        boolean denied;
        if (fetch) {
            denied = xd || (userAccess ? !userPage : userPage && mode.smep());
        } else if (userAccess) {
            denied = !userPage || (write && !writable);
        } else {
            boolean smapDenies = userPage && mode.smap() && ((access & Access.IMPLICIT) != 0 || !mode.ac());
            denied = smapDenies || (write && !writable && mode.wp());
        }
        boolean pk = !fetch && userPage && mode.pke() && pkeyDenies(pkey, write, userAccess, mode);
        if (!denied && !pk) return 0;
        return errorCode(access, mode) | PfErrorCode.P | (pk ? PfErrorCode.PK : 0);
    }

    /** PKRU check for a data access to a user-mode address (SDM Vol 3A §4.6.2). */
    static boolean pkeyDenies(int pkey, boolean write, boolean userAccess, CpuMode mode) {
        int bits = mode.pkru >>> (2 * pkey);
        boolean ad = (bits & 1) != 0, wd = (bits & 2) != 0;
        return ad || (write && wd && (userAccess || mode.wp()));
    }

    /** The W, U and I/D bits of the error code for {@code access} (I/D only with SMEP, or with NXE; §4.7). */
    public static int errorCode(int access, CpuMode mode) {
        int code = access & PfErrorCode.W;
        if ((access & (Access.USER | Access.IMPLICIT)) == Access.USER) code |= PfErrorCode.U;
        if ((access & Access.FETCH) != 0 && (mode.smep() || mode.nxe())) code |= PfErrorCode.ID;
        return code;
    }

    private Permissions() {}
}
