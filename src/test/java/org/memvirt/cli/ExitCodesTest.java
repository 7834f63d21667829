package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.memvirt.ExitCoded;

import picocli.CommandLine;

/**
 * docs/exit-codes.md for every command: 0 done, 1 input refused, 2 usage, 3 this host cannot, 70 internal error; each
 * error one line on stderr. (4, a failed guest, needs a running guest: KvmEngineTest.)
 */
class ExitCodesTest {
    private static final Map<String, String> NO_KVM = Map.of("MEMVIRT_KVM", "off");
    private static final Map<String, String> NO_KVM_HOST = Map.of("MEMVIRT_HOST_ROOT", "src/test/resources/host/no-kvm");

    /** Every sub-command by name, as --help lists them. */
    private static List<String> commands() {
        List<String> names = new ArrayList<>(Main.commandLine().getSubcommands().keySet());
        names.remove("help");
        return names;
    }

    private static void oneLineError(MainTest.CliRun r, int status, String message) {
        assertThat(r.rc()).as("exit status; stderr: %s", r.err()).isEqualTo(status);
        assertThat(r.err()).isEqualTo(message + "\n");
    }

    @Test
    void everyCommandIsListedHere() {
        assertThat(commands()).containsExactly("version", "config", "host-check", "plan", "translate", "run",
                "scenario", "demo", "image");
    }

    @Test
    void everyCommandGivesZeroForHelpAndTwoForAnUnknownOption() {
        for (String c : commands()) {
            assertThat(MainTest.CliRun.of(c, "--help").rc()).as(c + " --help").isEqualTo(ExitCoded.OK);
            MainTest.CliRun r = MainTest.CliRun.of(c, "--no-such-option");
            assertThat(r.rc()).as(c).isEqualTo(ExitCoded.USAGE);
            if (c.equals("config") || c.equals("run")) {   // a whole QEMU line is read: QEMU's own wording
                assertThat(r.err()).isEqualTo("memvirt: --no-such-option: invalid option\n");
                continue;
            }
            assertThat(r.err().lines()).as(c).hasSize(1)                   // translate names its missing --gva first
                    .allMatch(l -> l.startsWith("memvirt: ") && l.endsWith(" (see 'memvirt " + c + " --help')"));
        }
    }

    @Test
    void noCommandAndAnUnknownCommandAreUsageErrors() {
        oneLineError(MainTest.CliRun.of(), ExitCoded.USAGE, "memvirt: no command given (see 'memvirt --help')");
        MainTest.CliRun r = MainTest.CliRun.of("warp");
        assertThat(r.rc()).isEqualTo(ExitCoded.USAGE);
        assertThat(r.err().lines()).hasSize(1).allMatch(l -> l.startsWith("memvirt: Unmatched argument at index 0: 'warp'"));
    }

    @Test
    void eachCommandRefusesABadOptionWordWithTwo() {
        oneLineError(MainTest.CliRun.of("version", "extra"), ExitCoded.USAGE,
                "memvirt: Unmatched argument at index 1: 'extra' (see 'memvirt version --help')");
        oneLineError(MainTest.CliRun.of("config", "-machine"), ExitCoded.USAGE,
                "memvirt: -machine: requires an argument");             // QEMU's text (vl.c lookup_opt)
        oneLineError(MainTest.CliRun.of("run", "--workload", "touch 1M", "-foo"), ExitCoded.USAGE,
                "memvirt: -foo: invalid option");
        assertThat(MainTest.CliRun.of("host-check", "--unit", "warp").rc()).isEqualTo(ExitCoded.USAGE);
        assertThat(MainTest.CliRun.of("plan", "--guest").rc()).isEqualTo(ExitCoded.USAGE);
        oneLineError(MainTest.CliRun.of("translate", "--gva", "0x1000", "--mmu", "vmx"), ExitCoded.USAGE,
                "memvirt: --mmu must be ept, npt, shadow or native, not 'vmx'");
        oneLineError(MainTest.CliRun.of("run", "--engine", "warp", "--workload", "touch 1M"), ExitCoded.USAGE,
                "memvirt: --engine must be sim, kvm, qemu or auto, not 'warp'");
        assertThat(MainTest.CliRun.of("scenario", "examples/demo-overcommit.yaml", "--engine", "warp").rc())
                .isEqualTo(ExitCoded.USAGE);
        assertThat(MainTest.CliRun.of("demo", "--report").rc()).isEqualTo(ExitCoded.USAGE);
    }

