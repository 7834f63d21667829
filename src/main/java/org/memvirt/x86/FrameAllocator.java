package org.memvirt.x86;

/** A source of zeroed 4-KByte physical frames for page-table pages. */
public interface FrameAllocator {
    /** The physical address of a fresh, zeroed, 4-KByte aligned frame. */
    long allocFrame();

    /** Hands out consecutive frames from {@code start} up to {@code limit} (exclusive); never reuses a frame. */
    static FrameAllocator bump(long start, long limit) {
        return new FrameAllocator() {
            private long next = start;

            @Override
            public long allocFrame() {
                if (next + Paging.PAGE_SIZE > limit) {
                    throw new X86Exception("out of page-table frames at 0x" + Long.toHexString(next));
                }
                long f = next;
                next += Paging.PAGE_SIZE;
                return f;
            }
        };
    }
}
