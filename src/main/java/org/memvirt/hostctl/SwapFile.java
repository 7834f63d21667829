package org.memvirt.hostctl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.host.HostRoot;
import org.memvirt.host.ProcessIdentity;
import org.memvirt.host.SwapArea;

/**
 * A swap file memvirt creates and switches on for one run, where a scenario asks for more swap than the host has:
 * made with mode 0600, allocated (fallocate, else written with zeros as dd would), mkswap'd and swapon'd with a
 * priority; {@link #close} (and a shutdown hook) swaps it off and deletes it. Its name is its marker
 * ({@link OwnedName}): a later run swaps off and deletes one whose owner died ({@link Leftovers}). Needs root.
 */
public final class SwapFile extends HostChange {
    /** Where memvirt keeps its swap files unless told otherwise (a disk file system: swapon refuses tmpfs). */
    public static final Path DEFAULT_DIR = Path.of("/var/lib/memvirt/swap");
    static final String SUFFIX = ".swap";
    static final long PAGE = 4096;
    static final long MIN_BYTES = 10 * PAGE;                  // util-linux mkswap.c: MIN_GOODPAGES 10
    static final int MAX_PRIORITY = 32767;                    // linux include/linux/swap.h SWAP_FLAG_PRIO_MASK 0x7fff
    /** What memvirt leaves free on the swap file's file system, beyond the file. */
    static final long DISK_RESERVE = 1L << 30;
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);   // swapoff reads every swapped page back
    /**
     * File systems whose files swapon(2) refuses with EINVAL: linux mm/swapfile.c setup_swap_extents falls back to
     * generic_swapfile_activate, which needs bmap, and these have neither a swap_activate nor a bmap operation
     * (mm/shmem.c, fs/ramfs, fs/overlayfs). SwapFileTest has the kernel refuse a tmpfs file to hold the list to it.
     * Checked before the file is made: a swap file on tmpfs or ramfs would take the very RAM it was meant to add.
     */
    static final List<String> REFUSING_FILE_SYSTEMS = List.of("tmpfs", "ramfs", "overlay");

    private final HostRoot root;
    private final Path path;
    private final long bytes;
    private final int priority;
    private final List<String> leftoversRemoved;

    private SwapFile(HostRoot root, Path path, long bytes, int priority, List<String> leftoversRemoved) {
        super("memvirt-swap-remove");
        this.root = root;
        this.path = path;
        this.bytes = bytes;
        this.priority = priority;
        this.leftoversRemoved = List.copyOf(leftoversRemoved);
    }

    /** The swap a scenario wants beyond what the host's swap areas have free now; 0 when they have enough. */
    public static long shortfall(long wantedBytes, List<SwapArea> areas) {
        long free = 0;
        for (SwapArea a : areas) free += Math.max(0, a.sizeBytes() - a.usedBytes());
        return Math.max(0, wantedBytes - free);
    }

    /**
     * Creates a swap file of {@code bytes} in {@code dir} and switches it on with {@code priority} (-1: the kernel
     * chooses). Everything is checked before the file is made; on any failure nothing is left. A stale swap file of a
     * dead memvirt run in {@code dir} is removed first.
     */
    public static SwapFile create(HostRoot root, Path dir, long bytes, int priority) {
        return create(root, dir, bytes, priority, true);
    }

    /** {@link #create}; {@code checkFileSystem} false only for the test that has the kernel refuse a tmpfs file. */
    static SwapFile create(HostRoot root, Path dir, long bytes, int priority, boolean checkFileSystem) {
        String refused = refusal(bytes, priority);
        if (refused != null) throw HostctlException.input(refused);
        String unavailable = unavailableReason(root);
        if (unavailable != null) throw HostctlException.host(unavailable);
        ProcessIdentity self = ProcessIdentity.self(root);
        String fsType = fileSystemType(dir);
        if (checkFileSystem && REFUSING_FILE_SYSTEMS.contains(fsType)) {
            throw HostctlException.host(fileSystemRefusal(dir, fsType));
        }
        makeDirectory(dir);
        List<String> removed = Leftovers.removeStaleSwapFiles(root, dir);
        String noSpace = diskRefusal(dir, bytes, usableBytes(dir));
        if (noSpace != null) throw HostctlException.host(noSpace);
        SwapFile f = new SwapFile(root, dir.resolve(OwnedName.next(self) + SUFFIX), bytes, priority, removed);
        try {
            Files.createFile(f.path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw HostctlException.host("cannot create swap file " + f.path + ": " + KernelFiles.reason(e));
        }
        f.hook();
        try {
            f.switchOn();
            return f;
        } catch (RuntimeException e) {
            f.abandon();
            throw e;
        }
    }

    /** Why memvirt cannot switch swap files on here (not root, no CAP_SYS_ADMIN, no swap tools), or null. */
    public static String unavailableReason(HostRoot root) {
        ProcessIdentity self = ProcessIdentity.self(root);
        if (!self.root()) return "a swap file needs root; memvirt runs as uid " + self.effectiveUid();
        if (!self.hasCapability(ProcessIdentity.CAP_SYS_ADMIN)) {
            return "swapon(2) needs CAP_SYS_ADMIN, which this process lacks (a container that drops it?)";
        }
        if (!root.exists("/proc/swaps")) return "this kernel has no swap (no /proc/swaps)";
        for (String program : List.of("mkswap", "swapon", "swapoff")) {
            try {
                HostCommand.locate(program);
            } catch (HostctlException e) {
                return e.getMessage();
            }
        }
        return null;
    }

    /** Why {@code bytes} and {@code priority} are refused, or null. */
    static String refusal(long bytes, int priority) {
        if (bytes < MIN_BYTES || bytes % PAGE != 0) {
            return "a swap file must be a multiple of 4 KiB and at least 40 KiB (mkswap's minimum), not " + bytes + " bytes";
        }
        if (priority < -1 || priority > MAX_PRIORITY) return "swap priority must be 0..32767 (or -1), not " + priority;
        return null;
    }

    /** Why swap files in {@code dir}, on a file system of {@code type}, cannot be switched on. */
    static String fileSystemRefusal(Path dir, String type) {
        return dir + " is on " + type + ", whose files swapon refuses (choose a directory on a disk file system)";
    }

    /**
     * The type of the file system {@code dir} is (or, not made yet, would be) on, as /proc/self/mountinfo names it
     * (ext4, xfs, tmpfs, overlay): that of its nearest existing ancestor.
     */
    static String fileSystemType(Path dir) {
        Path existing = dir.toAbsolutePath();
        while (existing.getParent() != null && !Files.exists(existing)) existing = existing.getParent();
        try {
            return Files.getFileStore(existing).type();
        } catch (IOException e) {
            throw HostctlException.host("cannot read the file system of " + dir + ": " + KernelFiles.reason(e));
        }
    }

    /** Why a file of {@code bytes} may not be made where {@code usable} bytes are free, or null. */
    static String diskRefusal(Path dir, long bytes, long usable) {
        if (usable - bytes >= DISK_RESERVE) return null;
        return "not enough disk space in " + dir + " for a " + mib(bytes) + " swap file: " + mib(usable)
                + " free, and memvirt leaves 1024 MiB";
    }

    public Path path() {
        return path;
    }

    public long bytes() {
        return bytes;
    }

    public int priority() {
        return priority;
    }

    /** What {@link #create} removed first, one line each (for the run's notices); empty when nothing was stale. */
    public List<String> leftoversRemoved() {
        return leftoversRemoved;
    }

    /** Whether /proc/swaps lists this file now. */
    public boolean active() {
        return active(root, path);
    }

    static boolean active(HostRoot root, Path path) {
        for (SwapArea a : SwapArea.read(root)) if (a.filename().equals(path.toString())) return true;
        return false;
    }

    /** fallocate, mkswap, swapon; where swapon refuses a preallocated file (holes), zeros written and tried once more. */
    private void switchOn() {
        boolean fallocated = fallocate();
        if (!fallocated) writeZeros();
        HostCommand.Result on = mkswapAndSwapon();
        if (on.exitCode() != 0 && fallocated && on.output().contains("Invalid argument")) {
            writeZeros();                                         // mkswap(8): some file systems refuse fallocated swap
            on = mkswapAndSwapon();
        }
        if (on.exitCode() != 0) throw HostctlException.host("swapon refused " + path + ": " + on.lastLine());
    }

    /** Whether fallocate(1) allocated the file (it may be missing, or the file system may not support it). */
    private boolean fallocate() {
        try {
            return HostCommand.run(COMMAND_TIMEOUT, "fallocate", "-l", Long.toString(bytes), path.toString()).exitCode() == 0;
        } catch (HostctlException e) {
            return false;                                         // not installed: zeros instead
        }
    }

    private HostCommand.Result mkswapAndSwapon() {
        HostCommand.Result mk = HostCommand.run(COMMAND_TIMEOUT, "mkswap", path.toString());
        if (mk.exitCode() != 0) throw HostctlException.host("mkswap " + path + " failed: " + mk.lastLine());
        List<String> argv = new ArrayList<>(List.of("swapon"));
        if (priority >= 0) argv.addAll(List.of("-p", Integer.toString(priority)));
        argv.add(path.toString());
        return HostCommand.run(COMMAND_TIMEOUT, argv.toArray(String[]::new));
    }

    /** The file's whole length written with zeros and synced: no holes and no unwritten extents, as dd from /dev/zero. */
    private void writeZeros() {
        ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < bytes; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - done));
                done += ch.write(zeros);
            }
            ch.force(true);
        } catch (IOException e) {
            throw HostctlException.host("cannot write swap file " + path + ": " + KernelFiles.reason(e));
        }
    }

    /** Swaps the file off and deletes it. */
    @Override
    void undo() {
        swapOffAndDelete(root, path);
    }

    /**
     * swapoff (when /proc/swaps lists it), then delete. A file swapoff refuses (it cannot read every page back) stays
     * on and stays: deleting it would leave swap nobody can name.
     */
    static void swapOffAndDelete(HostRoot root, Path path) {
        if (active(root, path)) {
            HostCommand.Result off = HostCommand.run(COMMAND_TIMEOUT, "swapoff", path.toString());
            if (off.exitCode() != 0) {
                throw HostctlException.host("swapoff " + path + " failed: " + off.lastLine() + "; it stays on (by hand: "
                        + "swapoff " + path + " && rm " + path + ")");
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw HostctlException.host("cannot delete swap file " + path + ": " + KernelFiles.reason(e));
        }
    }

    private static void makeDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw HostctlException.host("cannot create " + dir + " for swap files: " + KernelFiles.reason(e));
        }
    }

    private static long usableBytes(Path dir) {
        try {
            FileStore store = Files.getFileStore(dir);
            return store.getUsableSpace();
        } catch (IOException e) {
            throw HostctlException.host("cannot read the free space of " + dir + ": " + KernelFiles.reason(e));
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
