package org.memvirt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/sim-engine.md's sim-against-kvm tables show the bounds {@link DifferentialBounds} gives the tests, and the sim
 * figures the sim engine produces now; their kvm figures (measured on a KVM host, checked there by
 * {@code EngineDifferentialTest}) lie within those bounds. Runs without /dev/kvm.
 */
class DifferentialDocsTest {
    private static final Path DOC = Path.of("docs/sim-engine.md");
    private static final Pattern PAIR = Pattern.compile("(-?\\d+) / (-?\\d+)");
    private static final Pattern RANGE = Pattern.compile("\\[(−?-?\\d+), (−?-?\\d+)\\]");
    private static List<List<String>> opRows, residentRows;
    private static List<RunResult> sims;

    @BeforeAll
    static void readDocAndRunTheSim() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        opRows = table(lines, "| workload | op | pf_fixed sim / kvm |");
        residentRows = table(lines, "| workload | resident pages sim / kvm |");
        sims = new ArrayList<>();
        for (DifferentialBounds.Case c : DifferentialBounds.CASES) sims.add(DifferentialBounds.sim(c));
    }

    /** The cells of the rows of the table whose header starts with {@code header}. */
    private static List<List<String>> table(List<String> lines, String header) {
        int start = -1;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith(header)) start = i + 2;
        assertThat(start).as("table '" + header + "' in " + DOC).isPositive();
        List<List<String>> rows = new ArrayList<>();
        for (int i = start; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String l = lines.get(i);
            List<String> cells = new ArrayList<>();
            for (String c : l.substring(1, l.length() - 1).split("\\|", -1)) cells.add(c.strip());
            rows.add(cells);
        }
        return rows;
    }

    private static long[] pair(String cell) {
        Matcher m = PAIR.matcher(cell);
        assertThat(m.matches()).as("'" + cell + "' is 'sim / kvm'").isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    private static long[] range(String cell) {
        Matcher m = RANGE.matcher(cell);
        assertThat(m.matches()).as("'" + cell + "' is '[low, high]'").isTrue();
        return new long[] {Long.parseLong(m.group(1).replace('−', '-')), Long.parseLong(m.group(2).replace('−', '-'))};
    }

    private static long signed(String cell) {
        return Long.parseLong(cell.replace('−', '-').replace("+", ""));
    }

    private static String label(DifferentialBounds.Case c) {
        return c.qemu().size() > 2 ? "`" + String.join(" ", c.qemu().subList(2, c.qemu().size())) + "`: `" + c.workload() + "`"
                : "`" + c.workload() + "`";
    }

    @Test
    void theOpTableShowsTheSimsFiguresAndTheTestsBounds() {
        List<String> expected = new ArrayList<>(), actual = new ArrayList<>();
        int row = 0;
        for (int ci = 0; ci < DifferentialBounds.CASES.size(); ci++) {
            DifferentialBounds.Case c = DifferentialBounds.CASES.get(ci);
            RunResult s = sims.get(ci);
            boolean first = true;
            for (int i = 0; i < s.ops().size(); i++) {
                String op = s.ops().get(i).op();
                if (!DifferentialBounds.listed(op)) continue;
                Counters d = s.ops().get(i).deltas();
                DifferentialBounds.Tolerance t = DifferentialBounds.tolerance(op, d, DifferentialBounds.demandAt(s.ops(), i));
                expected.add(String.join(" | ", first ? label(c) : "", DifferentialBounds.shown(op), d.get(Counter.PF_FIXED) + " / kvm",
                        t.range(), d.get(Counter.PF_GUEST) + " / kvm", d.get(Counter.INVLPG) + " / kvm", d.get(Counter.GUEST_FRAMES) + " / kvm"));
                first = false;
                if (row >= opRows.size()) continue;
                List<String> cells = opRows.get(row++);
                actual.add(String.join(" | ", cells.get(0), cells.get(1), pair(cells.get(2))[0] + " / kvm", rangeText(cells.get(5)),
                        pair(cells.get(6))[0] + " / kvm", pair(cells.get(7))[0] + " / kvm", pair(cells.get(8))[0] + " / kvm"));
            }
        }
        assertThat(actual).containsExactlyElementsOf(expected);
        assertThat(opRows).hasSameSizeAs(expected);
    }

    private static String rangeText(String cell) {
        long[] r = range(cell);
        return "[" + r[0] + ", " + r[1] + "]";
    }

    @Test
    void theMeasuredKvmFiguresLieWithinTheBoundsAndTheirDifferencesAreRight() {
        for (List<String> cells : opRows) {
            long[] fixed = pair(cells.get(2)), allowed = range(cells.get(5));
            long race = cells.get(4).equals("—") ? 0 : signed(cells.get(4));
            assertThat(signed(cells.get(3))).as(cells + ": kvm − sim").isEqualTo(fixed[1] - fixed[0]);
            assertThat(fixed[1] - fixed[0] - race).as(cells + ": kvm − sim − race").isBetween(allowed[0], allowed[1]);
            for (int col = 6; col <= 8; col++) {
                long[] p = pair(cells.get(col));
                assertThat(p[1]).as(cells + ": column " + col + " is equal on both engines").isEqualTo(p[0]);
            }
        }
    }

    @Test
    void theRaceColumnIsCountedAgainstTheOneVcpuTwin() {
        for (int ci = 0; ci < DifferentialBounds.CASES.size(); ci++) {
            DifferentialBounds.Case c = DifferentialBounds.CASES.get(ci);
            List<List<String>> rows = rowsOf(ci);
            if (c.qemu().size() == 2) {
                for (List<String> cells : rows) assertThat(cells.get(4)).as(cells + ": one vCPU, no race").isEqualTo("—");
                continue;
            }
            int twin = DifferentialBounds.CASES.indexOf(c.oneVcpu());
            assertThat(twin).as(c.label() + " has a one-vCPU twin in the table").isNotNegative();
            List<List<String>> twinRows = rowsOf(twin);
            for (int i = 0; i < rows.size(); i++) {
                long[] n = pair(rows.get(i).get(2)), one = pair(twinRows.get(i).get(2));
                assertThat(signed(rows.get(i).get(4))).as(rows.get(i) + ": race = kvmN − kvm1 − (simN − sim1)")
                        .isEqualTo(n[1] - one[1] - (n[0] - one[0]));
            }
        }
    }

    /** The op-table rows of case {@code caseIndex}. */
    private static List<List<String>> rowsOf(int caseIndex) {
        int row = 0;
        for (int ci = 0; ci <= caseIndex; ci++) {
            int listed = 0;
            for (RunResult.OpResult o : sims.get(ci).ops()) if (DifferentialBounds.listed(o.op())) listed++;
            if (ci == caseIndex) return opRows.subList(row, row + listed);
            row += listed;
        }
        throw new AssertionError();
    }

    @Test
    void theResidentTableShowsTheSimsFiguresAndTheTestsBounds() {
        assertThat(residentRows).hasSameSizeAs(DifferentialBounds.CASES);
        for (int ci = 0; ci < DifferentialBounds.CASES.size(); ci++) {
            DifferentialBounds.Case c = DifferentialBounds.CASES.get(ci);
            RunResult s = sims.get(ci);
            List<String> cells = residentRows.get(ci);
            long[] resident = pair(cells.get(1)), allowed = range(cells.get(3));
            assertThat(cells.get(0)).isEqualTo(label(c));
            assertThat(resident[0]).as(c.label() + ": sim resident pages").isEqualTo(s.memory().residentBytes() / DifferentialBounds.PAGE);
            assertThat(allowed).as(c.label() + ": allowed").containsExactly(0, DifferentialBounds.residentHigh(s.vcpus().size()));
            assertThat(signed(cells.get(2))).as(c.label() + ": kvm − sim").isEqualTo(resident[1] - resident[0]);
            assertThat(resident[1] - resident[0]).as(c.label() + ": measured kvm − sim").isBetween(allowed[0], allowed[1]);
        }
    }
}
