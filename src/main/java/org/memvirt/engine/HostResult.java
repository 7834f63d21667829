package org.memvirt.engine;

import java.util.List;
import java.util.Map;

import org.memvirt.config.SwapPlan;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.MmuMode;

/**
 * What an engine reports for a host of many VMs (snake_case in JSON, the same fields for every engine). Bytes are
 * bytes; times are seconds, of virtual time on an engine with {@link EngineKind#virtualTime()}, else of wall time.
 *
 * @param scenario the scenario's name
 * @param engine the engine that ran it
 * @param engineReason why that engine
 * @param virtualSeconds virtual time simulated
 * @param wallSeconds wall-clock time the simulation took
 * @param cpuSeconds CPU time of the simulating thread (the figure to compare on a busy machine)
 * @param modelBytesPerGuestPage bytes of model state per simulated guest page
 * @param host the host
 * @param vms each VM
 * @param events what happened, in time order
 * @param timeline samples over virtual time
 * @param notes remarks on the run (ignored ops, dropped events)
 */
public record HostResult(String scenario, EngineKind engine, String engineReason, double virtualSeconds,
        double wallSeconds, double cpuSeconds, double modelBytesPerGuestPage, Host host, List<Vm> vms, List<Event> events,
        List<Sample> timeline, List<String> notes) {

    private static final long PAGE_BYTES = 4096;   // the KSM counters count 4 KiB base pages (linux ksm.rst)

    public HostResult withEngineReason(String reason) {
        return new HostResult(scenario, engine, reason, virtualSeconds, wallSeconds, cpuSeconds, modelBytesPerGuestPage, host,
                vms, events, timeline, notes);
    }

    /**
     * The run in one line's worth of figures: how many VMs the host OOM killer killed and which, the peak of swap,
     * what KSM shared and saved at the end, the pages read back from swap.
     *
     * @param ksmSavedBytes what KSM saved at the end: (pages_sharing + ksm_zero_pages) x 4 KiB, the pages the host
     *        would need again if KSM unmerged (linux Documentation/admin-guide/mm/ksm.rst, general_profit)
     */
    public record Summary(String scenario, int vms, long hostRamBytes, long swapBytes, int oomKills, List<String> killed,
            long peakSwapUsedBytes, long ksmPagesShared, long ksmPagesSharing, long swapIns, double virtualSeconds,
            double wallSeconds, long ksmSavedBytes) {
        public Summary {
            killed = List.copyOf(killed);
        }
    }

    /** The run's host and guests as Red Hat's sizing rule sees them ({@link SwapPlan}): RAM + swap against guests + reserve. */
    public SwapPlan swapPlan() {
        java.util.Map<Long, Long> bySize = new java.util.TreeMap<>();
        for (Vm v : vms) bySize.merge(v.configuredBytes(), 1L, Long::sum);
        List<SwapPlan.Guests> groups = new java.util.ArrayList<>();
        bySize.forEach((size, count) -> groups.add(new SwapPlan.Guests(count, size)));
        return new SwapPlan(groups, host.ramBytes(), host.reserveBytes(), host.swapBytes());
    }

    /** This result's {@link Summary}. */
    public Summary summary() {
        List<String> killed = new java.util.ArrayList<>();
        long swapIns = 0;
        for (Vm v : vms) {
            if (v.killed()) killed.add(v.name());
            swapIns += v.swapIns();
        }
        return new Summary(scenario, vms.size(), host.ramBytes(), host.swapBytes(), killed.size(), killed,
                host.peakSwapUsedBytes(), host.ksm().getOrDefault("pages_shared", 0L),
                host.ksm().getOrDefault("pages_sharing", 0L), swapIns, virtualSeconds, wallSeconds,
                (host.ksm().getOrDefault("pages_sharing", 0L) + host.ksm().getOrDefault("ksm_zero_pages", 0L)) * PAGE_BYTES);
    }

    /**
     * @param freeAtStart {@code free} before the first VM starts (the host's own reserve only)
     * @param free {@code free} at the end
     * @param ksm /sys/kernel/mm/ksm counters under their sysfs names, at the end
     * @param vmstat host event counters under /proc/vmstat names
     */
    public record Host(long ramBytes, long reserveBytes, long swapBytes, String swapKind, long usedBytes,
            long peakUsedBytes, long swapUsedBytes, long peakSwapUsedBytes, long ksmPagesBytes, FreeMemory freeAtStart,
            FreeMemory free,
            Map<String, Long> ksm, Map<String, Long> vmstat, String balloonPolicy) {}

    /** One VM at the end of the run, with its peaks; {@code balloonStats} is null without a balloon device. */
    public record Vm(String name, long configuredBytes, boolean memMerge, MmuMode mmu, String status, boolean killed,
            Double killedAt, long residentBytes, long peakResidentBytes, long swappedBytes, long peakSwappedBytes,
            long sharedBytes, long balloonedBytes, long balloonTargetBytes, long swapIns, long cowBreaks,
            long minorFaults, long majorFaults, long verifyMismatches, FreeMemory free, Map<String, Long> balloonStats,
            List<String> ignoredOps) {}

    /** One event: virtual time in seconds, the VM (or "host"), a kind and a sentence. */
    public record Event(double t, String vm, String kind, String message) {}

    /** The memory picture at one instant. */
    public record Sample(double t, long hostUsedBytes, long hostFreeBytes, long swapUsedBytes, long ksmPagesShared,
            long ksmPagesSharing, List<VmSample> vms) {}

    /**
     * One VM in a sample: configured, resident (RSS), swapped, shared (KSM or zero-page mappings), ballooned; on the
     * qemu engine also guest RAM's Pss (Rss counts a KSM page in every VM that maps it; Pss divides it among them) and
     * QEMU's /proc/PID/ksm_stat (linux Documentation/filesystems/proc.rst), both left out of JSON where null.
     */
    public record VmSample(long configured, long resident, long swapped, long shared, long ballooned,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Long pss,
            @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) Map<String, Long> ksmStat) {
        /** A sample of an engine that measures no Pss or ksm_stat. */
        public VmSample(long configured, long resident, long swapped, long shared, long ballooned) {
            this(configured, resident, swapped, shared, ballooned, null, null);
        }
    }
}
