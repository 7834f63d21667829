package org.memvirt.x86;

/** The second dimension of a 2D walk: guest-physical to host-physical, by EPT or by NPT. */
sealed interface NestedDimension permits EptWalker, NptWalker {
    /** HPA of the guest paging-structure entry at {@code gpa}, or -1 with the nested fault in {@code out}. */
    long tableGpaToHpa(long gpa, WalkResult out);

    /** HPA of the final {@code gpa} for a guest {@code access}, or -1 with the nested fault in {@code out}. */
    long finalGpaToHpa(long gpa, int access, WalkResult out);

    /** True if the guest may write A/D flags into the entry at {@code gpa} whose table had nested rights {@code rwx}; else the fault is in {@code out}. */
    boolean adWriteAllowed(long gpa, long rwx, WalkResult out);

    /** Page shift of the last successful translation. */
    int lastShift();

    /** Nested R/W/X (bits 2:0, AND over the levels) of the last successful translation. */
    long lastRwx();

    /** The EP4TA (EPT) or nCR3 (NPT) that tags the mappings built through this dimension. */
    long tag();

    /** Name of the dimension in reference lists: "ept" or "npt". */
    String name();
}
