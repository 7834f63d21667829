package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code memvirt image build} with the user's own files: no package tools involved. */
class ImageCommandTest {
    @TempDir
    Path dir;

    @Test
    void anUnreadableKernelIsOneLineAndExitOne() {
        MainTest.CliRun r = MainTest.CliRun.of("image", "build", "--kernel", dir.resolve("vmlinuz").toString(),
                "--initrd", dir.resolve("initrd").toString());
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: --kernel " + dir.resolve("vmlinuz") + ": not a readable regular file\n");
    }

    @Test
    void theUsersOwnKernelAndInitrdAreReportedAsThey() throws Exception {
        Path k = Files.writeString(dir.resolve("vmlinuz"), "k"), i = Files.writeString(dir.resolve("initrd"), "i");
        MainTest.CliRun text = MainTest.CliRun.of("image", "build", "--kernel", k.toString(), "--initrd", i.toString());
        assertThat(text.rc()).isZero();
        assertThat(text.out()).isEqualTo("guest image: your own kernel and initramfs\nkernel:  " + k + "\ninitrd:  " + i + "\n");
        MainTest.CliRun json = MainTest.CliRun.of("image", "build", "--kernel", k.toString(), "--initrd", i.toString(), "--json");
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(node.get("origin").asText()).isEqualTo("user");
        assertThat(node.get("kernel").asText()).isEqualTo(k.toString());
        assertThat(node.get("manifest").isNull()).isTrue();
    }
}
