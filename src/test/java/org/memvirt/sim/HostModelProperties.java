package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.SwapKind;

/**
 * Integrity under random overcommit scripts: no page is lost or corrupted (every surviving VM reads back what it last
 * wrote, ballooned pages read zero), and every guest page is in exactly one state with frames and swap conserved.
 */
class HostModelProperties {
    private static final int VMS = 3;
    private static final int PAGES = 600;

    /** One step: kind 0 write, 1 read, 2 balloon release, 3 time passes, 4 identical write (KSM fodder). */
    record Step(int kind, int vm, int gfn, int value) {}

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.integers().between(0, 4), Arbitraries.integers().between(0, VMS - 1),
                Arbitraries.integers().between(0, PAGES - 1), Arbitraries.integers().between(1, 6))
                .as(Step::new);
        return step.list().ofMinSize(50).ofMaxSize(400);
    }

    @Property(tries = 60)
    void everyGuestPageIsInExactlyOneStateAndNoneIsCorrupted(@ForAll("scripts") List<Step> script,
            @ForAll boolean zeroPages, @ForAll boolean smallSwap) {
        KsmConfig ksm = new KsmConfig(true, 97, 20, 4, zeroPages, true, true);   // tiny max_page_sharing: chains
        // 3 x 600 pages of guests on a host with ~256 usable pages: swap and, with the small swap, OOM kills
        HostConfig config = new HostConfig((256 + 128) * 4096L, 0, (smallSwap ? 300 : 2000) * 4096L, SwapKind.SSD,
                ksm, 10);
        HostModel h = new HostModel(config);
        long[][] expected = new long[VMS][PAGES];
        for (int i = 0; i < VMS; i++) h.addVm("vm" + i, PAGES, i != 2, 0);
        for (Step s : script) {
            switch (s.kind()) {
                case 0, 4 -> {
                    long value = s.kind() == 4 ? 0xABCDL + s.value() % 2 : s.value() == 6 ? 0 : ((long) s.gfn() << 8) + s.value();
                    for (int g = s.gfn(); g < Math.min(PAGES, s.gfn() + 40); g++) {
                        if (h.access(s.vm(), g, true, value) != HostMemory.KILLED) expected[s.vm()][g] = value;
                    }
                }
                case 1 -> {
                    for (int g = s.gfn(); g < Math.min(PAGES, s.gfn() + 40); g++) {
                        if (h.access(s.vm(), g, false, 0) != HostMemory.KILLED) {
                            assertThat(h.content(s.vm(), g)).isEqualTo(expected[s.vm()][g]);
                        }
                    }
                }
                case 2 -> {
                    h.balloonRelease(s.vm(), s.gfn());
                    expected[s.vm()][s.gfn()] = 0;
                }
                case 3 -> h.advance(s.value() * 20_000_000L);
                default -> throw new AssertionError();
            }
            h.verify();
            for (int v = 0; v < VMS; v++) {
                VmMemory m = h.vmMemory(v);
                assertThat(m.untouchedPages() + m.residentPages() + m.ksmPages() + m.zeroPages() + m.swappedPages()
                        + m.balloonedPages()).isEqualTo(PAGES);
            }
        }
        for (int v = 0; v < VMS; v++) {
            if (h.killed(v)) continue;
            for (int g = 0; g < PAGES; g++) assertThat(h.content(v, g)).as("vm%d gfn %d", v, g).isEqualTo(expected[v][g]);
        }
    }
}
