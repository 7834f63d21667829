package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.memvirt.report.WalkGrid;
import org.memvirt.report.WalkGrid.Kind;
import org.memvirt.x86.Access;
import org.memvirt.x86.AddressSpace;
import org.memvirt.x86.Paging;
import org.memvirt.x86.RefLog;
import org.memvirt.x86.TlbConfig;
import org.memvirt.x86.WalkResult;

class WalkCellsTest {
    static final long GVA = 0x7f0000001000L;

    static List<WalkGrid.Cell> walk(int hostShift, int warm) {
        AddressSpace as = new AddressSpace(AddressSpace.Kind.EPT, 4, 4, Paging.SHIFT_4K, hostShift);
        as.mapPage(GVA);
        for (int k = 1; k <= warm; k++) as.mapPage(GVA ^ ((long) k << Paging.SHIFT_4K));
        RefLog log = new RefLog();
        WalkResult r = new WalkResult();
        int acc = Access.parse("read,user");
        if (warm == 0) {
            as.coldWalker(log).translate(GVA, acc, as.guestMode(), r);
        } else {
            var mmu = as.mmu(TlbConfig.preset("zen5"), log);
            for (int k = 1; k <= warm; k++) mmu.translate(GVA ^ ((long) k << Paging.SHIFT_4K), acc, as.guestMode(), r);
            log.clear();
            mmu.translate(GVA, acc, as.guestMode(), r);
        }
        int leaf = (hostShift - Paging.SHIFT_4K) / 9 + 1;
        return WalkCells.cells(log.toList(WalkCells.GUEST, WalkCells.NESTED), 4, 4, leaf, r.ok() ? r.pa : -1);
    }

    static String layout(List<WalkGrid.Cell> cells) {
        StringBuilder sb = new StringBuilder();
        for (WalkGrid.Cell c : cells) sb.append(c.row()).append(c.col()).append(c.kind().name().charAt(0)).append(' ');
        return sb.toString().trim();
    }

    @Test
    void coldFourByFourWalkFillsTheGridRowByRowIn24ReferencesThenTheData() {
        List<WalkGrid.Cell> cells = walk(Paging.SHIFT_4K, 0);
        assertThat(layout(cells)).isEqualTo("00M 01M 02M 03M 04M 10M 11M 12M 13M 14M 20M 21M 22M 23M 24M "
                + "30M 31M 32M 33M 34M 40M 41M 42M 43M 44D");
        assertThat(new WalkGrid("t", 4, 4, cells, "").count(Kind.MEMORY)).isEqualTo(24);   // (4+1)(4+1)-1
        assertThat(cells.getLast().label()).isEqualTo("0x10040001000");
    }

    @Test
    void warmWalkMarksPageWalkCacheAndNestedTlbHitsInAccessOrder() {
        assertThat(layout(walk(Paging.SHIFT_4K, 8))).isEqualTo("04P 14P 24P 30N 31N 32N 33N 34M 40P 41P 42P 43M 44D");
    }

    @Test
    void twoMegabyteHostPagesLeaveTheNestedLeafColumnEmpty() {
        List<WalkGrid.Cell> cells = walk(Paging.SHIFT_2M, 0);
        assertThat(cells).noneMatch(c -> c.col() == 3);
        assertThat(new WalkGrid("t", 4, 4, cells, "").count(Kind.MEMORY)).isEqualTo(19);
    }

    @Test
    void translateReportDrawsTheGridWithThePathAsCaption(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("walk.html");
        MainTest.CliRun r = MainTest.CliRun.of("translate", "--gva", "0x7f0000001000", "--report", file.toString());
        assertThat(r.rc()).isZero();
        String html = Files.readString(file);
        assertThat(html).contains("GVA 0x7f0000001000 → GPA 0x40001000 → HPA 0x10040001000 (4K page)")
                .contains("memory reference (24)").contains("data access (1)");
    }
}
