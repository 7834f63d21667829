package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void versionMatchesPom() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        assertThat(pom).contains("<version>" + Version.VERSION + "</version>");
    }

    @Test
    void versionOptionPrintsVersionAndExitsZero() {
        CliRun r = CliRun.of("--version");
        assertThat(r.rc()).isZero();
        assertThat(r.out()).isEqualTo("memvirt " + Version.VERSION + "\n");
    }

    @Test
    void unknownOptionIsOneLineAndExitTwo() {
        CliRun r = CliRun.of("--no-such-option");
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.err()).startsWith("memvirt: Unknown option: '--no-such-option'");
    }

    @Test
    void messagesShowInputAsATerminalCan() {
        assertThat(Main.printable("found '\u007fELF\u0000\u0001' in\nline two")).isEqualTo("found '\\x7fELF\\x00\\x01' in\nline two");
        String longWord = "a".repeat(30) + "b".repeat(30) + "c".repeat(30);
        assertThat(Main.printable("found '" + longWord + "'")).isEqualTo("found '" + "a".repeat(30) + "b".repeat(10) + "…"
                + "c".repeat(10) + "'");
        assertThat(Main.printable("x".repeat(1500))).isEqualTo("x".repeat(1000) + "…");
        assertThat(Main.printable("quoted '" + "q".repeat(60) + "' stays")).isEqualTo("quoted '" + "q".repeat(60) + "' stays");
    }

    @Test
    void noArgumentsIsAUsageErrorOfOneLine() {
        CliRun r = CliRun.of();
        assertThat(r.rc()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("memvirt: no command given (see 'memvirt --help')\n");
    }

    /** The result of running the CLI in-process with captured stdout and stderr. */
    record CliRun(int rc, String out, String err) {
        /** Runs with exactly the memvirt environment variables {@code env} (org.memvirt.host.HostEnv). */
        static CliRun with(java.util.Map<String, String> env, String... args) {
            return org.memvirt.host.HostEnv.with(env, () -> of(args));
        }

        static synchronized CliRun of(String... args) {
            PrintStream oldOut = System.out, oldErr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                 PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
                System.setOut(o);
                System.setErr(e);
                var cl = Main.commandLine();
                cl.setOut(new java.io.PrintWriter(o, true));
                cl.setErr(new java.io.PrintWriter(e, true));
                int rc = cl.execute(args);
                return new CliRun(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }
    }
}
