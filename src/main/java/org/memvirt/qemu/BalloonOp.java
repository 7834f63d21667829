package org.memvirt.qemu;

import java.time.Duration;
import java.util.Locale;

import org.memvirt.workload.Op;

/**
 * A workload's balloon op on the real virtio-balloon device: the host asks over QMP ({@code balloon}, a target for the
 * guest's memory) and the guest's driver inflates or deflates in its own time (linux drivers/virtio/virtio_balloon.c
 * fill_balloon / leak_balloon, at most 256 pages per request, {@code actual} updated after each), so the op waits,
 * polling {@code query-balloon}, until the driver reports the target, and otherwise says how far it got and why:
 * no progress for {@link #STALL} (the guest has no more memory it can give: the driver's "Out of puff!" retries), or
 * the run's deadline.
 *
 * <p>The language's sizes are the balloon's ({@code balloon to 1G}: the balloon holds 1 GiB, docs/workload.md);
 * QMP's {@code balloon} takes the guest's memory: RAM less the balloon.
 */
final class BalloonOp {
    static final long PAGE = 4096;                                 // VIRTIO_BALLOON_PFN_SHIFT 12 (virtio 1.2 §5.5.6)
    static final Duration POLL = Duration.ofMillis(100);
    static final Duration STALL = Duration.ofSeconds(10);

    /**
     * How a balloon op ended.
     *
     * @param fromBytes the balloon before the op
     * @param targetBytes the balloon the op asked for
     * @param reachedBytes the balloon the guest's driver reported last
     * @param nanos the wait
     * @param shortfall why the target was not reached, or null when it was
     */
    record Outcome(long fromBytes, long targetBytes, long reachedBytes, long nanos, String shortfall) {
        boolean reached() {
            return shortfall == null;
        }

        /** Pages per second the driver moved. */
        double pagesPerSecond() {
            return nanos == 0 ? 0 : Math.abs(reachedBytes - fromBytes) / (double) PAGE / (nanos / 1e9);
        }
    }

    /** The balloon size {@code op} asks for when the balloon holds {@code current} bytes (page-aligned down). */
    static long targetBalloon(Op.Balloon op, long current) {
        long target = switch (op.action()) {
            case INFLATE -> current + op.bytes();
            case DEFLATE -> Math.max(0, current - op.bytes());
            case TO -> op.bytes();
        };
        return target / PAGE * PAGE;
    }

    private final Device device;
    private final long ramBytes;
    private final Clock clock;

    /** The device as QMP shows it: {@code query-balloon}'s {@code actual} and the {@code balloon} command. */
    interface Device {
        /** The guest's memory as the balloon leaves it, bytes (RAM less the balloon). */
        long actualBytes();

        /** Asks the guest's driver to bring the guest's memory to {@code guestBytes}. */
        void request(long guestBytes);

        static Device of(QmpCommands qmp) {
            return new Device() {
                @Override
                public long actualBytes() {
                    return qmp.balloonActualBytes();
                }

                @Override
                public void request(long guestBytes) {
                    qmp.balloon(guestBytes);
                }
            };
        }
    }

    /** Time and waiting, replaceable in tests. */
    interface Clock {
        Clock SYSTEM = new Clock() {};

        default long nanoTime() {
            return System.nanoTime();
        }

        default void sleep(Duration d) {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QemuException("interrupted while waiting for the balloon");
            }
        }
    }

    BalloonOp(QmpCommands qmp, long ramBytes) {
        this(Device.of(qmp), ramBytes, Clock.SYSTEM);
    }

    BalloonOp(Device device, long ramBytes, Clock clock) {
        this.device = device;
        this.ramBytes = ramBytes;
        this.clock = clock;
    }

    /** The balloon's size now, as the guest's driver last reported it. */
    long balloonBytes() {
        return ramBytes - device.actualBytes();
    }

    /** Runs {@code op} and waits for the driver until {@code deadlineNanos} (System.nanoTime()) at the latest. */
    Outcome run(Op.Balloon op, long deadlineNanos) {
        long from = balloonBytes();
        long target = targetBalloon(op, from);
        long start = clock.nanoTime();
        device.request(ramBytes - target);
        return await(from, target, start, deadlineNanos);
    }

    private Outcome await(long from, long target, long start, long deadline) {
        long last = from, lastChange = start;
        while (true) {
            long now = clock.nanoTime();
            long b = balloonBytes();
            if (b == target) return new Outcome(from, target, b, now - start, null);
            if (b != last) {
                last = b;
                lastChange = now;
            }
            if (now - lastChange >= STALL.toNanos()) {
                return new Outcome(from, target, b, now - start, "the guest's driver made no progress for "
                        + STALL.toSeconds() + " s (" + (target > b ? "it finds no more memory to give: Linux's "
                        + "'Out of puff!'" : "it cannot take memory back") + ")");
            }
            if (now - deadline >= 0) {
                return new Outcome(from, target, b, now - start, "the run's time limit (--timeout) ran out");
            }
            clock.sleep(POLL);
        }
    }

    /** {@code balloon to 3G: 1.0 GiB -> 3.0 GiB in 25.8 s (30,120 pages/s)}, or where and why it stopped. */
    static String describe(String text, Outcome o) {
        String move = gib(o.fromBytes()) + " -> " + gib(o.reachedBytes());
        String rate = String.format(Locale.ROOT, "%.1f s, %,.0f pages/s", o.nanos() / 1e9, o.pagesPerSecond());
        if (o.reached()) return text + ": balloon " + move + " in " + rate;
        return text + ": the balloon stopped at " + gib(o.reachedBytes()) + " of " + gib(o.targetBytes()) + " ("
                + move + " in " + rate + "): " + o.shortfall();
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
