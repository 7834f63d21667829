package org.memvirt.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.memvirt.engine.RunListener;
import org.memvirt.qemu.agent.TestQemu;
import org.memvirt.image.GuestImage;
import org.memvirt.image.ImageBuilder;

/**
 * Boot to agent-ready of memvirt's guest image under TCG, {@code -M microvm} against {@code -M pc}, alternating
 * machines round by round so that load from other processes hits both alike: wall time from starting QEMU to the
 * agent's ready message, and the guest's own uptime at that message. Not JMH: one sample is a whole VM boot.
 *
 * <pre>java -cp target/test-classes:target/classes:$(cat target/bench.cp) org.memvirt.bench.QemuBootBench [ROUNDS] [-m SIZE]</pre>
 */
public final class QemuBootBench {
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String memory = args.length > 2 && args[1].equals("-m") ? args[2] : "1G";
        GuestImage image = ImageBuilder.forThisUser().obtain(RunListener.NONE);
        System.out.printf("image %s, -m %s, -smp 1, %d rounds%n", image.manifest().key(), memory, rounds);
        List<String> machines = List.of("microvm", "pc");
        List<List<Long>> wall = List.of(new ArrayList<>(), new ArrayList<>()), uptime = List.of(new ArrayList<>(), new ArrayList<>());
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < 2; m++) {
                int i = (r % 2 == 0) ? m : 1 - m;                      // ABBA order
                try (TestQemu q = TestQemu.boot(image, machines.get(i), memory)) {
                    wall.get(i).add(q.readyMillis);
                    uptime.get(i).add(q.session.ready().uptimeNanos() / 1_000_000);
                    System.out.printf("round %d %-7s ready %6d ms (guest uptime %6d ms)%n", r + 1, machines.get(i),
                            q.readyMillis, q.session.ready().uptimeNanos() / 1_000_000);
                }
            }
        }
        for (int i = 0; i < 2; i++) {
            System.out.printf(Locale.ROOT, "%-7s ready median %6d ms (min %d, max %d); guest uptime median %d ms%n",
                    machines.get(i), median(wall.get(i)), Collections.min(wall.get(i)), Collections.max(wall.get(i)),
                    median(uptime.get(i)));
        }
        System.out.printf(Locale.ROOT, "microvm/pc ratio of medians: %.2f%n", (double) median(wall.get(0)) / median(wall.get(1)));
    }

    private static long median(List<Long> xs) {
        List<Long> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private QemuBootBench() {}
}
