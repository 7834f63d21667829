package org.memvirt.qemu.agent;

import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;

import org.memvirt.qemu.QemuProcess;
import org.memvirt.workload.Op;

/**
 * A conversation with memvirt's guest agent (docs/agent-protocol.md): wait for its ready message, set the workload
 * region, run workload ops one request at a time and collect the guest's counters for each, and say goodbye. Every
 * way it can go wrong ends in an {@link AgentException} of one line naming the op: the agent's own error, a reply
 * that breaks the protocol, the channel closing (with the guest's panic or QEMU's exit where the {@link GuestWatch}
 * knows it), or no answer in time. Not thread-safe: one caller drives it.
 */
public final class AgentSession implements AutoCloseable {
    /** The protocol this memvirt speaks (guest/agent/agent.h AGENT_PROTOCOL). */
    public static final int PROTOCOL = 1;
    static final long POLL_MILLIS = 100;
    static final long DEATH_GRACE_MILLIS = 2_000;        // after the channel closes, time for a panic line or QEMU's exit
    static final Duration BYE_TIMEOUT = Duration.ofSeconds(10);

    private final AgentConnection channel;
    private final GuestWatch watch;
    private final GuestConsole console;                  // null when the caller watches the guest itself
    private final AgentReply.Ready ready;
    private final OpRequests requests = new OpRequests();
    private long seq;
    private boolean closed;

    private AgentSession(AgentConnection channel, GuestWatch watch, GuestConsole console, AgentReply.Ready ready) {
        this.channel = channel;
        this.watch = watch;
        this.console = console;
        this.ready = ready;
    }

    /**
     * Connects to the agent in a guest {@code qemu} runs (launched with {@link AgentPort#channel()}, memvirt's image
     * and a console log) and waits up to {@code timeout} for its ready message, watching the console for a panic and
     * QEMU for its exit meanwhile.
     */
    public static AgentSession open(QemuProcess qemu, Duration timeout) {
        GuestConsole console = GuestConsole.followLog(qemu.command().consoleLog(), qemu::alive);
        GuestWatch watch = GuestWatch.of(console, qemu::alive, qemu::diagnosis);
        try {
            AgentConnection c = AgentConnection.connect(qemu.channelSocket(AgentPort.NAME), timeout, watch);
            return open(c, watch, console, timeout);
        } catch (RuntimeException e) {
            console.close();
            throw e;
        }
    }

    /** Waits up to {@code timeout} for the agent's ready message on {@code channel}. */
    public static AgentSession open(AgentConnection channel, GuestWatch watch, Duration timeout) {
        return open(channel, watch, null, timeout);
    }

    private static AgentSession open(AgentConnection channel, GuestWatch watch, GuestConsole console, Duration timeout) {
        try {
            AgentReply first = receive(channel, watch, "start-up", System.nanoTime() + timeout.toNanos(), timeout);
            if (!(first instanceof AgentReply.Ready r)) {
                throw new AgentException("guest agent protocol error at start-up: expected its ready message, got " + describe(first));
            }
            if (r.protocol() != PROTOCOL) {
                throw new AgentException("the guest agent speaks protocol " + r.protocol() + ", this memvirt " + PROTOCOL
                        + ": rebuild the guest image (memvirt image build)");
            }
            return new AgentSession(channel, watch, console, r);
        } catch (AgentException e) {
            channel.close();
            throw e;
        }
    }

    public AgentReply.Ready ready() {
        return ready;
    }

    /** The guest's console as this session follows it (its last lines, its panic), when opened on a QemuProcess. */
    public Optional<GuestConsole> console() {
        return Optional.ofNullable(console);
    }

    /** Sets the workload region of every process (the guest's RAM size, docs/guest-model.md) and starts process 0. */
    public AgentOpResult region(long bytes, Duration timeout) {
        return single("region " + bytes, "region " + bytes, timeout);
    }

    /** The guest's counters now (an op that does nothing): e.g. after the host moved the balloon. */
    public AgentOpResult stats(Duration timeout) {
        return single("stats", "stats", timeout);
    }

    /**
     * Runs one workload op ({@code text} as the user wrote it, for diagnoses) and sums the guest's counters over its
     * requests; {@code timeout} bounds the whole op.
     */
    public AgentOpResult run(Op op, String text, Duration timeout) {
        OpRequests.checkSupported(op, text);
        long deadline = System.nanoTime() + timeout.toNanos();
        AgentOpResult.Sum sum = new AgentOpResult.Sum(text);
        for (Iterator<String> it = requests.of(op); it.hasNext(); ) sum.add(call(it.next(), text, deadline, timeout));
        return sum.result();
    }

