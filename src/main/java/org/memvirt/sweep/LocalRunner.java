package org.memvirt.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import org.memvirt.engine.RunListener;

/**
 * Runs a study's hosts on this machine: {@code threads} platform threads, each simulating one host at a time; the
 * calling thread collects the outcomes and reports progress (so the listener needs no locking).
 */
public final class LocalRunner implements SweepRunner {
    private final int threads;

    public LocalRunner(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
        this.threads = threads;
    }

    @Override
    public List<HostOutcome> run(Study study, RunListener listener) {
        List<HostKey> keys = HostKey.all(study);
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, keys.size()), daemons());
        ThreadLocal<HostTask> tasks = ThreadLocal.withInitial(() -> new HostTask(study));
        CompletionService<HostOutcome> done = new ExecutorCompletionService<>(pool);
        listener.stepStarted(0, 1, "sweep " + study.name() + ": " + keys.size() + " hosts");
        try {
            for (HostKey key : keys) done.submit(() -> tasks.get().run(key));
            List<HostOutcome> out = new ArrayList<>(keys.size());
            for (int i = 0; i < keys.size(); i++) {
                out.add(done.take().get());
                listener.stepProgress((double) out.size() / keys.size());
            }
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static ThreadFactory daemons() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "memvirt-sweep-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String describe() {
        return threads + " local thread" + (threads == 1 ? "" : "s");
    }

    @Override
    public int cores() {
        return threads;
    }
}
