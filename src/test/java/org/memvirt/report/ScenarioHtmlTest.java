package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import org.memvirt.engine.HostResult;

class ScenarioHtmlTest {
    private static final HostResult TEN = Samples.scenario();

    @Test
    void theSummaryLineOpensThePage() {
        String page = ScenarioHtml.build(TEN).html();
        // (pages_sharing 160,000 + ksm_zero_pages 2,000) x 4 KiB = 632.8 MiB
        String line = "2 of 10 VMs killed by the host OOM killer: guest-8, guest-9; peak swap used 1.0 GiB of 1.0 GiB;"
                + " KSM saved 633 MiB";
        assertThat(ScenarioText.summary(TEN.summary())).isEqualTo(line);
        assertThat(page).contains("<h1>memvirt scenario ten-guests</h1>\n<p class=\"lead\">" + line + "</p>");
        assertThat(ScenarioText.render(TEN).lines().toList().get(2)).isEqualTo(line);
    }

    @Test
    void everyKilledOrSwappedVmHasAFullChartAndTheRestSmallOnes() {
        String page = ScenarioHtml.build(TEN).html();
        List<String> full = new ArrayList<>(), small = new ArrayList<>();
        Matcher m = Pattern.compile("<svg [^>]*width=\"(\\d+)\"[^>]*aria-label=\"(guest-\\d+) \\(1\\.0 GiB\\)\"").matcher(page);
        while (m.find()) (Integer.parseInt(m.group(1)) == ScenarioHtml.SMALL_WIDTH ? small : full).add(m.group(2));
        assertThat(full).containsExactly("guest-0", "guest-1", "guest-8", "guest-9");
        assertThat(small).containsExactly("guest-2", "guest-3", "guest-4", "guest-5", "guest-6", "guest-7");
    }

    @Test
    void theHostChartStacksWhatTheHostHoldsSoSwapNeverExceedsTheSwapArea() {
        double[] t = new double[TEN.timeline().size()];
        for (int i = 0; i < t.length; i++) t[i] = TEN.timeline().get(i).t();
        StackedAreaChart c = ScenarioHtml.hostChart(TEN, t);
        assertThat(c.stacked()).extracting(Series::name).containsExactly("RAM used, not KSM", "KSM pages", "swap used");
        long perVmSwapped = 0;
        for (HostResult.VmSample v : TEN.timeline().getLast().vms()) perVmSwapped += v.swapped();
        assertThat(perVmSwapped).isEqualTo(2 * 1000 * Samples.MIB);        // what the old chart stacked: 2x the swap
        assertThat(c.stacked().get(2).max()).isEqualTo((double) TEN.host().swapBytes());
        double[] ramTop = c.tops()[1];
        for (int i = 0; i < t.length; i++) {
            assertThat(ramTop[i]).isEqualTo((double) TEN.timeline().get(i).hostUsedBytes());   // RAM + KSM = free's used
        }
    }

    @Test
    void theEventTimeColumnDoesNotWrap() {
        String page = ScenarioHtml.build(TEN).html();
        assertThat(page).contains("<table class=\"one-text-column\">\n<caption>events in virtual-time order</caption>");
        assertThat(page).contains("td.num { text-align: right; white-space: nowrap; }")
                .contains("table.one-text-column td:not(:last-child) { white-space: nowrap; }");
    }

    @Test
    void killsLabelFirstAndNoLabelOverlapsAnother() {
        List<Marker> m = ScenarioHtml.markers(TEN.events(), null);
        assertThat(m).extracting(Marker::label).containsExactly("OOM kill guest-8", "OOM kill guest-9", "swap full");
    }
}
