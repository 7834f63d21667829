package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The host memory of single-VM runs: a guest page gets a host frame on first touch and keeps it (as a
 * MAP_NORESERVE anonymous mapping without swap, KSM or reclaim); a balloon release gives the frame back.
 *
 * <p>Guest frames are addressed by their page index within the VM's RAM block ({@code ramOffset >>> 12}), which
 * equals the gfn below the 32-bit PCI hole. Per-page state lives in chunks of 512 pages (one 2 MiB guest range)
 * allocated on first touch, so an untouched 64 GiB guest costs a few hundred KiB of heap.
 */
public final class LazyHostMemory implements HostMemory {
    private static final int CHUNK_SHIFT = 9;                 // 512 pages = 2 MiB of guest RAM per chunk
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
    private static final byte UNTOUCHED = 0, RESIDENT = 1, BALLOONED = 2;

    private final List<Vm> vms = new ArrayList<>();
    private MmuNotifier notifier = MmuNotifier.NONE;

    private static final class Vm {
        final long pages;
        final long[][] content;
        final byte[][] state;
        long resident;

        Vm(long pages) {
            this.pages = pages;
            int chunks = (int) ((pages + CHUNK_MASK) >>> CHUNK_SHIFT);
            content = new long[chunks][];
            state = new byte[chunks][];
        }
    }

    @Override
    public int addVm(String name, long guestPages, boolean mergeable, int oomScoreAdj) {
        if (guestPages <= 0 || guestPages > (1L << 40)) throw new SimException("bad guest size: " + guestPages + " pages");
        vms.add(new Vm(guestPages));
        return vms.size() - 1;
    }

    @Override
    public int access(int vm, long gfn, boolean write, long newContent) {
        final Vm v = vms.get(vm);
        final int chunk = (int) (gfn >>> CHUNK_SHIFT);
        final int slot = (int) gfn & CHUNK_MASK;
        byte[] st = v.state[chunk];
        if (st == null) {
            if (gfn >= v.pages) throw new SimException("gfn 0x" + Long.toHexString(gfn) + " outside guest RAM");
            st = v.state[chunk] = new byte[1 << CHUNK_SHIFT];
            v.content[chunk] = new long[1 << CHUNK_SHIFT];
        }
        final byte was = st[slot];
        if (write) v.content[chunk][slot] = newContent;
        if (was == RESIDENT) return HostMemory.RESIDENT;
        st[slot] = RESIDENT;
        v.resident++;
        if (!write) v.content[chunk][slot] = ZERO_CONTENT;
        return was == BALLOONED ? DEFLATED_TOUCH : FIRST_TOUCH;
    }

    @Override
    public long content(int vm, long gfn) {
        long[] c = vms.get(vm).content[(int) (gfn >>> CHUNK_SHIFT)];
        return c == null || state(vm, gfn) != PageState.RESIDENT ? ZERO_CONTENT : c[(int) gfn & CHUNK_MASK];
    }

    @Override
    public PageState state(int vm, long gfn) {
        byte[] st = vms.get(vm).state[(int) (gfn >>> CHUNK_SHIFT)];
        if (st == null) return PageState.UNTOUCHED;
        return switch (st[(int) gfn & CHUNK_MASK]) {
            case RESIDENT -> PageState.RESIDENT;
            case BALLOONED -> PageState.BALLOONED;
            default -> PageState.UNTOUCHED;
        };
    }

    /** Whether {@code gfn} has a host frame now (what KVM's atomic gfn-to-pfn, used by prefetch, can map). */
    public boolean present(int vm, long gfn) {
        byte[] st = vms.get(vm).state[(int) (gfn >>> CHUNK_SHIFT)];
        return st != null && st[(int) gfn & CHUNK_MASK] == RESIDENT;
    }

    @Override
    public void pin(int vm, long gfn, boolean pinned) {
        // nothing is ever reclaimed here, so pinning changes nothing
    }

    @Override
    public void balloonRelease(int vm, long gfn) {
        Vm v = vms.get(vm);
        byte[] st = v.state[(int) (gfn >>> CHUNK_SHIFT)];
        if (st == null) {
            access(vm, gfn, false, ZERO_CONTENT);
            st = v.state[(int) (gfn >>> CHUNK_SHIFT)];
            v.resident--;
        } else if (st[(int) gfn & CHUNK_MASK] == RESIDENT) {
            v.resident--;
        }
        st[(int) gfn & CHUNK_MASK] = BALLOONED;
        v.content[(int) (gfn >>> CHUNK_SHIFT)][(int) gfn & CHUNK_MASK] = ZERO_CONTENT;
        notifier.invalidateGfn(vm, gfn);
    }

    @Override
    public void advance(long nanos) {
        // no KSM, no reclaim
    }

    @Override
    public void setNotifier(MmuNotifier notifier) {
        this.notifier = notifier;
    }

    @Override
    public long residentPages(int vm) {
        return vms.get(vm).resident;
    }

    @Override
    public long swappedPages(int vm) {
        return 0;
    }

    @Override
    public boolean killed(int vm) {
        return false;
    }
}
