package org.memvirt.hostctl;

/**
 * A change memvirt made to the host that it undoes exactly once: in {@link #close} or, should the JVM exit first
 * (the end of main, an uncaught exception, Ctrl-C, SIGTERM), in a shutdown hook. A kill -9 runs neither; what it
 * leaves, the next run removes ({@link Leftovers}).
 */
abstract sealed class HostChange implements AutoCloseable permits KsmSession, MemoryCgroup, SwapFile {
    private final Thread hook;
    private boolean undone;

    HostChange(String hookName) {
        this.hook = new Thread(this::undoQuietly, hookName);
    }

    /** Undoes the change; called once. */
    abstract void undo();

    /** Registers the shutdown hook; called as soon as there is something to undo. */
    final void hook() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Hands the undo at JVM exit to an owner that undoes several changes in their order (the JVM starts all shutdown
     * hooks at once, in no order): drops this change's own hook. {@link #close} still undoes it.
     */
    final void handOver() {
        unhook();
    }

    /** Undoes the change (once: a second close does nothing) and drops the hook. */
    @Override
    public final void close() {
        try {
            undoOnce();
        } finally {
            unhook();
        }
    }

    /** For a create that failed halfway: undoes what was done, keeps the first error the caller throws. */
    final void abandon() {
        undoQuietly();
        unhook();
    }

    private synchronized void undoOnce() {
        if (undone) return;
        undone = true;
        undo();
    }

    private void undoQuietly() {
        try {
            undoOnce();
        } catch (RuntimeException e) {
            // the JVM is exiting, or a failed create is being undone: the next run removes what is left (Leftovers)
        }
    }

    private void unhook() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) undo, which happens once
        } catch (IllegalArgumentException e) {
            // never hooked: a create that failed before there was anything to undo
        }
    }
}
