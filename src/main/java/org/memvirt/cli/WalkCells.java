package org.memvirt.cli;

import java.util.ArrayList;
import java.util.List;

import org.memvirt.report.WalkGrid;
import org.memvirt.x86.MemRef;

/**
 * The cells of a {@link WalkGrid} from one walk's references ({@code x86.RefLog}, in access order). A nested reference
 * belongs to the row of the guest entry read after it (the nested walk translates that entry's table address), or to
 * the final gPA row when no guest entry follows. Rows and cells a warm walk skipped are marked as the cache that
 * supplied them: guest rows above the first guest reference came from the page-walk cache, nested columns above the
 * first nested reference of a row from the nested page-walk cache, a row without nested references from the nested TLB.
 */
final class WalkCells {
    static final String GUEST = "guest";
    static final String NESTED = "nested";
    static final long PS = 1L << 7;                                // SDM Vol 3A §4.5 Table 4-17: PS, page size

    private WalkCells() {}

    /**
     * @param refs the walk's references, dimensions named {@link #GUEST} and {@link #NESTED}
     * @param n guest levels
     * @param m nested levels
     * @param nestedLeafLevel the level of the nested leaf entry (1 for 4 KiB host pages, 2 for 2 MiB, 3 for 1 GiB)
     * @param hpa the data's host-physical address, or -1 when the walk faulted
     */
    static List<WalkGrid.Cell> cells(List<MemRef> refs, int n, int m, int nestedLeafLevel, long hpa) {
        if (refs.isEmpty()) return hpa < 0 ? List.of() : List.of(new WalkGrid.Cell(n, m, WalkGrid.Kind.DATA, hex(hpa)));
        List<List<MemRef>> nestedByRow = new ArrayList<>();
        MemRef[] guestByRow = new MemRef[n + 1];
        for (int row = 0; row <= n; row++) nestedByRow.add(new ArrayList<>());
        List<MemRef> pending = new ArrayList<>();
        int firstRow = -1;
        int lastRow = -1;
        for (MemRef ref : refs) {
            if (ref.dim().equals(NESTED)) {
                pending.add(ref);
                continue;
            }
            int row = n - ref.level();
            if (firstRow < 0) firstRow = row;
            lastRow = row;
            nestedByRow.get(row).addAll(pending);
            pending.clear();
            guestByRow[row] = ref;
        }
        if (!pending.isEmpty() || hpa >= 0) {
            MemRef last = lastRow < 0 ? null : guestByRow[lastRow];
            boolean leafSeen = last != null && (last.level() == 1 || (last.entry() & PS) != 0);
            int row = hpa >= 0 || leafSeen ? n : lastRow + 1;     // a nested fault stops the row being translated
            nestedByRow.get(row).addAll(pending);
            if (firstRow < 0) firstRow = row;
            lastRow = row;
        }
        List<WalkGrid.Cell> cells = new ArrayList<>(refs.size() + 2 * (m + 1));
        for (int row = 0; row < firstRow; row++) cells.add(new WalkGrid.Cell(row, m, WalkGrid.Kind.PWC_HIT, ""));
        for (int row = firstRow; row <= lastRow; row++) {
            if (guestByRow[row] == null && nestedByRow.get(row).isEmpty() && row != n) continue;   // large guest page
            row(cells, row, m, nestedLeafLevel, nestedByRow.get(row));
            if (guestByRow[row] != null) {
                cells.add(new WalkGrid.Cell(row, m, WalkGrid.Kind.MEMORY, hex(guestByRow[row].hpa())));
            }
        }
        if (hpa >= 0) cells.add(new WalkGrid.Cell(n, m, WalkGrid.Kind.DATA, hex(hpa)));
        return cells;
    }

    /** One row's nested part: cache hits first (nested TLB, or the page-walk cache above the first reference). */
    private static void row(List<WalkGrid.Cell> cells, int row, int m, int nestedLeafLevel, List<MemRef> nested) {
        if (nested.isEmpty()) {
            for (int col = 0; col <= m - nestedLeafLevel; col++) {
                cells.add(new WalkGrid.Cell(row, col, WalkGrid.Kind.NESTED_TLB_HIT, ""));
            }
            return;
        }
        for (int col = 0; col < m - nested.getFirst().level(); col++) {
            cells.add(new WalkGrid.Cell(row, col, WalkGrid.Kind.PWC_HIT, ""));
        }
        for (MemRef ref : nested) cells.add(new WalkGrid.Cell(row, m - ref.level(), WalkGrid.Kind.MEMORY, hex(ref.hpa())));
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
