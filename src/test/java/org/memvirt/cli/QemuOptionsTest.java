package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.ConfigException;
import org.memvirt.config.MachineConfig;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The mixin inside another command, as {@code memvirt run} will use it. */
class QemuOptionsTest {

    @Command(name = "fake-run")
    static final class FakeRun {
        @Mixin QemuOptions qemu;
        @Option(names = "--engine") String engine;
        @Option(names = "--json") boolean json;
    }

    static FakeRun parse(String... args) {
        FakeRun cmd = new FakeRun();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void qemuOptionsKeepTheirOrderAmongOwnOptions() {
        FakeRun r = parse("--engine", "sim", "-m", "1G", "--json", "-M", "q35", "-smp", "2", "-m", "maxmem=4G,slots=1",
                "-machine", "mem-merge=off", "-mem-prealloc");
        assertThat(r.engine).isEqualTo("sim");
        assertThat(r.json).isTrue();
        assertThat(r.qemu.args()).containsExactly("-m", "1G", "-M", "q35", "-smp", "2", "-m", "maxmem=4G,slots=1",
                "-machine", "mem-merge=off", "-mem-prealloc");
        StringWriter err = new StringWriter();
        MachineConfig c = r.qemu.resolve(new PrintWriter(err), 1024);
        assertThat(c.layout().machine()).isEqualTo("q35");
        assertThat(c.layout().maxram()).isEqualTo(4L << 30);
        assertThat(c.smp()).isEqualTo(2);
        assertThat(c.memMerge()).isFalse();
        assertThat(c.backend().prealloc()).isTrue();
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void valuesThatLookLikeOptionsAreQemuValues() {
        FakeRun r = parse("-m", "-1", "--engine", "kvm");
        assertThat(r.qemu.args()).containsExactly("-m", "-1");
        StringWriter err = new StringWriter();
        assertThatThrownBy(() -> r.qemu.resolve(new PrintWriter(err)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("-m -1: Parameter 'size' expects a non-negative number below 2^64");
    }

    @Test
    void warningsPrintBeforeTheErrorIsRethrown() {
        FakeRun r = parse("-m", "0x1fM", "-m", "1G,slots=2");
        StringWriter err = new StringWriter();
        assertThatThrownBy(() -> r.qemu.resolve(new PrintWriter(err), 1024))
                .hasMessage("slots specified but no max-size");
        assertThat(err.toString().lines().toList()).isEqualTo(List.of(
                "memvirt: -m 0x1fM: warning: Using a multiplier suffix on hex numbers is deprecated: 0x1fM"));
    }

    @Test
    void aWholeQemuLineIsTakenInOrderBesideOwnOptions() {
        FakeRun r = parse("qemu-system-x86_64", "-enable-kvm", "-hda", "a.img", "--engine", "sim", "-help", "-smp", "2",
                "-m", "4G", "rhel7.img", "-daemonize", "--json", "-append", "--json");
        assertThat(r.engine).isEqualTo("sim");
        assertThat(r.json).isTrue();
        assertThat(r.qemu.args()).containsExactly("qemu-system-x86_64", "-enable-kvm", "-hda", "a.img", "-help",
                "-smp", "2", "-m", "4G", "rhel7.img", "-daemonize", "-append", "--json");
        MachineConfig c = r.qemu.resolve(new PrintWriter(new StringWriter()));
        assertThat(c.otherArgs()).containsExactly("-enable-kvm", "-hda", "a.img", "-help", "rhel7.img", "-daemonize",
                "-append", "--json");
    }

    @Test
    void unknownSingleDashOptionsAreQemusToRefuse() {
        FakeRun r = parse("-m", "1G", "-foo", "--engine", "kvm");
        assertThat(r.qemu.args()).containsExactly("-m", "1G", "-foo");
        assertThatThrownBy(() -> r.qemu.resolve(new PrintWriter(new StringWriter())))
                .isInstanceOf(ConfigException.class).hasMessage("-foo: invalid option");
    }
}
