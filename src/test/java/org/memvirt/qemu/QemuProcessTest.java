package org.memvirt.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArgs;
import org.memvirt.host.HostRoot;
import org.memvirt.host.MemInfo;

/**
 * QemuProcess with the real qemu-system-x86_64 and no guest (vCPUs stopped with -S): starting, stopping, QEMU's own
 * refusals, QEMU dying mid-command, the accelerator and RAM backend choices, the guest-RAM mapping, Ctrl-C. Each test
 * gives QEMU a private parent directory and checks it is empty afterwards.
 */
@Tag("qemu")
class QemuProcessTest {
    static final AccelChoice TCG = AccelChoice.given(AccelChoice.TCG, "test");
    static final long MIB = 1L << 20, GIB = 1L << 30;
    @TempDir Path parent;

    @BeforeAll
    static void qemuInstalled() {
        RealQemu.assumeInstalled();
    }

    static MachineConfig line(String... words) {
        return QemuArgs.parse(List.of(words));
    }

    QemuLaunch launch(String... words) {
        return QemuLaunch.of(line(words)).withAccel(TCG).withRuntimeParent(parent);
    }

    static boolean running(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    List<Path> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(parent)) {
            return s.toList();
        }
    }

    @Test
    void startStopCyclesLeaveNoProcessSocketOrDirectory() throws Exception {
        for (int i = 0; i < 3; i++) {
            QemuProcess qemu = QemuProcess.start(launch("-M", "microvm", "-nodefaults", "-S", "-m", "64M"));
            long pid = qemu.pid();
            Path socket = qemu.command().qmpSocket();
            assertThat(running(pid)).isTrue();
            assertThat(socket).exists().hasParent(leftovers().getFirst());
            assertThat(qemu.qmp().status()).isEqualTo(new VmStatus("prelaunch", false));
            qemu.close();
            qemu.close();                                              // idempotent
            assertThat(running(pid)).isFalse();
            assertThat(socket).doesNotExist();
            assertThat(leftovers()).isEmpty();
            assertThat(qemu.diagnosis()).isEqualTo("QEMU exited with status 0");
        }
    }

    /** QEMU accepts every device memvirt adds, on a PCI machine and on microvm (virtio-mmio). */
    @ParameterizedTest
    @ValueSource(strings = {"pc", "microvm"})
    void qemuTakesTheBalloonChannelsAndConsoleMemvirtAdds(String machine) throws Exception {
        QemuLaunch l = launch("-M", machine, "-nodefaults", "-S", "-m", "128M")
                .withBalloon(new VirtioBalloon("balloon0", true, false)).withConsoleLog()
                .withChannel(new AgentChannel("org.memvirt.agent", AgentChannel.Kind.VIRTIO_SERIAL))
                .withChannel(new AgentChannel("agent1", AgentChannel.Kind.ISA_SERIAL));
        try (QemuProcess qemu = QemuProcess.start(l)) {
            String balloon = QmpCommands.PERIPHERAL + "balloon0";
            assertThat(qemu.qmp().qomGet(balloon, "free-page-reporting").asBoolean()).isTrue();
            assertThat(qemu.qmp().qomGet(balloon, "deflate-on-oom").asBoolean()).isFalse();
            assertThat(qemu.qmp().balloonActualBytes()).isEqualTo(128 * MIB);
            for (String channel : List.of("org.memvirt.agent", "agent1")) {
                try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(qemu.channelSocket(channel)))) {
                    assertThat(c.isConnected()).isTrue();
                }
            }
            assertThat(qemu.command().consoleLog()).exists();
            assertThatThrownBy(() -> qemu.channelSocket("nope")).hasMessage("no channel 'nope' was added to this QEMU");
        }
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void qemuRefusingTheLineGivesQemusOwnMessage() throws IOException {
        assertThatThrownBy(() -> QemuProcess.start(launch("-nodefaults", "-S", "-device", "nope")))
                .isInstanceOf(QemuException.class)
                .hasMessage("QEMU exited with status 1: -device nope: 'nope' is not a valid device model name (unknown "
                        + "-device)");
        assertThatThrownBy(() -> QemuProcess.start(launch("-nodefaults", "-S", "-M", "microvm", "-device",
                "virtio-balloon-pci")))
                .hasMessage("QEMU exited with status 1: -device virtio-balloon-pci: No 'PCI' bus found for device "
                        + "'virtio-balloon-pci'");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void qemuKilledMidCommandIsOneLineAndLeavesNothing() throws Exception {
        QemuProcess qemu = QemuProcess.start(launch("-M", "microvm", "-nodefaults", "-S", "-m", "64M"));
        long pid = qemu.pid();
        signal("STOP", pid);                                           // QEMU cannot answer now
        CompletableFuture<VmStatus> status = CompletableFuture.supplyAsync(() -> qemu.qmp().status());
        Thread.sleep(300);
        assertThat(status).isNotDone();                                // the command is waiting for QEMU
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();         // SIGKILL, which a stopped process takes
        assertThatThrownBy(status::join).hasCauseInstanceOf(QemuException.class)
                .cause().hasMessage("QMP query-status: QEMU was killed by SIGKILL (signal 9)");
        assertThatThrownBy(() -> qemu.qmp().balloonActualBytes())
                .hasMessage("QMP query-balloon: QEMU was killed by SIGKILL (signal 9)");
        qemu.close();
        assertThat(qemu.diagnosis()).isEqualTo("QEMU was killed by SIGKILL (signal 9)");
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void theAcceleratorIsTheHostsAndReported() throws Exception {
        AccelChoice host = AccelChoice.forThisHost();
        try (QemuProcess qemu = QemuProcess.start(QemuLaunch.of(line("-M", "microvm", "-nodefaults", "-S", "-m", "64M",
                "-enable-kvm")).withRuntimeParent(parent))) {
            assertThat(qemu.accel()).isEqualTo(host);
            assertThat(qemu.command().argv()).containsSequence("-accel", host.accel()).doesNotContain("-enable-kvm");
            assertThat(qemu.command().notes()).containsExactly("-enable-kvm dropped: memvirt chooses the accelerator ("
                    + host.reason() + ")");
            assertThat(qemu.qmp().status().status()).isEqualTo("prelaunch");
        }
    }

    @Test
    void theGuestRamMappingIsFoundAndIsWhereGuestPhysicalZeroLives() throws Exception {
        try (QemuProcess qemu = QemuProcess.start(launch("-nodefaults", "-S", "-m", "256M"))) {
            GuestRamMapping.Mapping ram = GuestRamMapping.locate(TestSmaps.mappings(qemu.pid()), 256 * MIB);
            assertThat(ram.size()).isEqualTo(256 * MIB);
            assertThat(ram.perms()).isEqualTo("rw-p");
            assertThat(gpa2hva(qemu, 0)).isEqualTo(ram.start());
            assertThat(gpa2hva(qemu, 256 * MIB - 4096)).isEqualTo(ram.end() - 4096);
        }
    }

    @Test
    void ramBeyondRamPlusSwapGetsAReserveOffBackendQemuAccepts() throws Exception {
        HostRoot host = HostRoot.REAL;
        Assumptions.assumeTrue(host.readValue("/proc/sys/vm/overcommit_memory").orElse("").equals("0"),
                "vm.overcommit_memory is not 0 (the heuristic) here");
        MemInfo mem = MemInfo.read(host);
        // 2 GiB above RAM + swap: a swap file another test adds meanwhile (1 GiB) does not make it fit
        long ram = ((mem.memTotal() + mem.swapTotal()) / GIB + 2) * GIB;
        String m = (ram / MIB) + "M";
        RealQemu.Outcome plain = RealQemu.run(List.of("-nodefaults", "-display", "none", "-S", "-accel", "tcg", "-m", m),
                "", 30);
        assertThat(plain.stderr()).isEqualTo("qemu-system-x86_64: cannot set up guest memory 'pc.ram': Cannot "
                + "allocate memory\n");
        try (QemuProcess qemu = QemuProcess.start(launch("-nodefaults", "-S", "-m", m))) {
            assertThat(qemu.command().ramNote()).startsWith("guest RAM on memory-backend-ram with reserve=off "
                    + "(MAP_NORESERVE): vm.overcommit_memory=0: ");
            assertThat(qemu.qmp().memorySizeSummary().baseMemory()).isEqualTo(ram);
            GuestRamMapping.Mapping mapping = GuestRamMapping.locate(TestSmaps.mappings(qemu.pid()), ram);
            assertThat(TestSmaps.vmFlags(qemu.pid(), mapping.start())).contains("nr");   // VM_NORESERVE
            assertThat(gpa2hva(qemu, 0)).isEqualTo(mapping.start());
        }
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void ctrlCInTheJvmStopsQemuAndRemovesItsDirectory() throws Exception {
        String noSigint = org.memvirt.ChildJvm.whyNoSigint();
        Assumptions.assumeTrue(noSigint.isEmpty(), noSigint);
        Child child = Child.start(parent);
        try {
            signal("INT", child.process().pid());                    // what Ctrl-C sends the JVM
            assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(waitGone(child.qemuPid())).isTrue();
            assertThat(child.dir()).doesNotExist();
            assertThat(leftovers()).isEmpty();
        } finally {
            child.process().destroyForcibly();                       // QEMU goes with it (setpriv --pdeathsig)
        }
    }

    @Test
    void qemuDiesWithAKilledJvm() throws Exception {
        Assumptions.assumeFalse(QemuLauncher.deathSignal().isEmpty(), "setpriv --pdeathsig is not available here");
        Child child = Child.start(parent);
        child.process().destroyForcibly();                            // SIGKILL: no shutdown hook runs
        assertThat(child.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(waitGone(child.qemuPid())).isTrue();               // PR_SET_PDEATHSIG
        QemuLauncher.deleteTree(child.dir());                         // what a killed JVM cannot remove
    }

    /** A JVM running {@link QemuChildMain}, and the QEMU it started. */
    record Child(Process process, long qemuPid, Path dir) {
        static Child start(Path parent) throws IOException {
            Process p = org.memvirt.ChildJvm.start(List.of(), QemuChildMain.class, List.of(parent.toString()));
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("pid ")) {
                    String[] f = line.split(" ");
                    return new Child(p, Long.parseLong(f[1]), Path.of(f[3]));
                }
                lines.add(line);
            }
            throw new AssertionError("the child JVM did not start QEMU: " + lines);
        }
    }

    static boolean waitGone(long pid) throws InterruptedException {
        for (int i = 0; i < 500 && running(pid); i++) Thread.sleep(10);
        return !running(pid);
    }

    static void signal(String name, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor()).isZero();
    }

    /** The host address of guest-physical {@code gpa}, from QEMU's monitor (HMP gpa2hva, hmp-commands.hx). */
    static long gpa2hva(QemuProcess qemu, long gpa) {
        String reply = qemu.qmp().client().execute("human-monitor-command", QmpClient.MAPPER.createObjectNode()
                .put("command-line", "gpa2hva 0x" + Long.toHexString(gpa)), Duration.ofSeconds(10)).asText();
        // "Host virtual address for 0x0 (pc.ram) is 0x7f0e4fe00000"
        return Long.parseUnsignedLong(reply.substring(reply.lastIndexOf("0x") + 2).trim(), 16);
    }
}
