package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArgs;

/** The command line memvirt gives QEMU: the user's words verbatim, then memvirt's own; nothing starts here. */
class QemuCommandTest {
    static final Path BIN = Path.of("/usr/bin/qemu-system-x86_64");
    static final Path DIR = Path.of("/run/memvirt-test/qemu-1");
    static final AccelChoice TCG = new AccelChoice("tcg", "tcg: /dev/kvm does not exist");
    static final RamCommit FITS = new RamCommit(true, "fits");
    static final RamCommit TOO_BIG = new RamCommit(false, "vm.overcommit_memory=0: 64.0 GiB of guest RAM > RAM + swap 23.5 GiB");

    static QemuCommand build(QemuLaunch launch, RamCommit commit) {
        return QemuCommand.build(BIN, launch, TCG, commit, DIR);
    }

    static MachineConfig line(String... words) {
        return QemuArgs.parse(List.of(words));
    }

    static List<String> after(List<String> argv, List<String> prefix) {
        assertThat(argv.subList(0, prefix.size())).isEqualTo(prefix);
        return argv.subList(prefix.size(), argv.size());
    }

    @Test
    void theSeedsLineRunsWithoutDaemonizeAndWithMemvirtsAccelerator() {
        QemuCommand c = build(QemuLaunch.of(line("-enable-kvm", "-smp", "2", "-m", "4G", "rhel7.img", "-daemonize")), FITS);
        assertThat(c.argv()).containsExactly(BIN.toString(), "-smp", "2", "-m", "4G", "rhel7.img", "-accel", "tcg",
                "-display", "none", "-qmp", "unix:/run/memvirt-test/qemu-1/qmp.sock,server=on,wait=off");
        assertThat(c.notes()).containsExactly(
                "-enable-kvm dropped: memvirt chooses the accelerator (tcg: /dev/kvm does not exist)",
                "-daemonize dropped: memvirt keeps QEMU in the foreground to stop it");
        assertThat(c.qmpSocket()).isEqualTo(DIR.resolve("qmp.sock"));
        assertThat(c.ramNote()).isNull();
    }

    @Test
    void everythingMemvirtAddsComesAfterTheUsersLine() {
        QemuLaunch launch = QemuLaunch.of(line("-M", "microvm", "-m", "512M", "-nodefaults", "-nographic"))
                .withKernel(Path.of("/k/vmlinuz"), Path.of("/k/initrd.gz"), "console=ttyS0 quiet")
                .withBalloon(new VirtioBalloon("balloon0", true, false))
                .withConsoleLog()
                .withChannel(new AgentChannel("org.memvirt.agent", AgentChannel.Kind.VIRTIO_SERIAL))
                .withChannel(new AgentChannel("agent2", AgentChannel.Kind.ISA_SERIAL));
        QemuCommand c = build(launch, FITS);
        assertThat(after(c.argv(), List.of(BIN.toString(), "-M", "microvm", "-m", "512M", "-nodefaults", "-nographic")))
                .containsExactly("-accel", "tcg", "-qmp", "unix:/run/memvirt-test/qemu-1/qmp.sock,server=on,wait=off",
                        "-kernel", "/k/vmlinuz", "-initrd", "/k/initrd.gz", "-append", "console=ttyS0 quiet",
                        "-device", "virtio-balloon-device,id=balloon0,free-page-reporting=on,deflate-on-oom=off",
                        "-chardev", "file,id=memvirt-console,path=/run/memvirt-test/qemu-1/console.log",
                        "-serial", "chardev:memvirt-console",
                        "-chardev", "socket,id=memvirt-ch-org.memvirt.agent,path=/run/memvirt-test/qemu-1/org.memvirt.agent"
                                + ".sock,server=on,wait=off",
                        "-device", "virtio-serial-device,id=memvirt-vser",
                        "-device", "virtserialport,bus=memvirt-vser.0,chardev=memvirt-ch-org.memvirt.agent,"
                                + "name=org.memvirt.agent",
                        "-chardev", "socket,id=memvirt-ch-agent2,path=/run/memvirt-test/qemu-1/agent2.sock,server=on,wait=off",
                        "-device", "isa-serial,chardev=memvirt-ch-agent2");
        assertThat(c.channelSockets()).containsEntry("org.memvirt.agent", DIR.resolve("org.memvirt.agent.sock"))
                .containsEntry("agent2", DIR.resolve("agent2.sock")).hasSize(2);
        assertThat(c.consoleLog()).isEqualTo(DIR.resolve("console.log"));
    }

