package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessIdentity;

/** {@link OwnedName}: the name is the marker a later run reads, so it must parse back exactly and match nothing else. */
class OwnedNameTest {
    @TempDir
    Path dir;

    @Test
    void aNameParsesBackToItsOwnerAndSerial() {
        OwnedName n = new OwnedName(4242, 1086123, 7);
        assertThat(n.toString()).isEqualTo("memvirt-4242-1086123-7");
        assertThat(OwnedName.parse("memvirt-4242-1086123-7", "")).contains(n);
        assertThat(OwnedName.parse("memvirt-4242-1086123-7.swap", ".swap")).contains(n);
    }

    @Test
    void namesMemvirtDoesNotGiveAreNotOurs() {
        for (String other : new String[] {"memvirt-4242-1086123", "memvirt-4242-1086123-7.swap", "xmemvirt-1-2-3",
                "memvirt-0-2-3", "memvirt-1-2-0", "memvirt-1-2-3-4", "memvirt-a-2-3", "memvirt-1-99999999999999999999-3",
                "memvirt-1-9999999999999999999-3", "process_api", "memvirt-qemu-123"}) {
            assertThat(OwnedName.parse(other, "")).as(other).isEmpty();
        }
        assertThat(OwnedName.parse("memvirt-4242-1086123-7", ".swap")).isEmpty();
    }

    @Test
    void serialsOfOneJvmAreDistinctAndItsOwnIdentityIsTheOwner() {
        ProcessIdentity self = ProcessIdentity.self(HostRoot.REAL);
        OwnedName a = OwnedName.next(self);
        OwnedName b = OwnedName.next(self);
        assertThat(b.serial()).isEqualTo(a.serial() + 1);
        assertThat(a.ownerPid()).isEqualTo(self.pid());
        assertThat(a.ownerAlive(HostRoot.REAL)).isTrue();
    }

    @Test
    void theOwnerIsGoneWhenItsPidIsAbsentOrStartedAtAnotherTick() throws IOException {
        Path p = Files.createDirectories(dir.resolve("proc/4242"));
        Files.writeString(p.resolve("stat"), "4242 (java) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0\n");
        HostRoot root = new HostRoot(dir);
        assertThat(new OwnedName(4242, 555, 1).ownerAlive(root)).isTrue();
        assertThat(new OwnedName(4242, 556, 1).ownerAlive(root)).isFalse();
        assertThat(new OwnedName(4243, 555, 1).ownerAlive(root)).isFalse();
    }
}
