package org.memvirt.workload;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The ops of a list in execution order with every {@code repeat} unrolled, made lazily (a {@code repeat 1000000}
 * costs one frame, not a million list entries). Never yields a {@link Op.Repeat}.
 */
public final class Unrolled implements Iterator<Op> {
    private record Frame(List<Op> ops, int[] cursor, int[] timesLeft) {}

    private final Deque<Frame> stack = new ArrayDeque<>();
    private Op next;

    public Unrolled(List<Op> ops) {
        stack.push(new Frame(ops, new int[1], new int[] {1}));
    }

    @Override
    public boolean hasNext() {
        if (next == null) next = advance();
        return next != null;
    }

    @Override
    public Op next() {
        if (!hasNext()) throw new NoSuchElementException();
        Op op = next;
        next = null;
        return op;
    }

    private Op advance() {
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (f.cursor()[0] < f.ops().size()) {
                Op op = f.ops().get(f.cursor()[0]++);
                if (op instanceof Op.Repeat(int times, List<Op> body)) {
                    if (times > 0 && !body.isEmpty()) stack.push(new Frame(body, new int[1], new int[] {times}));
                    continue;
                }
                return op;
            }
            if (--f.timesLeft()[0] > 0) f.cursor()[0] = 0; else stack.pop();
        }
        return null;
    }
}