    /** One request as written (tests send what no workload op makes, such as {@code crash}). */
    AgentOpResult raw(String request, Duration timeout) {
        return single(request, request, timeout);
    }

    private AgentOpResult single(String request, String text, Duration timeout) {
        AgentOpResult.Sum sum = new AgentOpResult.Sum(text);
        sum.add(call(request, text, System.nanoTime() + timeout.toNanos(), timeout));
        return sum.result();
    }

    /** Sends one request and waits for its answer. */
    private AgentReply.Done call(String request, String text, long deadline, Duration timeout) {
        long mine = ++seq;
        try {
            channel.send(mine + " " + request);
        } catch (IOException e) {
            throw new AgentException(closedDuring(text, "sending failed: " + e.getMessage()));
        }
        AgentReply reply = receive(channel, watch, "'" + text + "'", deadline, timeout);
        if (reply.seq() != mine) {
            throw new AgentException("guest agent protocol error in the reply to '" + text + "': sequence " + reply.seq()
                    + ", expected " + mine + (reply instanceof AgentReply.Failure(long s, String m) ? " (" + m + ")" : ""));
        }
        return switch (reply) {
            case AgentReply.Done d -> d;
            case AgentReply.Failure(long s, String message) -> throw new AgentException("guest agent: '" + text + "' failed: " + message);
            default -> throw new AgentException("guest agent protocol error in the reply to '" + text + "': " + describe(reply));
        };
    }

    /** The next reply, watching the guest while waiting; every failure is one line naming {@code during}. */
    private static AgentReply receive(AgentConnection channel, GuestWatch watch, String during, long deadline, Duration timeout) {
        while (true) {
            switch (channel.next(POLL_MILLIS)) {
                case AgentConnection.Next.Line(String line) -> {
                    try {
                        return ReplyDecoder.decode(line);
                    } catch (ReplyDecoder.Malformed e) {
                        throw new AgentException("guest agent protocol error in the reply to " + during + ": " + e.getMessage());
                    }
                }
                case AgentConnection.Next.Closed(String why) -> throw new AgentException(died(watch, during, why));
                case AgentConnection.Next.Nothing() -> {
                    Optional<String> failure = watch.failure();
                    if (failure.isPresent()) throw new AgentException("the guest died during " + during + ": " + failure.get());
                    if (System.nanoTime() - deadline > 0) {
                        throw new AgentException("the guest agent gave no answer during " + during + " within "
                                + seconds(timeout));
                    }
                }
            }
        }
    }

    /**
     * Why the channel closed: the guest's death where the watch knows it within a grace (a panic line, QEMU's exit,
     * worded as when the watch saw it first), else the agent died alone.
     */
    private static String died(GuestWatch watch, String during, String why) {
        long until = System.nanoTime() + DEATH_GRACE_MILLIS * 1_000_000;
        Optional<String> failure = watch.failure();
        while (failure.isEmpty() && System.nanoTime() - until < 0) {
            AgentConnection.sleep(50);
            failure = watch.failure();
        }
        return failure.map(f -> "the guest died during " + during + ": " + f)
                .orElse("the guest agent's channel closed during " + during + (why.isEmpty() ? "" : " (" + why + ")")
                        + ": the agent died, QEMU still runs");
    }

    private String closedDuring(String text, String why) {
        return died(watch, "'" + text + "'", why);
    }

    private static String describe(AgentReply r) {
        return switch (r) {
            case AgentReply.Ready x -> "a second ready message";
            case AgentReply.Done d -> "an answer to '" + d.op() + "'";
            case AgentReply.Failure f -> "an error: " + f.message();
            case AgentReply.Bye b -> "goodbye";
        };
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /**
     * Says goodbye ({@code exit}: the agent stops its processes and powers the guest off) and closes the channel.
     * Quietly, since it also runs after failures: a dead agent is not asked twice.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            long mine = ++seq;
            channel.send(mine + " exit");
            long deadline = System.nanoTime() + BYE_TIMEOUT.toNanos();
            while (System.nanoTime() - deadline < 0 && channel.next(POLL_MILLIS) instanceof AgentConnection.Next.Nothing) { }
        } catch (IOException e) {
            // the agent is gone already
        } finally {
            channel.close();
            if (console != null) console.close();
        }
    }
}
