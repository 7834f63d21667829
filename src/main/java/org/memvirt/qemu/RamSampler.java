package org.memvirt.qemu;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.engine.RunResult.Timeline;
import org.memvirt.host.ProcessMemory;

/**
 * Samples QEMU's guest RAM on a thread of its own while ops run and while the engine watches the guest: the mapping's
 * Rss and Pss (/proc/PID/smaps) and the balloon ({@code query-balloon}), every {@link #PERIOD}. A long watch keeps at
 * most {@link #MAX_SAMPLES}: beyond that every other sample is dropped and the period doubles. A failed read (QEMU
 * gone) ends the sampling quietly: the engine's own calls say why.
 */
final class RamSampler implements AutoCloseable {
    static final Duration PERIOD = Duration.ofMillis(200);
    static final int MAX_SAMPLES = 4000;

    private final ProcessMemory process;
    private final long mappingStart;
    private final long ramBytes;
    private final QmpCommands qmp;
    private final long t0 = System.nanoTime();
    private final List<Timeline.Sample> samples = new ArrayList<>();
    private final List<Timeline.Mark> marks = new ArrayList<>();
    private final Thread thread;
    private long periodMillis = PERIOD.toMillis();
    private final Object sleeper = new Object();
    private volatile boolean stop;

    /** Starts sampling QEMU {@code pid}'s guest RAM mapping at {@code mappingStart}. */
    RamSampler(long pid, long mappingStart, long ramBytes, QmpCommands qmp) {
        this.process = ProcessMemory.of(pid);
        this.mappingStart = mappingStart;
        this.ramBytes = ramBytes;
        this.qmp = qmp;
        this.thread = Thread.ofPlatform().daemon().name("memvirt-ram-sampler").start(this::loop);
    }

    private void loop() {
        long next = System.nanoTime();
        while (!stop) {
            try {
                sample();
            } catch (RuntimeException e) {
                return;                                              // QEMU gone: the engine reports why
            }
            long period;
            synchronized (this) {
                period = periodMillis;
            }
            next += period * 1_000_000;
            synchronized (sleeper) {
                long wait = next - System.nanoTime();
                if (stop || wait <= 0) continue;
                try {
                    sleeper.wait(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void sample() {
        ProcessMemory.Mapping m = process.mapping(mappingStart);
        long balloon = ramBytes - qmp.balloonActualBytes();
        add(new Timeline.Sample(seconds(), m.resident(), m.pss(), balloon));
    }

    private synchronized void add(Timeline.Sample s) {
        samples.add(s);
        if (samples.size() > MAX_SAMPLES) {
            List<Timeline.Sample> half = new ArrayList<>(samples.size() / 2 + 1);
            for (int i = 0; i < samples.size(); i += 2) half.add(samples.get(i));
            samples.clear();
            samples.addAll(half);
            periodMillis *= 2;
        }
    }

    /** Seconds since sampling started. */
    double seconds() {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Marks an event (an op starts) now. */
    synchronized void mark(String label) {
        marks.add(new Timeline.Mark(seconds(), label));
    }

    /** Stops sampling (idempotent) and waits for the thread. */
    @Override
    public void close() {
        synchronized (sleeper) {
            stop = true;
            sleeper.notifyAll();
        }
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What was sampled; call after {@link #close()}. */
    synchronized Timeline timeline() {
        return new Timeline(periodMillis, samples, marks);
    }
}
