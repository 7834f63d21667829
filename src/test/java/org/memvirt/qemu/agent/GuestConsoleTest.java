package org.memvirt.qemu.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class GuestConsoleTest {
    @Test
    void thePanicLineIsFoundAmongTerminalNoise() throws Exception {
        String out = "\u001B[?7l\u001B[2J[    0.000000] Linux version 6.1.0-57-amd64\r\n"
                + "[    4.071326] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00004600\r\n"
                + "[    4.072001] ---[ end Kernel panic - not syncing: Attempted to kill init! exitcode=0x00004600 ]---\r\n";
        GuestConsole c = GuestConsole.follow(new ByteArrayInputStream(out.getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 100 && !c.ended(); i++) Thread.sleep(10);
        assertThat(c.panic()).contains("Kernel panic - not syncing: Attempted to kill init! exitcode=0x00004600");
        assertThat(c.tail().getFirst()).isEqualTo("[    0.000000] Linux version 6.1.0-57-amd64");
        assertThat(c.lastLine()).hasValueSatisfying(l -> assertThat(l).startsWith("[    4.072001] ---[ end Kernel panic"));
    }

    @Test
    void aConsoleLogIsFollowedAsItGrowsUntilQemuIsGone(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path log = dir.resolve("console.log");
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        GuestConsole c = GuestConsole.followLog(log, running::get);
        java.nio.file.Files.writeString(log, "[    0.000000] Linux version 6.1.0-57-amd64\n");
        for (int i = 0; i < 100 && c.tail().isEmpty(); i++) Thread.sleep(20);
        assertThat(c.tail()).containsExactly("[    0.000000] Linux version 6.1.0-57-amd64");
        java.nio.file.Files.writeString(log, "Kernel panic - not syncing: Attempted to kill init!\n",
                java.nio.file.StandardOpenOption.APPEND);
        running.set(false);
        for (int i = 0; i < 100 && !c.ended(); i++) Thread.sleep(20);
        assertThat(c.ended()).isTrue();
        assertThat(c.panic()).contains("Kernel panic - not syncing: Attempted to kill init!");
    }

    @Test
    void onlyTheLastLinesAreKept() {
        GuestConsole c = new GuestConsole();
        for (int i = 0; i < 100; i++) c.accept("line " + i);
        assertThat(c.tail()).hasSize(GuestConsole.TAIL_LINES).endsWith("line 99").startsWith("line 60");
        assertThat(c.panic()).isEmpty();
    }

    @Test
    void theWatchReportsAPanicFirstElseQemusExit() throws Exception {
        GuestConsole console = new GuestConsole();
        Process exited = new ProcessBuilder("sh", "-c", "exit 3").start();
        exited.waitFor();
        console.accept("booting");
        GuestWatch watch = GuestWatch.of(console, exited::isAlive, () -> "QEMU exited with status " + exited.exitValue());
        assertThat(watch.failure()).isEqualTo(Optional.of("QEMU exited with status 3"));
        console.accept("Kernel panic - not syncing: VFS: Unable to mount root fs");
        assertThat(watch.failure()).isEqualTo(Optional.of("guest kernel panic: Kernel panic - not syncing: VFS: Unable to mount root fs"));
    }
}
