package org.memvirt.qemu.agent;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Lines to and from the agent over any pair of byte channels (QEMU's Unix socket for the port; a pipe pair or a
 * process's stdio in tests). A daemon thread reads and splits lines so that waiting for one can time out and look at
 * the guest in between; writes go straight out.
 */
public final class AgentConnection implements Closeable {
    static final int MAX_LINE = 1 << 20;                  // replies are a few KiB; anything near this is garbage
    private static final Object EOF = new Object();

    /** What the reader thread saw instead of a line. */
    record Broken(String why) {}

    private final ReadableByteChannel in;
    private final WritableByteChannel out;
    private final Closeable closer;
    private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
    private volatile boolean ended;
    private Next.Closed closed;

    public AgentConnection(ReadableByteChannel in, WritableByteChannel out, Closeable closer) {
        this.in = in;
        this.out = out;
        this.closer = closer;
        Thread reader = new Thread(this::readLoop, "memvirt-agent-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Over a process's stdout and stdin (an agent run with --stdio); every line is flushed as it is sent. */
    public static AgentConnection of(java.io.InputStream in, java.io.OutputStream out) {
        WritableByteChannel flushing = new WritableByteChannel() {
            private boolean open = true;

            @Override
            public int write(ByteBuffer src) throws IOException {
                int n = src.remaining();
                byte[] bytes = new byte[n];
                src.get(bytes);
                out.write(bytes);
                out.flush();
                return n;
            }

            @Override
            public boolean isOpen() {
                return open;
            }

            @Override
            public void close() throws IOException {
                open = false;
                out.close();
            }
        };
        return new AgentConnection(java.nio.channels.Channels.newChannel(in), flushing, flushing);
    }

    /**
     * Connects to QEMU's end of the agent port at {@code socket}, retrying while the socket does not exist yet or
     * refuses (QEMU creates it while it starts) until {@code timeout}, or until {@code watch} reports QEMU gone.
     */
    public static AgentConnection connect(Path socket, java.time.Duration timeout, GuestWatch watch) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                try {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    try {
                        ch.connect(UnixDomainSocketAddress.of(socket));
                        return new AgentConnection(ch, ch, ch);
                    } catch (IOException e) {
                        ch.close();
                    }
                } catch (IOException e) {
                    throw new AgentException("cannot open a Unix socket for the guest agent: " + e.getMessage());
                }
            }
            var failure = watch.failure();
            if (failure.isPresent()) throw new AgentException("cannot reach the guest agent at " + socket + ": " + failure.get());
            if (System.nanoTime() - deadline > 0) {
                throw new AgentException("the guest agent's socket " + socket + " did not accept a connection within "
                        + timeout.toSeconds() + " s");
            }
            sleep(20);
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (in.read(buf.clear()) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b != '\n') {
                        line.write(b);
                        if (line.size() > MAX_LINE) {
                            lines.add(new Broken("a reply longer than " + (MAX_LINE >> 20) + " MiB without a newline"));
                            return;
                        }
                        continue;
                    }
                    lines.add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                }
            }
            lines.add(line.size() == 0 ? EOF : new Broken("the channel closed in the middle of a reply"));
        } catch (IOException e) {
            lines.add(ended ? EOF : new Broken("reading failed: " + e.getMessage()));
        }
    }

    /** Sends one line (a newline is added). */
    void send(String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) out.write(b);
    }

    /** The next line, waiting up to {@code pollMillis}; once the channel has ended, always that end. */
    Next next(long pollMillis) {
        if (closed != null) return closed;
        Object o;
        try {
            o = lines.poll(pollMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Next.Closed("interrupted");
        }
        if (o == null) return new Next.Nothing();
        if (o == EOF) return closed = new Next.Closed("");
        if (o instanceof Broken(String why)) return closed = new Next.Closed(why);
        return new Next.Line((String) o);
    }

    /** What {@link #next} found: a line, nothing yet, or the end of the channel (with a reason if it broke). */
    sealed interface Next {
        record Line(String text) implements Next {}

        record Nothing() implements Next {}

        record Closed(String why) implements Next {}
    }

    @Override
    public void close() {
        ended = true;
        try {
            closer.close();
        } catch (IOException e) {
            // closing a dead channel: nothing left to say
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("interrupted while waiting for the guest agent");
        }
    }
}
