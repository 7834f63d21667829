package org.memvirt.qemu;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A QMP connection to one QEMU over its Unix socket (docs/interop/qmp-spec.txt): the greeting, capabilities
 * negotiation, commands with ids, and events queued until asked for. One reader thread per connection parses the
 * stream (messages may arrive in pieces or several at once); every wait has a timeout; QEMU's error replies, a
 * malformed message and a closed connection become one-line {@link QemuException}s.
 *
 * <pre>{@code
 * try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
 *     long actual = qmp.execute("query-balloon", null, timeout).get("actual").asLong();
 *     QmpEvent e = qmp.awaitEvent("BALLOON_CHANGE", timeout);
 * }
 * }</pre>
 * Typed commands are in {@link QmpCommands}.
 */
public final class QmpClient implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Events kept for {@link #awaitEvent}; older ones are dropped beyond this (QEMU throttles BALLOON_CHANGE to one
     *  a second, monitor/monitor.c monitor_qapi_event_conf, so this is hours of events). */
    static final int MAX_QUEUED_EVENTS = 4096;

    private final SocketChannel channel;
    private final Thread reader;
    private final Object lock = new Object();
    private final CompletableFuture<JsonNode> greeting = new CompletableFuture<>();
    private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();   // in the order sent
    private final List<QmpEvent> events = new ArrayList<>();
    private long nextId = 1;
    private long droppedEvents;
    private String closedBecause;                                                  // null while the connection lives
    private volatile boolean closing;
    private volatile java.util.function.Supplier<String> lossExplainer;
    private QmpGreeting qemu;

    private record Pending(String command, CompletableFuture<JsonNode> reply) {}

    private QmpClient(SocketChannel channel) {
        this.channel = channel;
        this.reader = Thread.ofPlatform().daemon().name("memvirt-qmp-reader").unstarted(this::readLoop);
    }

    /**
     * Connects to QEMU's QMP socket, reads the greeting and leaves capabilities negotiation mode
     * ({@code qmp_capabilities}); all within {@code timeout}.
     *
     * @throws QemuException when nothing listens there, QEMU sends no greeting in time, or negotiation fails
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        return connect(socket, timeout, null);
    }

    /**
     * {@link #connect(Path, Duration)} with {@code explainer} saying why the connection was lost if QEMU drops it, from
     * the greeting on ({@link #explainLossWith}).
     */
    public static QmpClient connect(Path socket, Duration timeout, java.util.function.Supplier<String> explainer) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QemuException("QMP: cannot open a Unix socket: " + e.getMessage());
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new QemuException("QMP: cannot connect to " + socket + ": " + e.getMessage());
        }
        QmpClient client = new QmpClient(channel);
        client.lossExplainer = explainer;
        client.reader.start();
        try {
            client.negotiate(timeout);
            return client;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private void negotiate(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode hello = await(greeting, deadline, "QMP: no greeting from QEMU within " + millis(timeout) + " ms");
        qemu = QmpGreeting.of(hello);
        execute("qmp_capabilities", null, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** The greeting QEMU sent. */
    public QmpGreeting greeting() {
        return qemu;
    }

    /**
     * Runs one command and returns its {@code return} value.
     *
     * @param arguments the command's arguments, or null for none
     * @throws QemuException on QEMU's error reply ({@code QMP balloon: No balloon device has been activated
     *         (DeviceNotActive)}), no reply within {@code timeout}, or a lost connection
     */
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        long id;
        synchronized (lock) {
            if (closedBecause != null) throw new QemuException("QMP " + command + ": " + closedBecause);
            id = nextId++;
            pending.put(id, new Pending(command, reply));
        }
        ObjectNode message = MAPPER.createObjectNode().put("execute", command);
        if (arguments != null) message.set("arguments", arguments);
        message.put("id", id);
        send(command, message);
        JsonNode r;
        try {
            r = await(reply, deadline, "QMP " + command + ": no reply within " + millis(timeout) + " ms");
        } finally {
            synchronized (lock) {
                pending.remove(id);
            }
        }
        JsonNode error = r.get("error");
        if (error != null) {
            throw QemuException.qmpError(command, error.path("class").asText("GenericError"),
                    error.path("desc").asText("(no description)"));
        }
        return r.path("return");
    }

    /**
     * The first queued event named {@code name}, waiting up to {@code timeout} for it; events of other names stay
     * queued in their order.
     *
     * @throws QemuException when none comes in time or the connection is lost first
     */
    public QmpEvent awaitEvent(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (Iterator<QmpEvent> it = events.iterator(); it.hasNext(); ) {
                    QmpEvent e = it.next();
                    if (e.name().equals(name)) {
                        it.remove();
                        return e;
                    }
                }
                if (closedBecause != null) throw new QemuException("QMP: " + closedBecause + " before a " + name + " event");
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new QemuException("QMP: no " + name + " event within " + millis(timeout) + " ms");
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new QemuException("QMP: interrupted while waiting for a " + name + " event");
                }
            }
        }
    }

    /** Every queued event, oldest first, and an empty queue. */
    public List<QmpEvent> takeEvents() {
        synchronized (lock) {
            List<QmpEvent> all = List.copyOf(events);
            events.clear();
            return all;
        }
    }

    /** Events dropped because more than {@link #MAX_QUEUED_EVENTS} were queued. */
    public long droppedEvents() {
        synchronized (lock) {
            return droppedEvents;
        }
    }

    /** Why the connection is gone ({@code QEMU closed the QMP connection}), or null while it lives. */
    public String closedBecause() {
        synchronized (lock) {
            return closedBecause;
        }
    }

    /**
     * Has {@code explainer} say why the connection was lost when QEMU closes it ({@code QEMU was killed by SIGKILL});
     * its answer, if not null, replaces the generic reason in every error that follows.
     */
    public void explainLossWith(java.util.function.Supplier<String> explainer) {
        this.lossExplainer = explainer;
    }

    /** Closes the socket and stops the reader thread; idempotent. Pending commands fail with "connection closed". */
    @Override
    public void close() {
        closing = true;
        closeQuietly(channel);
        lost("the QMP connection was closed by memvirt");
        if (Thread.currentThread() != reader) {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void send(String command, ObjectNode message) {
        ByteBuffer bytes = ByteBuffer.wrap((message + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            synchronized (channel) {
                while (bytes.hasRemaining()) channel.write(bytes);
            }
        } catch (IOException e) {
            lost("QEMU closed the QMP connection (" + e.getMessage() + ")");
            throw new QemuException("QMP " + command + ": cannot send: " + closedBecause());
        }
    }

    private static JsonNode await(CompletableFuture<JsonNode> f, long deadline, String timeoutMessage) {
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new QemuException(timeoutMessage);
        } catch (ExecutionException e) {
            throw (QemuException) e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QemuException("QMP: interrupted while waiting for QEMU");
        }
    }

    // ---------------------------------------------------------------- the reader thread

    private void readLoop() {
        try (InputStream in = Channels.newInputStream(channel);
             JsonParser parser = MAPPER.getFactory().createParser(in)) {
            while (true) {
                JsonToken token = parser.nextToken();
                if (token == null) {
                    lost("QEMU closed the QMP connection");
                    return;
                }
                if (token != JsonToken.START_OBJECT) {
                    lost("QEMU sent a QMP message that is not a JSON object ('" + parser.getText() + "')");
                    return;
                }
                dispatch(MAPPER.readTree(parser));
            }
        } catch (JsonEOFException e) {
            lost("QEMU closed the QMP connection in the middle of a message");
        } catch (JsonProcessingException e) {
            lost("QEMU sent malformed JSON on QMP (" + firstLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            lost(closing ? "the QMP connection was closed by memvirt" : "reading QMP failed: " + e.getMessage());
        }
    }

    private void dispatch(JsonNode message) {
        if (message.has("QMP")) {
            greeting.complete(message);
        } else if (message.has("event")) {
            synchronized (lock) {
                if (events.size() == MAX_QUEUED_EVENTS) {
                    events.removeFirst();
                    droppedEvents++;
                }
                events.add(QmpEvent.of(message));
                lock.notifyAll();
            }
        } else if (message.has("return") || message.has("error")) {
            Pending p = replied(message.get("id"));
            if (p != null) p.reply().complete(message);
        } else {
            lost("QEMU sent a QMP message that is neither reply nor event: " + firstLine(message.toString()));
        }
    }

    /** The command a reply answers: by its id, or without one (an error about the request itself) the oldest. */
    private Pending replied(JsonNode id) {
        synchronized (lock) {
            if (id != null && id.canConvertToLong()) return pending.remove(id.asLong());
            Iterator<Map.Entry<Long, Pending>> oldest = pending.entrySet().iterator();
            if (!oldest.hasNext()) return null;
            Pending p = oldest.next().getValue();
            oldest.remove();
            return p;
        }
    }

    /** The connection is gone: every waiter, now and later, fails with {@code why} (the first reason wins). */
    private void lost(String reason) {
        synchronized (lock) {
            if (closedBecause != null) return;
        }
        java.util.function.Supplier<String> explainer = lossExplainer;
        String explained = closing || explainer == null ? null : explainer.get();
        String why = explained != null ? explained : reason;
        List<Pending> failed;
        synchronized (lock) {
            if (closedBecause != null) return;
            closedBecause = why;
            failed = new ArrayList<>(pending.values());
            pending.clear();
            lock.notifyAll();
        }
        greeting.completeExceptionally(new QemuException("QMP: " + why + " before its greeting"));
        for (Pending p : failed) p.reply().completeExceptionally(new QemuException("QMP " + p.command() + ": " + why));
    }

    private static String firstLine(String s) {
        String line = s == null ? "" : s.lines().findFirst().orElse("");
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static long millis(Duration d) {
        return d.toMillis();
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing a socket we are abandoning: nothing useful to report
        }
    }
}