    @Test
    void eachCommandRefusesBadInputWithOne() {
        oneLineError(MainTest.CliRun.of("config", "-m", "1G,maxmem=512M"), ExitCoded.INPUT, "memvirt: invalid value of "
                + "maxmem: maximum memory size (0x20000000) must be at least the initial memory size (0x40000000)");
        assertThat(MainTest.CliRun.of("plan", "--host-ram", "1X", "--guest", "1G").rc()).isEqualTo(ExitCoded.INPUT);
        oneLineError(MainTest.CliRun.of("translate", "--gva", "0x1000", "--warm", "512"), ExitCoded.INPUT,
                "memvirt: --warm must be 0..511");
        oneLineError(MainTest.CliRun.of("run", "-m", "1G", "--engine", "sim", "--mmu", "ept", "--workload", "touch 2G"),
                ExitCoded.INPUT, "memvirt: workload step 1 'touch 2G': reaches region offset 2G, beyond the guest's 1G"
                        + " of RAM (the workload region is as large as RAM)");
        assertThat(MainTest.CliRun.of("scenario", "no-such-file.yaml").rc()).isEqualTo(ExitCoded.INPUT);
        oneLineError(MainTest.CliRun.of("demo", "--report", "/nonexistent-dir/demo.html"), ExitCoded.INPUT,
                "memvirt: cannot write --report /nonexistent-dir/demo.html: directory /nonexistent-dir does not exist");
        oneLineError(MainTest.CliRun.of("image", "build", "--kernel", "/nonexistent/vmlinuz", "--initrd", "/nonexistent/i"),
                ExitCoded.INPUT, "memvirt: --kernel /nonexistent/vmlinuz: not a readable regular file");
    }

    @Test
    void whatThisHostCannotDoGivesThree() {
        assertThat(MainTest.CliRun.with(NO_KVM_HOST, "host-check").rc()).isEqualTo(ExitCoded.HOST);
        assertThat(MainTest.CliRun.with(NO_KVM, "host-check").rc()).isEqualTo(ExitCoded.HOST);
        oneLineError(MainTest.CliRun.with(NO_KVM, "run", "--engine", "kvm", "--workload", "touch 1M"), ExitCoded.HOST,
                "memvirt: --engine kvm: /dev/kvm does not exist (MEMVIRT_KVM=off)");
        oneLineError(MainTest.CliRun.with(Map.of("MEMVIRT_KVM", "denied"), "scenario", "examples/demo-overcommit.yaml",
                "--engine", "kvm"), ExitCoded.HOST,
                "memvirt: --engine kvm: open /dev/kvm failed: EACCES (13): Permission denied (MEMVIRT_KVM=denied)");
        oneLineError(MainTest.CliRun.with(NO_KVM_HOST, "run", "--engine", "kvm", "--workload", "touch 1M"),
                ExitCoded.HOST, "memvirt: --engine kvm: /dev/kvm does not exist "
                        + "(MEMVIRT_HOST_ROOT=src/test/resources/host/no-kvm)");
    }

    @Test
    void aMalformedEnvironmentVariableIsAUsageError() {
        oneLineError(MainTest.CliRun.with(Map.of("MEMVIRT_KVM", "on"), "host-check"), ExitCoded.USAGE,
                "memvirt: MEMVIRT_KVM must be off or denied (or unset), not 'on'");
        oneLineError(MainTest.CliRun.with(Map.of("MEMVIRT_HOST_ROOT", "no/such/dir"), "run", "--workload", "touch 1M"),
                ExitCoded.USAGE, "memvirt: MEMVIRT_HOST_ROOT=no/such/dir: not a directory");
        oneLineError(MainTest.CliRun.with(Map.of("MEMVIRT_HOST_ROOT", "no/such/dir"), "plan", "--guest", "2x1G"),
                ExitCoded.USAGE, "memvirt: MEMVIRT_HOST_ROOT=no/such/dir: not a directory");
    }

    /** A command that fails as a bug would. */
    @CommandLine.Command(name = "boom")
    static final class Boom implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void anUnexpectedExceptionIsAnInternalErrorOfOneLine() {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand(new Boom());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cl.setErr(new PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
        assertThat(cl.execute("boom")).isEqualTo(ExitCoded.INTERNAL);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("memvirt: internal error: "
                + "java.lang.IllegalStateException: boom (run with --debug for the stack trace)\n");
    }
}