    @Test
    void pcMachinesGetPciDevices() {
        QemuLaunch launch = QemuLaunch.of(line("-m", "1G")).withBalloon(new VirtioBalloon("b", false, true))
                .withChannel(new AgentChannel("a", AgentChannel.Kind.VIRTIO_SERIAL));
        assertThat(build(launch, FITS).argv()).contains("virtio-balloon-pci,id=b,free-page-reporting=off,deflate-on-oom=on",
                "virtio-serial-pci,id=memvirt-vser");
    }

    @Test
    void ramTheKernelWouldNotCommitGetsAReserveOffBackend() {
        QemuCommand c = build(QemuLaunch.of(line("-m", "64G")), TOO_BIG);
        assertThat(c.argv()).containsSequence("-object", "memory-backend-ram,id=memvirt-ram,size=68719476736,reserve=off",
                "-machine", "memory-backend=memvirt-ram");
        assertThat(c.ramNote()).isEqualTo("guest RAM on memory-backend-ram with reserve=off (MAP_NORESERVE): "
                + "vm.overcommit_memory=0: 64.0 GiB of guest RAM > RAM + swap 23.5 GiB");
    }

    @Test
    void aUsersOwnBackendIsLeftAsGiven() {
        QemuCommand c = build(QemuLaunch.of(line("-object", "memory-backend-ram,id=m0,size=64G", "-M",
                "memory-backend=m0")), TOO_BIG);
        assertThat(String.join(" ", c.argv())).doesNotContain("memvirt-ram");
        assertThat(c.ramNote()).isNull();
        assertThat(c.notes()).containsExactly("guest RAM kept as the command line gives it, though the kernel may "
                + "refuse to commit it (vm.overcommit_memory=0: 64.0 GiB of guest RAM > RAM + swap 23.5 GiB)");
        assertThat(build(QemuLaunch.of(line("-m", "64G", "-mem-prealloc")), TOO_BIG).ramNote()).isNull();
    }

    @Test
    void aUsersDisplayAndMachineAccelAreKept() {
        QemuCommand c = build(QemuLaunch.of(line("-M", "q35,accel=kvm:tcg", "-vnc", ":3", "-accel", "kvm")), FITS);
        assertThat(c.argv()).containsExactly(BIN.toString(), "-M", "q35,accel=kvm:tcg", "-vnc", ":3", "-qmp",
                "unix:/run/memvirt-test/qemu-1/qmp.sock,server=on,wait=off");
        assertThat(c.notes()).containsExactly(
                "-accel kvm dropped: memvirt chooses the accelerator (tcg: /dev/kvm does not exist)",
                "-machine accel= kept: QEMU picks the accelerator from it, not memvirt");
    }

    @Test
    void idsAndSocketPathsQemuWouldRefuseAreRefusedFirst() {
        assertThatThrownBy(() -> new AgentChannel("1agent", AgentChannel.Kind.VIRTIO_SERIAL))
                .hasMessage("channel name '1agent': use a letter, then letters, digits, '-', '.', '_' (at most 64)");
        assertThatThrownBy(() -> new VirtioBalloon("a,b", false, false))
                .hasMessage("balloon id 'a,b': use a letter, then letters, digits, '-', '.', '_' (at most 64)");
        Path deep = Path.of("/" + "d".repeat(100));
        assertThatThrownBy(() -> QemuCommand.build(BIN, QemuLaunch.of(line()), TCG, FITS, deep))
                .hasMessage("socket path " + deep + "/qmp.sock is 110 bytes, more than a Unix socket takes (107); set "
                        + "TMPDIR to a shorter directory");
        QemuLaunch twice = QemuLaunch.of(line()).withChannel(new AgentChannel("a", AgentChannel.Kind.ISA_SERIAL))
                .withChannel(new AgentChannel("a", AgentChannel.Kind.VIRTIO_SERIAL));
        assertThatThrownBy(() -> build(twice, FITS)).hasMessage("channel 'a' given twice");
    }

    @Test
    void theUsersWordsPassVerbatim() {
        List<String> words = List.of("-name", "a b", "-append", "--json", "-device", "virtio-rng-pci,id=r0", "disk.img",
                "-object", "iothread,id=io0", "--m", "1G");
        List<String> expected = new ArrayList<>(List.of(BIN.toString()));
        expected.addAll(words);
        expected.addAll(List.of("-accel", "tcg", "-display", "none"));
        assertThat(build(QemuLaunch.of(QemuArgs.parse(words)), FITS).argv()).startsWith(expected.toArray(String[]::new));
    }
}
