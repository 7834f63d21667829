package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessIdentity;

/** After a kill -9 the next KSM session writes back what the dead one had saved; a live owner's file is left alone. */
class KsmLeftoversTest {
    @TempDir
    Path tmp;

    @Test
    void aDeadOwnersKnobsAreRestoredRunFirstAndItsFileDeleted() throws Exception {
        Path ksm = Files.createDirectories(tmp.resolve("ksm"));
        Files.writeString(ksm.resolve("run"), "1");
        Files.writeString(ksm.resolve("pages_to_scan"), "5000");
        Path state = Files.createDirectories(tmp.resolve("state"));
        Path dead = state.resolve("memvirt-999999999-1-1" + KsmSession.SUFFIX);        // no such PID
        Files.writeString(dead, "run=0\npages_to_scan=100\n");
        Path live = state.resolve(OwnedName.next(ProcessIdentity.self(HostRoot.REAL)) + KsmSession.SUFFIX);
        Files.writeString(live, "run=0\n");

        assertThat(KsmSession.restoreStale(ksm, state)).containsExactly("restored KSM's run, pages_to_scan from " + dead
                + " of a memvirt run that no longer runs");
        assertThat(Files.readString(ksm.resolve("run"))).isEqualTo("0");
        assertThat(Files.readString(ksm.resolve("pages_to_scan"))).isEqualTo("100");
        assertThat(dead).doesNotExist();
        assertThat(live).exists();
    }
}
