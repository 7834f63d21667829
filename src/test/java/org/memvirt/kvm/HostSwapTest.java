package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.memvirt.kvm.Machines.MIB;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.host.ProcessMemory;
import org.memvirt.workload.Op;

/**
 * Host swap of guest RAM, the kernel's own: with a swap file on, guest pages go to swap (here forced with
 * MADV_PAGEOUT on guest RAM, or by a cgroup v2 memory.max on a child VMM process) and come back intact.
 * Every test switches its swap file off and deletes it, whatever happens.
 */
@Tag("kvm")
class HostSwapTest {
    @BeforeEach
    void needsKvmAndSwap() {
        Machines.assumeKvm();
        String why = HostSwapFile.unavailableReason();                     // the test's own helper, not memvirt's
        org.memvirt.Skip.unless(why == null, () -> "host swap not usable here: " + why);
    }

    @Test
    void pagedOutGuestRamIsInHostSwapAndComesBackIntact() throws Exception {
        try (HostSwapFile swap = HostSwapFile.on(256 * MIB);
             KvmMachine m = KvmMachine.boot(Machines.pc(256 * MIB, 1), System.nanoTime() + 120_000_000_000L)) {
            OpDriver d = new OpDriver(m, System.nanoTime() + 120_000_000_000L, null);
            d.run(new Op.Touch(128 * MIB, 0), "touch 128M");
            m.ram().pageOut();
            ProcessMemory.Mapping paged = ProcessMemory.self().mapping(m.ram().hostAddress());
            long vmSwap = ProcessMemory.self().status().vmSwap() / 1024;
            d.run(new Op.Verify(), "verify");
            ProcessMemory.Mapping back = ProcessMemory.self().mapping(m.ram().hostAddress());
            System.out.printf("host swap (MADV_PAGEOUT): guest RAM Swap %d kB, Rss %d kB, VmSwap %d kB; after verify "
                    + "Swap %d kB, Rss %d kB; verify %d pages, %d mismatches%n", paged.swap() / 1024, paged.rss() / 1024,
                    vmSwap, back.swap() / 1024, back.rss() / 1024, d.verifiedPages(), d.verifyMismatches());
            assertThat(paged.swap() / 1024).isGreaterThan(100 * 1024);
            assertThat(vmSwap).isGreaterThanOrEqualTo(paged.swap() / 1024);
            assertThat(d.verifiedPages()).isEqualTo(32_768);
            assertThat(d.verifyMismatches()).isZero();
        }
        assertThat(Files.readString(Path.of("/proc/swaps"))).doesNotContain("memvirt-test-swap");
    }

    /**
     * The kernel picks the pages: a child VMM process under a cgroup v2 memory.max smaller than its guest's touched
     * RAM. Skipped where the memory controller is not on cgroup v2.
     */
    @Test
    void aGuestUnderACgroupMemoryLimitIsSwappedByTheHost() throws Exception {
        Path root = Path.of("/sys/fs/cgroup");
        org.memvirt.Skip.unless(Files.exists(root.resolve("cgroup.controllers"))
                        && Files.readString(root.resolve("cgroup.controllers")).contains("memory"),
                "cgroup v2 with the memory controller is not mounted at /sys/fs/cgroup (this host: cgroup v1)");
        Path cg = root.resolve("memvirt-test-" + ProcessHandle.current().pid());
        Process child = null;
        try (HostSwapFile swap = HostSwapFile.on(512 * MIB)) {
            Files.writeString(root.resolve("cgroup.subtree_control"), "+memory");
            Files.createDirectory(cg);
            Files.writeString(cg.resolve("memory.max"), Long.toString(256 * MIB));
            String java = ProcessHandle.current().info().command().orElse("java");
            child = new ProcessBuilder(java, "-Xmx64m", "--enable-native-access=ALL-UNNAMED", "-cp",
                    System.getProperty("java.class.path"), HostSwapChild.class.getName(), "512M", "touch 384M; verify")
                    .redirectErrorStream(true).start();
            Files.writeString(cg.resolve("cgroup.procs"), Long.toString(child.pid()));
            child.getOutputStream().write("go\n".getBytes());
            child.getOutputStream().flush();
            String out = new String(child.getInputStream().readAllBytes());
            assertThat(child.waitFor()).as(out).isZero();
            System.out.println("host swap (cgroup v2 memory.max 256M): " + out.trim());
            Map<String, Long> r = HostSwapChild.parse(out);
            assertThat(r.get("guest_ram_swap_kb")).isPositive();
            assertThat(r.get("verify_mismatches")).isZero();
            assertThat(r.get("verify_pages")).isEqualTo(98_304);
        } finally {
            if (child != null) child.destroyForcibly().waitFor();
            if (Files.exists(cg)) Files.delete(cg);
        }
    }
}
