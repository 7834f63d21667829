package org.memvirt.x86;

/** Translates a linear address by walking page tables: natively or through a nested dimension. */
public sealed interface LinearTranslator permits Walker, Walker2d {
    /** Walks for {@code access} to {@code la}; fills {@code out} and returns {@link WalkResult#ok()}. */
    boolean translate(long la, int access, CpuMode mode, WalkResult out);

    /** The tag of the mappings this translator produces: the EP4TA (or nCR3) for 2D, {@link Tlb#EPT_NONE} else. */
    long eptTag();

    /** The paging-structure cache of the linear-address dimension, or null. */
    PageWalkCache pageWalkCache();
}
