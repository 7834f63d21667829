package org.memvirt.sweep;

import org.memvirt.engine.HostSpec;
import org.memvirt.engine.Units;

/**
 * One value of one parameter a study sets or varies; applied onto a point's {@link Point.Settings}. The parameter's
 * name in the study file is {@link #key()}.
 */
public sealed interface Setting {
    /** The parameter's name in the study file and in JSON. */
    String key();

    /** The value as tables print it. */
    String label();

    /** {@code settings} with this value. */
    Point.Settings apply(Point.Settings settings);

    /** Guest RAM per byte of host RAM: VMs are drawn until the next would pass {@code ratio} x host RAM. */
    record Overcommit(double ratio) implements Setting {
        public String key() { return "overcommit"; }
        public String label() { return Point.number(ratio); }
        public Point.Settings apply(Point.Settings s) { return s.withOvercommit(ratio); }
    }

    /** Host RAM (the base scenario's {@code host.ram} otherwise). */
    record HostRam(long bytes) implements Setting {
        public String key() { return "host_ram"; }
        public String label() { return Units.human(bytes); }
        public Point.Settings apply(Point.Settings s) { return s.withHostRam(bytes); }
    }

    /** The swap device's size. */
    record Swap(SwapSize size) implements Setting {
        public String key() { return "swap"; }
        public String label() { return size.label(); }
        public Point.Settings apply(Point.Settings s) { return s.withSwap(size); }
    }

    /** ksmd running (the base scenario's knobs) or not; off also turns off the KSM manager, which would start it. */
    record Ksm(boolean on) implements Setting {
        public String key() { return "ksm"; }
        public String label() { return on ? "on" : "off"; }
        public Point.Settings apply(Point.Settings s) { return s.withKsm(on); }
    }

    /** The host's KSM manager. */
    record KsmPolicy(HostSpec.KsmPolicy policy) implements Setting {
        public String key() { return "ksm_policy"; }
        public String label() { return Point.lower(policy.name()); }
        public Point.Settings apply(Point.Settings s) { return s.withKsmPolicy(policy); }
    }

    /** The host's balloon manager; every VM gets a balloon device when it is not {@code none}. */
    record BalloonPolicy(HostSpec.PolicyKind policy) implements Setting {
        public String key() { return "balloon_policy"; }
        public String label() { return Point.lower(policy.name()); }
        public Point.Settings apply(Point.Settings s) { return s.withBalloonPolicy(policy); }
    }

    /** virtio-balloon free page reporting in every guest. */
    record FreePageReporting(boolean on) implements Setting {
        public String key() { return "free_page_reporting"; }
        public String label() { return on ? "on" : "off"; }
        public Point.Settings apply(Point.Settings s) { return s.withFreePageReporting(on); }
    }

    /** The VM mix, by its name under {@code mixes:}. */
    record Mix(String name) implements Setting {
        public String key() { return "mix"; }
        public String label() { return name; }
        public Point.Settings apply(Point.Settings s) { return s.withMix(name); }
    }
}
