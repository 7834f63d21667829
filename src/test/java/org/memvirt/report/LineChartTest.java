package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class LineChartTest {
    /** One series named "a": plot 80..899 × 40..348 (960 wide, legend 37 px; 400 high). */
    private static final LineChart THREE_POINTS = new LineChart("t", "count", Quantity.COUNT, new double[] {0, 1, 2},
            List.of(new Series("a", new double[] {0, 5, 10})));

    @Test
    void pathOfAKnownThreePointSeries() {
        assertThat(paths(THREE_POINTS.render())).containsExactly("M80,348L489.5,194L899,40");
    }

    @Test
    void axisLabelsCarryUnits() {
        String svg = THREE_POINTS.render();
        assertThat(texts(svg)).containsSubsequence("0", "2", "4", "6", "8", "10", "count")
                .containsSubsequence("0", "0.5 s", "1.0 s", "1.5 s", "2.0 s", "time");
    }

    @Test
    void legendAndHoverTextPerSeries() {
        String svg = new LineChart("faults", "faults/s", Quantity.COUNT, new double[] {0, 1},
                List.of(new Series("ept", new double[] {1, 2000}), new Series("shadow", new double[] {3, 4})),
                List.of(new Marker(0.5, "swapoff"))).render();
        assertThat(svg).contains("<g class=\"series line\"><title>ept (max 2k)</title>",
                "<g class=\"series line\"><title>shadow (max 4)</title>",
                "<g class=\"marker\"><title>swapoff at 500 ms</title>");
        assertThat(legend(svg)).containsExactly("ept", "shadow", "events");
    }

    @Test
    void misalignedSeriesAreRejected() {
        assertThatThrownBy(() -> new LineChart("t", "y", Quantity.COUNT, new double[] {0, 1},
                List.of(new Series("a", new double[] {1})))).hasMessage("series 'a' has 1 values for 2 samples");
        assertThatThrownBy(() -> new LineChart("t", "y", Quantity.COUNT, new double[] {1, 0}, List.of()))
                .hasMessage("time goes backwards at sample 1");
    }

    static List<String> paths(String svg) {
        return all(svg, "<path d=\"([^\"]*)\"");
    }

    static List<String> texts(String svg) {
        return all(svg, "<text [^>]*>([^<]*)</text>");
    }

    static List<String> legend(String svg) {
        int start = svg.indexOf("<g class=\"legend\">");
        return texts(svg.substring(start, svg.indexOf("</g>", start)));
    }

    static List<String> all(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        List<String> found = new java.util.ArrayList<>();
        while (m.find()) found.add(m.group(1));
        return found;
    }
}
