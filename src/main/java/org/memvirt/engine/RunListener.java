package org.memvirt.engine;

/** Told about progress while an engine runs; used for progress bars. Implementations must be cheap. */
public interface RunListener {
    RunListener NONE = new RunListener() {};

    /** Step {@code index} of {@code total} (top-level ops) is starting. */
    default void stepStarted(int index, int total, String text) {}

    /** Fraction {@code done} (0..1) of the current step has completed. */
    default void stepProgress(double done) {}

    /** A line the user should see before the run goes on (a long simulation ahead), shown even where no bar is. */
    default void notice(String message) {}
}
