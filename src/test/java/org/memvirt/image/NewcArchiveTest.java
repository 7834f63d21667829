package org.memvirt.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The newc cpio writer against buffer-format.rst, read back by an independent parser. */
class NewcArchiveTest {
    /** One entry as a reader sees it. */
    record Entry(String name, int mode, int nlink, int rdevMajor, int rdevMinor, byte[] data) {}

    static byte[] sample() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NewcArchive a = new NewcArchive(out);
        a.directory("bin", 0755);
        a.file("bin/hello", 0755, "hi!\n".getBytes(StandardCharsets.US_ASCII));
        a.symlink("bin/sh", "busybox");
        a.charDevice("dev/console", 0600, 5, 1);
        a.finish();
        return out.toByteArray();
    }

    /** A newc reader written from buffer-format.rst: header, name padded to 4 with the header, data padded to 4. */
    static List<Entry> read(byte[] archive) {
        List<Entry> entries = new ArrayList<>();
        int at = 0;
        while (true) {
            String header = new String(archive, at, 110, StandardCharsets.US_ASCII);
            assertThat(header).startsWith("070701");
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) f[i] = Long.parseLong(header.substring(6 + 8 * i, 14 + 8 * i), 16);
            int nameSize = (int) f[11], size = (int) f[6];
            String name = new String(archive, at + 110, nameSize - 1, StandardCharsets.UTF_8);
            assertThat(archive[at + 110 + nameSize - 1]).isZero();
            int data = (at + 110 + nameSize + 3) & ~3;
            if (name.equals("TRAILER!!!")) {
                assertThat(data).isEqualTo(archive.length);
                return entries;
            }
            assertThat(f[2]).as("uid").isZero();
            assertThat(f[5]).as("mtime").isZero();
            entries.add(new Entry(name, (int) f[1], (int) f[4], (int) f[9], (int) f[10],
                    java.util.Arrays.copyOfRange(archive, data, data + size)));
            at = (data + size + 3) & ~3;
        }
    }

    @Test
    void entriesReadBackWithTheirModesLinksAndData() throws IOException {
        List<Entry> e = read(sample());
        assertThat(e).extracting(Entry::name).containsExactly("bin", "bin/hello", "bin/sh", "dev/console");
        assertThat(e).extracting(Entry::mode).containsExactly(040755, 0100755, 0120777, 020600);
        assertThat(e).extracting(Entry::nlink).containsExactly(2, 1, 1, 1);
        assertThat(new String(e.get(1).data(), StandardCharsets.US_ASCII)).isEqualTo("hi!\n");
        assertThat(new String(e.get(2).data(), StandardCharsets.US_ASCII)).isEqualTo("busybox");
        assertThat(e.get(3).rdevMajor()).isEqualTo(5);
        assertThat(e.get(3).rdevMinor()).isEqualTo(1);
    }

    @Test
    void theFirstHeaderIsByteExact() throws IOException {
        String head = new String(sample(), 0, 116, StandardCharsets.US_ASCII);
        // magic, ino 1, mode 040755, uid, gid, nlink 2, mtime 0, size 0, maj, min, rmaj, rmin, namesize 4 ("bin\0"), check
        assertThat(head).isEqualTo("070701" + "00000001" + "000041ED" + "00000000" + "00000000" + "00000002" + "00000000"
                + "00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "00000004" + "00000000" + "bin\0\0\0");
    }

    @Test
    void theSameEntriesGiveTheSameBytes() throws IOException {
        assertThat(sample()).isEqualTo(sample());
        assertThat(sample().length % 4).isZero();
    }
}
