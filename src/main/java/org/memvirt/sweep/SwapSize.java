package org.memvirt.sweep;

import org.memvirt.config.SwapPlan;
import org.memvirt.engine.Units;

/** A host's swap in a sweep: a fixed size, or what {@code memvirt plan} asks for the host's VMs, divided by a number. */
public sealed interface SwapSize {
    /** The swap for a host of {@code hostRam} with {@code reserve} for itself, holding guests of {@code guestBytes}. */
    long bytes(long hostRam, long reserve, long[] guestBytes);

    /** How a table names it: {@code plan}, {@code plan/2}, {@code 16 GiB}. */
    String label();

    /** Always {@code bytes}. */
    record Fixed(long bytes) implements SwapSize {
        public Fixed {
            if (bytes < 0) throw new IllegalArgumentException("swap must be >= 0");
        }

        @Override
        public long bytes(long hostRam, long reserve, long[] guestBytes) {
            return bytes;
        }

        @Override
        public String label() {
            return Units.human(bytes);
        }
    }

    /**
     * {@link SwapPlan#totalSwap()} (RAM + swap covers the guests and the reserve, plus the RHEL 7 table's swap for the
     * host) divided by {@code divisor}, rounded down to whole 4 KiB pages.
     */
    record Plan(double divisor) implements SwapSize {
        public Plan {
            if (!(divisor >= 1)) throw new IllegalArgumentException("plan's divisor must be >= 1");
        }

        @Override
        public long bytes(long hostRam, long reserve, long[] guestBytes) {
            java.util.List<SwapPlan.Guests> guests = new java.util.ArrayList<>(guestBytes.length);
            for (long g : guestBytes) guests.add(new SwapPlan.Guests(1, g));
            long plan = new SwapPlan(guests, hostRam, reserve, -1).totalSwap();
            return (long) Math.floor(plan / divisor / 4096) * 4096;
        }

        @Override
        public String label() {
            return divisor == 1 ? "plan" : "plan/" + Point.number(divisor);
        }
    }
}
