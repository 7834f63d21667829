package org.memvirt.engine;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The engines memvirt runs workloads on. Each kind has one implementation of {@link Engine}, registered once
 * (docs/ARCHITECTURE.md, "Adding an engine"); nothing above {@code engine} tells engines apart by name.
 */
public enum EngineKind {
    /** The page-exact simulator: virtual time, a modelled host. */
    SIM("sim", "the simulator", true, false, true),
    /** A micro-VM on /dev/kvm: wall time, this host. */
    KVM("kvm", "the kvm engine", false, true, true),
    /**
     * Real QEMU with a real Linux guest (KVM or TCG): wall time, this host. Chosen by name only: {@code --engine auto}
     * passes it over (a guest boot takes seconds, the first use builds an image; docs/qemu-engine.md).
     */
    QEMU("qemu", "the qemu engine", false, false, false);

    private final String key;
    private final String description;
    private final boolean virtualTime;
    private final boolean kvmVcpus;
    private final boolean auto;

    EngineKind(String key, String description, boolean virtualTime, boolean kvmVcpus, boolean auto) {
        this.key = key;
        this.description = description;
        this.virtualTime = virtualTime;
        this.kvmVcpus = kvmVcpus;
        this.auto = auto;
    }

    /** The word on the command line and in JSON: {@code sim}, {@code kvm}, {@code qemu}. */
    @JsonValue
    public String key() {
        return key;
    }

    /** How reasons name it ("..., so the simulator"). */
    public String description() {
        return description;
    }

    /** Whether its times are virtual (modelled) rather than wall-clock. */
    public boolean virtualTime() {
        return virtualTime;
    }

    /** Whether its vCPUs are this host's KVM vCPUs, so that QEMU's KVM vCPU limits apply to {@code -smp}. */
    public boolean kvmVcpus() {
        return kvmVcpus;
    }

    /** Whether {@code --engine auto} may choose it; an engine that may not runs only when named. */
    public boolean auto() {
        return auto;
    }

    /** The kind named {@code word} (any case), or null. */
    public static EngineKind byKey(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        for (EngineKind k : values()) if (k.key.equals(w)) return k;
        return null;
    }
}
