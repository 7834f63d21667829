package org.memvirt.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.memvirt.testing.DirSnapshot;
import org.memvirt.testing.SpecialFiles;

class OutputFileTest {
    @TempDir
    Path dir;

    private void refused(Path file, String reason) {
        DirSnapshot before = DirSnapshot.of(dir);
        assertThatThrownBy(() -> OutputFile.check("--report", file)).isInstanceOf(ReportException.class)
                .hasMessage("cannot write --report " + file + ": " + reason);
        assertThat(DirSnapshot.of(dir)).isEqualTo(before);
    }

    @Test
    void aNewPathAndARegularFileAreWrittenWhole() throws IOException {
        Path fresh = dir.resolve("new.html");
        assertThat(OutputFile.check("--report", fresh).write("one")).isEqualTo(fresh);
        assertThat(Files.readString(fresh)).isEqualTo("one");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-r--r--");
        Path old = Files.writeString(dir.resolve("old.html"), "old");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-rw----"));
        OutputFile.check("--report", old).write("two");
        assertThat(Files.readString(old)).isEqualTo("two");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(old))).isEqualTo("rw-rw----");
        try (var listing = Files.list(dir)) {
            assertThat(listing.map(p -> p.getFileName().toString()).sorted()).containsExactly("new.html", "old.html");
        }
    }

    @Test
    void aLinkToARegularFileReplacesTheFileAndKeepsTheLink() throws IOException {
        Path real = Files.writeString(dir.resolve("real.html"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.html"), real.getFileName());
        assertThat(OutputFile.check("--report", link).write("new")).isEqualTo(real.toRealPath());
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(real)).isEqualTo("new");
    }

    @Test
    void aDirectoryIsRefused() throws IOException {
        refused(Files.createDirectory(dir.resolve("d")), "it is a directory, not a regular file");
        refused(dir, "it is a directory, not a regular file");
    }

    @Test
    void aFifoIsRefused() {
        refused(SpecialFiles.fifo(dir.resolve("fifo")), "it is a FIFO, not a regular file");
    }

    @Test
    void aCharacterDeviceIsRefused() {
        refused(SpecialFiles.charDevice(dir.resolve("null")), "it is a character device, not a regular file");
    }

    @Test
    void aLinkToAnythingButARegularFileIsRefused() throws IOException {
        Path fifo = SpecialFiles.fifo(dir.resolve("fifo"));
        refused(Files.createSymbolicLink(dir.resolve("to-fifo"), fifo.getFileName()),
                "it is a symbolic link to a FIFO, not to a regular file");
        Path sub = Files.createDirectory(dir.resolve("sub"));
        refused(Files.createSymbolicLink(dir.resolve("to-dir"), sub.getFileName()),
                "it is a symbolic link to a directory, not to a regular file");
        refused(Files.createSymbolicLink(dir.resolve("dangling"), Path.of("nothing-here")),
                "it is a symbolic link to a missing file");
    }

    @Test
    void aMissingOrNonDirectoryParentIsRefused() throws IOException {
        refused(dir.resolve("missing/r.html"), "directory " + dir.resolve("missing") + " does not exist");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        refused(file.resolve("r.html"), file + " is not a directory");
    }

    @Test
    void aFileThatTurnsIntoAFifoBeforeTheWriteIsNotReplaced() throws IOException {
        Path target = dir.resolve("r.html");
        OutputFile out = OutputFile.check("--report", target);
        SpecialFiles.fifo(target);
        DirSnapshot before = DirSnapshot.of(dir);
        assertThatThrownBy(() -> out.write("x")).isInstanceOf(ReportException.class)
                .hasMessage("cannot write --report " + target + ": it is a FIFO, not a regular file");
        assertThat(DirSnapshot.of(dir)).isEqualTo(before);
    }
}
