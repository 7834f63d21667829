package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class StackedAreaChartTest {
    private static final double MIB = 1 << 20;

    private static StackedAreaChart twoVms() {
        return new StackedAreaChart("host", "memory", Quantity.BYTES, new double[] {0, 10},
                List.of(new Series("vm1 resident", new double[] {256 * MIB, 512 * MIB}),
                        new Series("vm2 resident", new double[] {0, 256 * MIB})),
                List.of(new Series("host free", new double[] {1024 * MIB, 256 * MIB})),
                List.of(new Marker(5, "OOM kill vm3")));
    }

    @Test
    void seriesAreStackedBottomUp() {
        double[][] tops = twoVms().tops();
        assertThat(tops[0]).containsExactly(256 * MIB, 512 * MIB);
        assertThat(tops[1]).containsExactly(256 * MIB, 768 * MIB);
    }

    @Test
    void eachAreaRunsAlongItsTopAndBackAlongTheSeriesBelow() {
        // y axis 0..1 GiB (256 MiB steps), plot y 61..369 under the marker's label row (15 px + 6 px); x 0..10 s
        // over 80..x_end
        List<String> d = LineChartTest.paths(twoVms().render());
        String right = d.get(0).substring(d.get(0).indexOf('L') + 1, d.get(0).indexOf(','
                , d.get(0).indexOf('L')));
        assertThat(d).containsExactly(
                "M80,292L" + right + ",215L" + right + ",369L80,369Z",
                "M80,292L" + right + ",138L" + right + ",215L80,292Z",
                "M80,61L" + right + ",292");
    }

    @Test
    void legendListsTheStackTopFirstThenOverlaysThenEvents() {
        assertThat(LineChartTest.legend(twoVms().render()))
                .containsExactly("vm2 resident", "vm1 resident", "host free", "events");
    }

    @Test
    void yTicksAreInMibAndMarkersAreLabelled() {
        String svg = twoVms().render();
        assertThat(LineChartTest.texts(svg)).containsSubsequence("0", "256 MiB", "512 MiB", "768 MiB", "1 GiB", "memory")
                .contains("OOM kill vm3");
        assertThat(svg).contains("<title>vm1 resident (max 512 MiB)</title>", "<title>host free (max 1 GiB)</title>",
                "<title>OOM kill vm3 at 5 s</title>");
    }
}
