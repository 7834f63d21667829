package org.memvirt.workload;

/** Where a piece of workload text came from: turns a line and column within that text into an error-message prefix. */
@FunctionalInterface
interface Place {
    /** The prefix for {@code line}:{@code column} (1-based, within the op text), e.g. {@code workload:1:7}. */
    String at(int line, int column);

    /** A shorthand file: positions are its own, {@code plan.txt:1:7}. */
    static Place text(String source) {
        return (line, column) -> source + ":" + line + ":" + column;
    }

    /** Shorthand from the command line: {@code workload: 1:7}, the way QEMU prefixes an option's errors. */
    static Place command(String name) {
        return (line, column) -> name + ": " + line + ":" + column;
    }

    /**
     * Text that starts at {@code line}:{@code column} of {@code source} (a YAML or JSON scalar); positions on its
     * first line are shifted by the start column, later lines count from the start line.
     */
    static Place embedded(String source, int line, int column) {
        return (l, c) -> l == 1 ? source + ":" + line + ":" + (column + c - 1) : source + ":" + (line + l - 1) + ":" + c;
    }

    /** Text built from a YAML map or a tree node: every position is the node's own. */
    static Place fixed(String prefix) {
        return (l, c) -> prefix;
    }
}
