package org.memvirt.hostctl;

import java.util.ArrayList;
import java.util.List;

/**
 * For the OOM test: keeps allocating 1 MiB arrays (each of its pages written) up to the MiB given as
 * the argument, then prints "allocated" and exits 0. In a group whose limit is below that, the kernel kills it first.
 */
public final class MemoryHog {
    public static void main(String[] args) {
        int mib = Integer.parseInt(args[0]);
        List<byte[]> kept = new ArrayList<>();
        for (int i = 0; i < mib; i++) {
            byte[] b = new byte[1 << 20];
            for (int j = 0; j < b.length; j += 4096) b[j] = 1;       // one write per 4 KiB page
            kept.add(b);
        }
        System.out.println("allocated " + kept.size() + " MiB");
    }

    private MemoryHog() {}
}
