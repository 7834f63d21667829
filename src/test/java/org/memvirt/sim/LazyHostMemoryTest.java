package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LazyHostMemoryTest {
    @Test
    void firstTouchAllocatesAndLaterAccessesFindThePageResident() {
        LazyHostMemory host = new LazyHostMemory();
        int vm = host.addVm("vm0", 1 << 20, false, 0);
        assertThat(host.access(vm, 5, false, 0)).isEqualTo(HostMemory.FIRST_TOUCH);
        assertThat(host.access(vm, 5, true, 77)).isEqualTo(HostMemory.RESIDENT);
        assertThat(host.content(vm, 5)).isEqualTo(77);
        assertThat(host.access(vm, 700_000, true, 9)).isEqualTo(HostMemory.FIRST_TOUCH);
        assertThat(host.residentPages(vm)).isEqualTo(2);
        assertThat(host.state(vm, 6)).isEqualTo(HostMemory.PageState.UNTOUCHED);
        assertThat(host.content(vm, 6)).isEqualTo(HostMemory.ZERO_CONTENT);
    }

    @Test
    void balloonReleaseDropsTheFrameTellsTheMmuAndTheNextTouchGetsAZeroPage() {
        LazyHostMemory host = new LazyHostMemory();
        List<Long> invalidated = new ArrayList<>();
        host.setNotifier(new MmuNotifier() {
            @Override public void invalidateGfn(int vm, long gfn) { invalidated.add(gfn); }
            @Override public void vmKilled(int vm) {}
        });
        int vm = host.addVm("vm0", 4096, false, 0);
        host.access(vm, 10, true, 123);
        host.balloonRelease(vm, 10);
        host.balloonRelease(vm, 11);                     // never touched: nothing was resident
        assertThat(invalidated).containsExactly(10L, 11L);
        assertThat(host.residentPages(vm)).isZero();
        assertThat(host.state(vm, 10)).isEqualTo(HostMemory.PageState.BALLOONED);
        assertThat(host.content(vm, 10)).isEqualTo(HostMemory.ZERO_CONTENT);
        assertThat(host.access(vm, 10, false, 0)).isEqualTo(HostMemory.DEFLATED_TOUCH);
        assertThat(host.residentPages(vm)).isEqualTo(1);
    }

    @Test
    void vmsAreIndependent() {
        LazyHostMemory host = new LazyHostMemory();
        int a = host.addVm("a", 1024, false, 0), b = host.addVm("b", 1024, false, 0);
        host.access(a, 1, true, 5);
        assertThat(host.residentPages(a)).isEqualTo(1);
        assertThat(host.residentPages(b)).isZero();
        assertThat(host.content(b, 1)).isZero();
    }
}
