package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SvgTest {
    @Test
    void numbersHaveAtMostTwoDecimalsAndNoTrailingZeros() {
        assertThat(Svg.num(12)).isEqualTo("12");
        assertThat(Svg.num(12.5)).isEqualTo("12.5");
        assertThat(Svg.num(12.25)).isEqualTo("12.25");
        assertThat(Svg.num(12.3456)).isEqualTo("12.35");
        assertThat(Svg.num(0.05)).isEqualTo("0.05");
        assertThat(Svg.num(-3.1)).isEqualTo("-3.1");
        assertThat(Svg.num(-0.001)).isEqualTo("0");
    }

    @Test
    void escapeCoversMarkupQuotesAndDoubleSlashes() {
        assertThat(Svg.escape("a<b>&\"c'")).isEqualTo("a&lt;b&gt;&amp;&quot;c&#39;");
        assertThat(Svg.escape("file:///tmp/x")).isEqualTo("file:/&#47;&#47;tmp/x");
        assertThat(Svg.escape("plain / text")).isSameAs("plain / text".toString()).isEqualTo("plain / text");
    }

    @Test
    void elementsAreWrittenExactly() {
        String svg = new Svg(100, 50, "demo").group("series", "vm1 <resident>")
                .rect(1, 2, 3.5, -4, "fill=\"#fff\"").line(0, 0, 10, 10, "")
                .path(new PathData().moveTo(0, 0).lineTo(10, 5.5).closePath().toString(), "fill=\"none\"")
                .text(5, 6, "middle", "", "1 GiB").end().finish();
        assertThat(svg).isEqualTo("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"100\" height=\"50\""
                + " viewBox=\"0 0 100 50\" font-family=\"system-ui,DejaVu Sans,Arial,sans-serif\" font-size=\"12\""
                + " role=\"img\" aria-label=\"demo\">"
                + "<g class=\"series\"><title>vm1 &lt;resident&gt;</title>"
                + "<rect x=\"1\" y=\"2\" width=\"3.5\" height=\"0\" fill=\"#fff\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"10\" y2=\"10\"/>"
                + "<path d=\"M0,0L10,5.5Z\" fill=\"none\"/>"
                + "<text x=\"5\" y=\"6\" text-anchor=\"middle\">1 GiB</text></g></svg>");
    }
}
