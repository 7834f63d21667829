package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.host.ProcessMemory;
import org.memvirt.qemu.GuestRamMapping;

/**
 * QEMU dying in the middle of an op (one boot): the run ends with one line saying so (exit status 4, the guest
 * failed: docs/exit-codes.md), QEMU is gone and its private directory (QMP socket, agent socket, console log,
 * stderr) with it. The test kills QEMU with SIGKILL once the guest's touch has made 256 MiB of guest RAM resident.
 */
@Tag("qemu")
class QemuFailureTest {
    private static final long MIB = 1L << 20, GIB = 1L << 30;
    private static final Pattern QMP_DIR = Pattern.compile("-qmp\0unix:(.*)/qmp\\.sock,");

    @BeforeAll
    static void bootable() {
        RealGuests.assumeBootable();
    }

    @Test
    void qemuKilledMidOpIsOneLineAndLeavesNothingBehind() throws Exception {
        CompletableFuture<MainTest.CliRun> run = CompletableFuture.supplyAsync(() -> MainTest.CliRun.of("run", "-M",
                "microvm", "-m", "2G", "--engine", "qemu", "--workload", "touch 2G", "--json"));
        ProcessHandle qemu = awaitQemu(run);
        try {
            String cmdline = Files.readString(Path.of("/proc/" + qemu.pid() + "/cmdline"), StandardCharsets.UTF_8);
            Matcher m = QMP_DIR.matcher(cmdline);
            assertThat(m.find()).as(cmdline).isTrue();
            Path dir = Path.of(m.group(1));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
            GuestRamMapping.Mapping ram = awaitGuestRam(qemu, run, deadline);
            while (ProcessMemory.of(qemu.pid()).mapping(ram.start()).rss() < 256 * MIB + 128 * MIB) {   // boot: ~130 MiB
                assertThat(System.nanoTime()).as("the touch made 256 MiB resident in time").isLessThan(deadline);
                assertThat(run).isNotDone();
                Thread.sleep(100);
            }
            assertThat(dir).isDirectory();
            new ProcessBuilder("kill", "-KILL", Long.toString(qemu.pid())).start().waitFor();
            MainTest.CliRun r = run.get(2, TimeUnit.MINUTES);
            System.out.println("after SIGKILL: " + r.err());
            assertThat(r.rc()).isEqualTo(4);
            assertThat(r.err()).isEqualTo("memvirt: the guest died during 'touch 2G': QEMU was killed by SIGKILL (signal 9)\n");
            assertThat(r.out()).isEmpty();
            assertThat(qemu.isAlive()).isFalse();
            assertThat(dir).doesNotExist();
        } finally {
            if (qemu.isAlive()) qemu.destroyForcibly();   // a failed check must not leave the guest running
        }
    }

    /** QEMU's guest-RAM mapping, once QEMU has made it (it maps RAM after it starts, before the guest runs). */
    private static GuestRamMapping.Mapping awaitGuestRam(ProcessHandle qemu, CompletableFuture<MainTest.CliRun> run,
            long deadline) throws InterruptedException {
        while (true) {
            try {
                return GuestRamMapping.locate(qemu.pid(), 2 * GIB);
            } catch (org.memvirt.qemu.QemuException notYet) {
                assertThat(run).as("the run still runs").isNotDone();
                assertThat(System.nanoTime()).as("QEMU mapped its guest RAM in time: " + notYet.getMessage())
                        .isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    /** The qemu-system-x86_64 this JVM started for {@code run}, once it runs. */
    private static ProcessHandle awaitQemu(CompletableFuture<MainTest.CliRun> run) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            Optional<ProcessHandle> q = ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().orElse("").endsWith("qemu-system-x86_64")
                            && p.info().arguments().map(a -> List.of(a).contains("-qmp")).orElse(false))
                    .findFirst();                                       // the guest, not the '-version' probe
            if (q.isPresent()) return q.get();
            assertThat(run).as("the run started QEMU").isNotDone();
            assertThat(System.nanoTime()).as("QEMU started in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
