package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.memvirt.Skip;
import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessIdentity;
import org.memvirt.hostctl.MemoryHierarchy;

/**
 * {@code scenario --engine qemu} with two real guests in a memory cgroup of 768 MiB and no swap: the first touches
 * 128 MiB and verifies; the second, started 2 s later, touches 400 MiB, more than the group has left, and the kernel's
 * OOM killer inside memvirt's group kills the larger QEMU, the second (linux mm/oom_kill.c oom_badness: the most RSS +
 * swap + page tables). Two boots: in group {@code qemu-scenario}, which the default suite leaves out (the suite boots
 * at most 8 guests, docs/qemu-engine.md "Tests"); run it with
 * {@code ./scripts/test -Dtest=QemuScenarioTest -Dsurefire.excludedGroups=}. Root only.
 */
@Tag("qemu-scenario")
class QemuScenarioTest {
    @TempDir
    Path dir;

    @Test
    void oneGuestVerifiesAndTheLargerIsKilledByTheKernelInsideMemvirtsGroup() throws Exception {
        RealGuests.assumeBootable();
        ProcessIdentity self = ProcessIdentity.self(HostRoot.REAL);
        Skip.unless(self.root(), () -> "memory cgroups need root here; this test runs as uid " + self.effectiveUid());
        String why = MemoryHierarchy.unavailableReason(HostRoot.REAL);
        Skip.unless(why == null, () -> "memvirt cannot create memory cgroups here: " + why);
        Path file = Files.writeString(dir.resolve("two.yaml"), """
                name: qemu-two
                host: {ram: 1G, reserve: 256M, swap: 0}
                vms:
                  - name: small
                    qemu: "-m 512M"
                    workload: [touch 128M, verify]
                  - name: big
                    qemu: "-m 512M"
                    start: 2s
                    workload: [touch 400M, verify]
                """);
        List<Long> groupsBefore = groups();
        JsonNode r = RealGuests.json("scenario", file.toString(), "--engine", "qemu", "--json");
        assertThat(r.path("engine").asText()).isEqualTo("qemu");
        JsonNode small = r.path("vms").get(0), big = r.path("vms").get(1);
        assertThat(small.path("status").asText()).isEqualTo("finished");
        assertThat(small.path("verify_mismatches").asLong()).isZero();
        assertThat(big.path("killed").asBoolean()).isTrue();
        assertThat(big.path("status").asText()).isEqualTo("killed");
        List<String> kills = new ArrayList<>(), verifies = new ArrayList<>();
        for (JsonNode e : r.path("events")) {
            if (e.path("kind").asText().equals("oom_kill")) kills.add(e.path("vm").asText() + ": " + e.path("message").asText());
            if (e.path("kind").asText().equals("verify")) verifies.add(e.path("vm").asText() + ": " + e.path("message").asText());
        }
        assertThat(kills).hasSize(1);
        assertThat(kills.getFirst()).startsWith("big: killed by the kernel's OOM killer in memory cgroup ")
                .contains("Memory cgroup out of memory: Killed process ");
        assertThat(big.path("killed_at").asDouble()).isGreaterThan(2.0);
        assertThat(verifies).containsExactly("small: 32768 pages checked, 0 wrong");
        assertThat(groups()).as("memvirt's groups after the run").isEqualTo(groupsBefore);
        assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").contains("qemu-system"))
                .count()).as("QEMU processes left").isZero();
    }

    /** How many memvirt groups there are now (this JVM's run must leave none of its own). */
    private static List<Long> groups() throws Exception {
        Path own = MemoryHierarchy.find(HostRoot.REAL).ownDir();
        try (var s = Files.list(own)) {
            return List.of(s.filter(p -> p.getFileName().toString().startsWith("memvirt-")).count());
        }
    }
}
