package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.memvirt.Skip;

/**
 * {@code -cpu MODEL,phys-bits=N,vendor=V} as qemu-system-x86_64 7.2.22 takes it: each row is a command line and what
 * the real binary printed for it (empty when it started), recorded with
 * {@code echo quit | qemu-system-x86_64 ARGS -display none -S -monitor stdio -serial none -nodefaults}; the live test
 * below replays the rows against the binary itself where it is installed.
 */
class CpuModelTest {
    static final String QEMU = "qemu-system-x86_64";

    static Stream<Arguments> observed() {
        return Stream.of(
                Arguments.of("-cpu qemu64,phys-bits=0", ""),                   // 0: the default (40)
                Arguments.of("-cpu qemu64,phys-bits=32", ""),
                Arguments.of("-cpu qemu64,phys-bits=52", ""),
                Arguments.of("-cpu qemu64,phys-bits=0x30", ""),                // qemu_strtou64 base 0
                Arguments.of("-cpu qemu64,phys-bits=+40", ""),
                Arguments.of("-cpu qemu64,phys-bits=31", "phys-bits should be between 32 and 52  (but is 31)"),
                Arguments.of("-cpu qemu64,phys-bits=53", "phys-bits should be between 32 and 52  (but is 53)"),
                Arguments.of("-cpu qemu64,phys-bits=60", "phys-bits should be between 32 and 52  (but is 60)"),
                Arguments.of("-cpu qemu64,phys-bits=40,phys-bits=20", "phys-bits should be between 32 and 52  (but is 20)"),
                Arguments.of("-cpu qemu64,phys-bits=-1",
                        "can't apply global qemu64-x86_64-cpu.phys-bits=-1: Parameter 'phys-bits' expects uint32_t"),
                Arguments.of("-cpu qemu64,phys-bits=4294967296",
                        "can't apply global qemu64-x86_64-cpu.phys-bits=4294967296: Parameter 'phys-bits' expects uint32_t"),
                Arguments.of("-cpu qemu64,phys-bits=abc",
                        "can't apply global qemu64-x86_64-cpu.phys-bits=abc: Parameter 'phys-bits' expects uint64"),
                Arguments.of("-cpu qemu64,phys-bits=1e3",
                        "can't apply global qemu64-x86_64-cpu.phys-bits=1e3: Parameter 'phys-bits' expects uint64"),
                Arguments.of("-cpu qemu64,phys-bits=99999999999999999999", "can't apply global"
                        + " qemu64-x86_64-cpu.phys-bits=99999999999999999999: Parameter 'phys-bits' expects uint64"),
                Arguments.of("-cpu qemu64,phys-bits=",
                        "can't apply global qemu64-x86_64-cpu.phys-bits=: Parameter 'phys-bits' expects uint64"),
                Arguments.of("-cpu qemu64,phys-bits",
                        "can't apply global qemu64-x86_64-cpu.phys-bits=on: Parameter 'phys-bits' expects uint64"),
                Arguments.of("-cpu qemu32,phys-bits=40", "phys-bits is not user-configurable in 32 bit"),
                Arguments.of("-cpu 486,phys-bits=50", "phys-bits is not user-configurable in 32 bit"),
                Arguments.of("-cpu qemu32,phys-bits=0", ""),
                Arguments.of("-cpu qemu64,vendor=HygonGenuine", ""),
                Arguments.of("-cpu qemu64,vendor=Foo",
                        "can't apply global qemu64-x86_64-cpu.vendor=Foo: Property '.vendor' doesn't take value 'Foo'"),
                Arguments.of("-cpu foo", "unable to find CPU model 'foo'"),
                Arguments.of("-cpu epyc", "unable to find CPU model 'epyc'"),
                Arguments.of("-cpu foo,phys-bits=abc", "unable to find CPU model 'foo'"),
                Arguments.of("-cpu foo -smp 300",
                        "Invalid SMP CPUs 300. The max CPUs supported by machine 'pc-i440fx-7.2' is 255"),
                Arguments.of("-cpu qemu64,phys-bits=20 -M pc,memory-backend=nope", "Memory backend 'nope' not found"));
    }

    /** What memvirt prints for {@code commandLine}, with QEMU's program name. */
    private static String memvirt(String commandLine) {
        try {
            QemuArgs.parse(org.memvirt.cli.ShellWords.split(commandLine));
            return "";
        } catch (ConfigException e) {
            return QEMU + ": " + e.getMessage();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("observed")
    void printsWhatQemuPrinted(String commandLine, String qemuError) {
        assertThat(memvirt(commandLine)).isEqualTo(qemuError.isEmpty() ? "" : QEMU + ": " + qemuError);
    }

    @Test
    void physBitsAndVendorReachTheLayout() {
        assertThat(CpuModel.parse("qemu64,phys-bits=0")).isEqualTo(new CpuModel("qemu64", true, 40));
        assertThat(CpuModel.parse("qemu64,phys-bits=0x30")).isEqualTo(new CpuModel("qemu64", true, 48));
        assertThat(CpuModel.parse("EPYC,vendor=GenuineIntel,phys-bits=52")).isEqualTo(new CpuModel("EPYC", false, 52));
    }

    @Test
    void theInstalledQemuAgrees() throws Exception {
        String version = version();
        Skip.unless(version != null && version.contains("version 7.2."), () -> QEMU + " 7.2 is not installed ("
                + (version == null ? "absent" : version.lines().findFirst().orElse("")) + ")");
        List<String> differ = new ArrayList<>();
        for (Arguments row : observed().toList()) {
            String commandLine = (String) row.get()[0];
            List<String> argv = new ArrayList<>(List.of(QEMU));
            argv.addAll(org.memvirt.cli.ShellWords.split(commandLine));
            argv.addAll(List.of("-display", "none", "-S", "-monitor", "stdio", "-serial", "none", "-nodefaults"));
            String real = run(argv);
            if (!memvirt(commandLine).equals(real)) differ.add(commandLine + "\n  qemu:    " + real + "\n  memvirt: " + memvirt(commandLine));
        }
        assertThat(differ).as("command lines where memvirt and the installed QEMU differ").isEmpty();
    }

    /** {@code qemu-system-x86_64 --version}, or null where it does not start. */
    private static String version() throws InterruptedException {
        try {
            Process p = new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    /** The first line of stderr of {@code argv} (quit through the monitor), or null when it cannot be started. */
    private static String run(List<String> argv) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null;
        }
        p.getOutputStream().write("quit\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        return err.lines().findFirst().orElse("");
    }
}
