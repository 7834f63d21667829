package org.memvirt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a text file memvirt was given (a workload, a scenario, an address-space spec): only a regular file of UTF-8
 * text up to {@link #MAX_BYTES}. A directory, device node or FIFO is refused before it is opened (a FIFO would block,
 * a device could be endless), as are binary and oversized files; every refusal is one line, {@code cannot read
 * WHAT FILE: REASON}.
 */
public final class TextFile {
    /** Larger than any workload, scenario or spec file; trace files are read by their own reader. */
    public static final long MAX_BYTES = 16L << 20;

    /** A file that cannot be read as text. */
    public static final class Unreadable extends MemvirtException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message) {
            super(message);
        }
    }

    /**
     * The text of {@code file}.
     *
     * @param what what the file is, for errors: {@code "workload file"}, {@code "scenario"}, ...
     * @throws Unreadable {@code cannot read workload file w.yaml: it is a directory}, ...
     */
    public static String read(Path file, String what) {
        String kind = FileKind.of(file);
        if (kind == null) throw refused(what, file, Files.isSymbolicLink(file) ? "it is a symbolic link to a missing file"
                : "no such file or directory");
        if (!kind.equals(FileKind.REGULAR)) throw refused(what, file, "it is " + kind + ", not a regular file");
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) throw refused(what, file, "it is larger than " + (MAX_BYTES >> 20) + " MiB");
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw refused(what, file, FileKind.reason(e));
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) throw refused(what, file, "it is not a text file (a NUL byte at offset " + i + ")");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);          // UTF-8 never gives more chars than bytes
        CoderResult result = utf8.decode(in, out, true);
        if (!result.isError()) result = utf8.flush(out);
        if (result.isError()) throw refused(what, file, "it is not UTF-8 text (a bad byte at offset " + in.position() + ")");
        String text = out.flip().toString();
        return text.startsWith("\uFEFF") ? text.substring(1) : text;         // a UTF-8 byte order mark is not text
    }

    private static Unreadable refused(String what, Path file, String reason) {
        return new Unreadable("cannot read " + what + " " + file + ": " + reason);
    }

    private TextFile() {}
}
