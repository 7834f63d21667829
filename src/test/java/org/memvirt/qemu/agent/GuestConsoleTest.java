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
        GuestWatch watch = GuestWatch.of(console, exited, () -> "qemu-system-x86_64: some last words\n");
        assertThat(watch.failure()).isEqualTo(Optional.of("QEMU exited with status 3: qemu-system-x86_64: some last words"));
        console.accept("Kernel panic - not syncing: VFS: Unable to mount root fs");
        assertThat(watch.failure()).isEqualTo(Optional.of("guest kernel panic: Kernel panic - not syncing: VFS: Unable to mount root fs"));
    }
}
