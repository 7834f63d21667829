package org.memvirt.bench;

import java.util.Locale;

import org.memvirt.engine.HostResult;
import org.memvirt.engine.RunListener;
import org.memvirt.scenario.ScenarioLoader;
import org.memvirt.sim.SimEngine;

/**
 * Measures what a simulated scenario costs in CPU time of the simulating thread ({@code cpu_seconds}), by the terms
 * {@code sim.SimHostCost} estimates from: quanta of virtual time (per VM), ksmd's scanned pages and workload
 * accesses. Each row varies one term; {@code scripts/bench-model cost} runs it (a few minutes).
 */
public final class ScenarioCostMeasure {

    static void row(String label, String yaml, double units, String unit) {
        HostResult r = new SimEngine().run(ScenarioLoader.parse(yaml, "cost"), RunListener.NONE);
        System.out.printf(Locale.ROOT, "%-58s cpu %8.2f s  wall %8.2f s  %12.0f %-14s %8.1f ns each%n", label,
                r.cpuSeconds(), r.wallSeconds(), units, unit, r.cpuSeconds() * 1e9 / units);
    }

    public static void main(String[] args) {
        String idle = "host: {ram: 64G}\nquantum: 1ms\n";
        row("idle, 1 VM, 1 h", "duration: 1h\n" + idle + "vms: [{name: a, qemu: \"-m 1G\"}]\n", 3.6e6, "quanta");
        row("idle, 16 VMs, 10 min", "duration: 10m\n" + idle + "vms: [{name: a, count: 16, qemu: \"-m 1G\"}]\n",
                16 * 6e5, "VM quanta");
        String ksm = "host: {ram: 64G, ksm: {run: 1, pages_to_scan: 5000, sleep_millisecs: 20}}\n";
        // 4 x 100 MiB touched: more pages than one wake's budget (5,000)
        row("KSM 5000/20ms, 4 VMs touching 100M, 5 min", "duration: 5m\n" + ksm
                + "vms: [{name: a, count: 4, qemu: \"-m 1G\", workload: [touch 100M]}]\n", 15_000 * 5000.0, "budget pages");
        row("KSM 5000/20ms, 4 VMs filling 100M unique, 5 min", "duration: 5m\n" + ksm
                + "vms: [{name: a, count: 4, qemu: \"-m 1G\", workload: [fill 100M content=unique]}]\n", 15_000 * 5000.0,
                "budget pages");
        // 1 VM touching 8 MiB (2,048 pages): each wake is a whole pass over its 1 GiB of RAM pages
        row("KSM 5000/20ms, 1 VM touching 8M, 5 min", "duration: 5m\n" + ksm
                + "vms: [{name: a, qemu: \"-m 1G\", workload: [touch 8M]}]\n", 15_000 * 262_144.0, "RAM pages walked");
        row("accesses: touch 1G + random 20M, open-ended", idle.replace("quantum: 1ms\n", "")
                + "vms: [{name: a, qemu: \"-m 2G\", workload: [touch 1G, random 20000000 over 1G writes 50]}]\n",
                262_144 + 2e7, "accesses");
        row("accesses under swap: 2 x touch 1G + random 5M on 1G", "host: {ram: 1G, swap: 4G}\n"
                + "vms: [{name: a, count: 2, qemu: \"-m 2G\", workload: [touch 1G, random 5000000 over 1G writes 50]}]\n",
                2 * (262_144 + 5e6), "accesses");
    }

    private ScenarioCostMeasure() {}
}
