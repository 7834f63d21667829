package org.memvirt.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A cpio archive in the "newc" format the kernel unpacks into its initramfs (linux
 * Documentation/driver-api/early-userspace/buffer-format.rst): per entry a 110-byte ASCII header ("070701" and 13
 * eight-digit hexadecimal fields), the NUL-terminated name padded to a multiple of 4 bytes (counting the header), then
 * the data padded to a multiple of 4; the archive ends with the entry "TRAILER!!!". Owners are root and every mtime
 * is 0, so the same entries always give the same bytes. Public for tools and tests that add files to an initramfs
 * (the kernel unpacks concatenated archives in turn, a later file replacing an earlier one of the same name).
 */
public final class NewcArchive {
    static final String MAGIC = "070701";                 // buffer-format.rst: c_magic, "070701" (no checksum)
    static final String TRAILER = "TRAILER!!!";           // buffer-format.rst: the end-of-archive entry
    static final int HEADER_BYTES = 110;                  // 6-byte magic + 13 fields of 8 hex digits
    static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000, S_IFCHR = 0020000;   // linux include/uapi/linux/stat.h

    private final OutputStream out;
    private long offset;
    private int ino = 1;

    public NewcArchive(OutputStream out) {
        this.out = out;
    }

    void directory(String name, int permissions) throws IOException {
        entry(name, S_IFDIR | permissions, 2, new byte[0], 0, 0);
    }

    public void file(String name, int permissions, byte[] data) throws IOException {
        entry(name, S_IFREG | permissions, 1, data, 0, 0);
    }

    /** A symbolic link; its data is the target path. */
    void symlink(String name, String target) throws IOException {
        entry(name, S_IFLNK | 0777, 1, target.getBytes(StandardCharsets.UTF_8), 0, 0);
    }

    /** A character device node (the kernel creates it while unpacking, so no privilege is needed here). */
    void charDevice(String name, int permissions, int major, int minor) throws IOException {
        entry(name, S_IFCHR | permissions, 1, new byte[0], major, minor);
    }

    /** Writes the trailer; the archive is complete afterwards. */
    public void finish() throws IOException {
        entry(TRAILER, 0, 1, new byte[0], 0, 0);
        out.flush();
    }

    private void entry(String name, int mode, int nlink, byte[] data, int rdevMajor, int rdevMinor) throws IOException {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(HEADER_BYTES).append(MAGIC);
        // c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize c_maj c_min c_rmaj c_rmin c_namesize c_chksum
        for (long field : new long[] {ino++, mode, 0, 0, nlink, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0}) {
            h.append(String.format("%08X", field));
        }
        write(h.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
        write(data);
        pad();
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        offset += bytes.length;
    }

    private void pad() throws IOException {
        while (offset % 4 != 0) write(new byte[1]);
    }
}
