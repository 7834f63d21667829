package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.junit.jupiter.api.Test;

class MarkerLaneTest {
    /** The four events of the demo's overcommit scenario that used to print over each other ("swaOOM kill"). */
    static final List<Marker> SEED_EVENTS = List.of(new Marker(23.939, "swap full"), new Marker(23.939,
            "OOM kill guest-10"), new Marker(24.275, "OOM kill guest-9"), new Marker(26.251, "OOM kill guest-12"));

    private static LineChart chart(List<Marker> markers) {
        return new LineChart("t", "bytes", Quantity.BYTES, new double[] {0, 60},
                List.of(new Series("host free", new double[] {8L << 30, 0})), markers);
    }

    @Test
    void closeEventsGetARowEachAndThePlotMovesDownByTheLane() {
        String svg = chart(SEED_EVENTS).render();
        List<Box> boxes = Box.labels(svg);
        assertThat(boxes).extracting(Box::text)
                .containsExactly("swap full", "OOM kill guest-10", "OOM kill guest-9", "OOM kill guest-12");
        // the two events at 23.939 s share a line and a row, one label each side; the next two are 4 and 35 px to
        // the right, too close for that row: rows 15 px apart, baselines 51, 66, 81 under the title, and the plot
        // starts 3 x 15 + 6 = 51 px lower than without events
        assertThat(boxes).extracting(Box::baseline).containsExactly(51.0, 51.0, 66.0, 81.0);
        assertThat(boxes).extracting(Box::anchor).containsExactly("start", "end", "start", "start");
        assertThat(LineChartTest.paths(svg).getFirst()).startsWith("M80,91");
        assertNoOverlap(boxes);
    }

    @Test
    void distantEventsShareTheFirstRow() {
        List<Box> boxes = Box.labels(chart(List.of(new Marker(5, "OOM kill vm1"), new Marker(30, "OOM kill vm2"),
                new Marker(60, "swap full (1.0 GiB), guest-7 waiting"))).render());
        assertThat(boxes).extracting(Box::baseline).containsExactly(51.0, 51.0, 51.0);
        assertThat(boxes.get(2).anchor()).isEqualTo("end");            // near the right edge: left of its line
    }

    @Test
    void aLabelThatDoesNotFitRightOfItsLineNeverGoesPastTheEdge() {
        // two long labels at the right edge: neither fits right of its line; the second's left place collides with
        // the first's, so it takes the next row, on the left again (it was put right of its line, past the edge)
        String label = "OOM kill guest-10, guest-12 and guest-9, swap full";
        List<Box> boxes = Box.labels(chart(List.of(new Marker(60, label), new Marker(60, label))).render());
        assertThat(boxes).extracting(Box::anchor).containsExactly("end", "end");
        assertThat(boxes).extracting(Box::baseline).containsExactly(51.0, 66.0);
        for (Box b : boxes) assertThat(b.right()).isLessThanOrEqualTo(Frame.WIDTH);
    }

    @Test
    void noMarkersNoLane() {
        assertThat(LineChartTest.paths(chart(List.of()).render()).getFirst()).startsWith("M80,40");
    }

    @Property(tries = 300)
    void labelBoxesNeverOverlapAndStayInTheChart(@ForAll("markers") List<Marker> markers) {
        String svg = chart(markers).render();
        List<Box> boxes = Box.labels(svg);
        assertThat(boxes).hasSameSizeAs(markers);
        assertNoOverlap(boxes);
        for (Box b : boxes) assertThat(b.left()).isGreaterThanOrEqualTo(0);
        for (Box b : boxes) assertThat(b.right()).isLessThanOrEqualTo(Frame.WIDTH);
    }

    @Provide
    Arbitrary<List<Marker>> markers() {
        Arbitrary<Marker> one = net.jqwik.api.Combinators.combine(Arbitraries.doubles().between(0, 60),
                Arbitraries.strings().withCharRange('a', 'z').withChars(' ', 'O', 'M', '-').ofMinLength(1)
                        .ofMaxLength(28)).as(Marker::new);
        return one.list().ofMaxSize(12);
    }

    static void assertNoOverlap(List<Box> boxes) {
        for (int i = 0; i < boxes.size(); i++) {
            for (int j = i + 1; j < boxes.size(); j++) {
                assertThat(boxes.get(i).overlaps(boxes.get(j))).as(boxes.get(i) + " and " + boxes.get(j)).isFalse();
            }
        }
    }

    /**
     * A marker label's box as the emitted SVG places it: from its x, anchor and baseline, with DejaVu Sans's advance
     * widths ({@link TextWidth}) and its ascent and descent at 11 px (0.93 and 0.24 em, the font's hhea table).
     */
    record Box(String text, String anchor, double baseline, double left, double right) {
        private static final Pattern LABEL = Pattern.compile(
                "<g class=\"marker-label\"><title>[^<]*</title><text x=\"([0-9.]+)\" y=\"([0-9.]+)\""
                        + "(?: text-anchor=\"(\\w+)\")?[^>]*>([^<]*)</text>");

        static List<Box> labels(String svg) {
            List<Box> boxes = new ArrayList<>();
            Matcher m = LABEL.matcher(svg);
            while (m.find()) {
                double x = Double.parseDouble(m.group(1));
                String anchor = m.group(3) == null ? "start" : m.group(3);
                double w = TextWidth.of(m.group(4), MarkerLane.FONT_SIZE);
                double left = anchor.equals("end") ? x - w : x;
                boxes.add(new Box(m.group(4), anchor, Double.parseDouble(m.group(2)), left, left + w));
            }
            return boxes;
        }

        double top() {
            return baseline - 0.93 * MarkerLane.FONT_SIZE;
        }

        double bottom() {
            return baseline + 0.24 * MarkerLane.FONT_SIZE;
        }

        boolean overlaps(Box o) {
            return left < o.right && o.left < right && top() < o.bottom() && o.top() < bottom();
        }
    }
}
