package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ProcessIdentity} from /proc/PID/stat and status as proc(5) lays them out. */
class ProcessIdentityTest {
    /** A stat line of this kind of host (a JVM), fields 1..52; field 22, starttime, is 1086123. */
    private static final String JAVA_STAT = "4242 (java) S 4200 4242 4200 0 -1 4194560 63118 1120 0 0 710 95 0 0 20 0 "
            + "31 0 1086123 4613246976 69121 18446744073709551615 94207392497664 94207392498357 140724906283536 0 0 0 "
            + "0 16781312 16386 0 0 0 17 1 0 0 0 0 0 94207392506512 94207392507128 94207404371968 140724906290627 "
            + "140724906291070 140724906291070 140724906291155 0\n";
    private static final String STATUS = "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nPid:\t4242\n"
            + "PPid:\t4200\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\nCapInh:\t0000000000000000\n"
            + "CapPrm:\t000001ffffffffff\nCapEff:\t00000000a80425fb\n";

    @TempDir
    Path dir;

    private HostRoot process(String pid, String stat, String status) throws IOException {
        Path p = Files.createDirectories(dir.resolve("proc").resolve(pid));
        Files.writeString(p.resolve("stat"), stat);
        if (status != null) Files.writeString(p.resolve("status"), status);
        return new HostRoot(dir);
    }

    @Test
    void pidStartTicksAndEffectiveUidComeFromStatFields1And22AndTheSecondUid() throws IOException {
        HostRoot root = process("self", JAVA_STAT, STATUS);
        assertThat(ProcessIdentity.self(root)).isEqualTo(new ProcessIdentity(4242, 1086123, 0, 0xa80425fbL));
        assertThat(ProcessIdentity.self(root).root()).isTrue();
        // a container's default set (0xa80425fb): no CAP_SYS_ADMIN (bit 21), CAP_KILL (bit 5) kept
        assertThat(ProcessIdentity.self(root).hasCapability(ProcessIdentity.CAP_SYS_ADMIN)).isFalse();
        assertThat(ProcessIdentity.self(root).hasCapability(5)).isTrue();
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() throws IOException {
        String odd = JAVA_STAT.replace("(java)", "(a) b (c d))");
        assertThat(ProcessIdentity.parse(odd, "")).isEqualTo(new ProcessIdentity(4242, 1086123, -1, 0));
    }

    @Test
    void theSamePidStartedAtAnotherTickIsAnotherProcess() throws IOException {
        HostRoot root = process("4242", JAVA_STAT, STATUS);
        assertThat(new ProcessIdentity(4242, 1086123, 0, 0).alive(root)).isTrue();
        assertThat(new ProcessIdentity(4242, 1086122, 0, 0).alive(root)).isFalse();        // the PID was reused
        assertThat(new ProcessIdentity(4243, 1086123, 0, 0).alive(root)).isFalse();        // no such process
        assertThat(ProcessIdentity.of(root, 4243)).isEmpty();
    }

    @Test
    void aTruncatedStatLineIsAOneLineError() {
        assertThatThrownBy(() -> ProcessIdentity.parse("4242 (java) S 1 2 3\n", "")).isInstanceOf(HostException.class)
                .hasMessage("bad /proc/PID/stat: '4242 (java) S 1 2 3'");
    }

    @Test
    void thisJvmIsAliveAndNamedByItsOwnPid() {
        ProcessIdentity self = ProcessIdentity.self(HostRoot.REAL);
        assertThat(self.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(self.alive(HostRoot.REAL)).isTrue();
        assertThat(ProcessIdentity.of(HostRoot.REAL, self.pid())).contains(self);
    }
}
