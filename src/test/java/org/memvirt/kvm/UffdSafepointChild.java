package org.memvirt.kvm;

import static org.memvirt.kvm.Machines.MIB;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * For {@link UffdSafepointTest}: 16 MiB of guest RAM under a 4 MiB resident limit. This thread writes one qword in
 * every page and reads them all back, three rounds, through {@link GuestRam} as the VMM does, while another thread
 * calls System.gc() every millisecond (a safepoint after another). Prints the rounds, the mismatches and the swap's
 * counters on its last line.
 */
final class UffdSafepointChild {
    static final long RAM = 16 * MIB, LIMIT = 4 * MIB, PAGE = 4096;
    static final int ROUNDS = 3;

    public static void main(String[] args) throws InterruptedException {
        AtomicBoolean done = new AtomicBoolean();
        Thread gc = new Thread(() -> {
            while (!done.get()) {
                System.gc();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "gc-loop");
        long mismatches = 0;
        try (GuestRam ram = GuestRam.map(Machines.ram(RAM)); UffdSwap swap = UffdSwap.start(ram, LIMIT)) {
            gc.start();
            for (int round = 0; round < ROUNDS; round++) {
                for (long page = 0; page < RAM / PAGE; page++) ram.writeLong(slot(page), value(round, page));
                for (long page = 0; page < RAM / PAGE; page++) if (ram.readLong(slot(page)) != value(round, page)) mismatches++;
                System.out.println("round " + round + " done");
            }
            done.set(true);
            gc.join();
            StringBuilder out = new StringBuilder("rounds=" + ROUNDS + " mismatches=" + mismatches);
            swap.counters().forEach((c, v) -> out.append(' ').append(c.key()).append('=').append(v));
            System.out.println(out);
        }
    }

    /** A different qword in each page of a 2 MiB run. */
    private static long slot(long page) {
        return page * PAGE + 8 * (page & 511);
    }

    private static long value(int round, long page) {
        return (long) round << 32 | page;
    }

    private UffdSafepointChild() {}
}
