package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressTest {
    private static final long MS = 1_000_000L;

    private final long[] now = {5_000 * MS};
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private Progress progress(boolean enabled) {
        return new Progress(out, () -> now[0], enabled);
    }

    @Test
    void nothingIsShownDuringTheFirstSecond() {
        Progress p = progress(true);
        p.stepStarted(0, 1, "touch 1G");
        now[0] += 999 * MS;
        p.stepProgress(0.9);
        p.close();
        assertThat(printed()).isEmpty();
    }

    @Test
    void barPercentTextAndEstimateAfterOneSecond() {
        Progress p = progress(true);
        p.stepStarted(0, 1, "touch 1G");
        now[0] += 1000 * MS;
        p.stepProgress(0.25);
        assertThat(printed()).isEqualTo("\r[#####---------------]  25% touch 1G  ETA 3s");
    }

    @Test
    void redrawsAtMostTenTimesASecondAndPadsShorterLines() {
        Progress p = progress(true);
        p.stepStarted(0, 1, "touch 1G");
        now[0] += 1000 * MS;
        for (int i = 0; i < 1000; i++) {   // 2 s of callbacks every 2 ms
            p.stepProgress(0.25 + i * 0.0005);
            now[0] += 2 * MS;
        }
        assertThat(printed().chars().filter(c -> c == '\r').count()).isEqualTo(20);
        int width = printed().length() - printed().lastIndexOf('\r') - 1;
        p.close();
        assertThat(printed()).endsWith("\r" + " ".repeat(width) + "\r");
    }

    @Test
    void laterStepsCountTowardsTheWholeRun() {
        Progress p = progress(true);
        p.stepStarted(0, 4, "a");
        now[0] += 1500 * MS;
        p.stepStarted(1, 4, "balloon 512M");
        p.stepProgress(0.5);
        assertThat(printed()).isEqualTo("\r[#####---------------]  25% balloon 512M  ETA 5s");
        now[0] += 100 * MS;
        p.stepProgress(0.5);
        assertThat(printed()).endsWith("\r[#######-------------]  37% balloon 512M  ETA 3s");
    }

    @Test
    void disabledPrintsNothingAtAll() {
        Progress p = progress(false);
        p.stepStarted(0, 1, "touch 1G");
        now[0] += 5000 * MS;
        p.stepProgress(0.5);
        p.close();
        assertThat(printed()).isEmpty();
        assertThat(p.enabled()).isFalse();
    }

    @Test
    void jsonOrAPipeDisablesTheBar() {
        assertThat(Progress.forStderr(out, true).enabled()).isFalse();
        // the build runs tests with piped standard streams, so there is no terminal here either
        assertThat(Progress.forStderr(out, false).enabled()).isFalse();
    }

    @Test
    void stderrCountsAsATerminalOnlyWhenItIsATtyDevice(@TempDir Path dir) throws IOException {
        Path pts = Files.createSymbolicLink(dir.resolve("pts"), Path.of("/dev/pts/3"));
        Path pipe = Files.createSymbolicLink(dir.resolve("pipe"), Path.of("pipe:[12345]"));
        Path file = Files.createSymbolicLink(dir.resolve("file"), Path.of("/tmp/log"));
        assertThat(Progress.isTerminal(pts)).isTrue();
        assertThat(Progress.isTerminal(pipe)).isFalse();
        assertThat(Progress.isTerminal(file)).isFalse();
    }

    @Test
    void longTextIsCutToFitEightyColumns() {
        String line = Progress.line(0.5, "x".repeat(200), 10_000 * MS);
        assertThat(line).hasSize(Progress.LINE_WIDTH).startsWith("[##########----------]  50% xxx")
                .endsWith("x…  ETA 10s");
    }

    @Test
    void remainingTimeIsRoundedUpToSeconds() {
        assertThat(Progress.duration(1)).isEqualTo("1s");
        assertThat(Progress.duration(59_000 * MS)).isEqualTo("59s");
        assertThat(Progress.duration(125_000 * MS)).isEqualTo("2m05s");
        assertThat(Progress.duration(3_720_000 * MS)).isEqualTo("1h02m");
        assertThat(Progress.line(0, "", 0)).isEqualTo("[--------------------]   0%");
    }
}
