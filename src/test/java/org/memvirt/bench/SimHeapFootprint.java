package org.memvirt.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.memvirt.config.QemuArgs;
import org.memvirt.host.MmuMode;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunSpec;
import org.memvirt.engine.HostSpec;
import org.memvirt.scenario.ScenarioLoader;
import org.memvirt.sim.SimEngine;
import org.memvirt.workload.WorkloadParser;

/**
 * Measures the sim engine's heap per guest page, the figures {@code sim.ModelFootprint} estimates from: for each
 * configuration, the live heap (after a full GC) at the end of the run, while the model is still referenced, minus
 * the live heap before it. Run with one collector and a heap large enough for every row:
 * <pre>
 * scripts/bench-model heap          (java -XX:+UseSerialGC -Xmx12g ... org.memvirt.bench.SimHeapFootprint)
 * </pre>
 * Prints one row per configuration: guest RAM pages, touched pages, live bytes, and bytes per page of each.
 */
public final class SimHeapFootprint {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** Live heap bytes after a full collection. */
    static long live() {
        for (int i = 0; i < 3; i++) System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    /** Records the live heap each time a step completes (the model is alive then). */
    static final class Peak implements RunListener {
        long max;

        @Override
        public void stepProgress(double done) {
            if (done >= 1.0) max = Math.max(max, live());
        }
    }

    static void run(String qemu, String mmu, String workload, long touchedPages) {
        long before = live();
        Peak peak = new Peak();
        var machine = QemuArgs.parse(List.of(qemu.split(" ")));
        new SimEngine().run(new RunSpec(machine, WorkloadParser.parseShorthand(workload), MmuMode.valueOf(mmu), true,
                "zen5", Duration.ofHours(1), 1), peak);
        report("run " + qemu + " --mmu " + mmu.toLowerCase(Locale.ROOT) + " '" + workload + "'",
                machine.layout().ramSize() / 4096, touchedPages, peak.max - before);
    }

    static void scenario(String label, String yaml, long ramPages, long touchedPages) {
        long before = live();
        Peak peak = new Peak();
        HostSpec s = ScenarioLoader.parse(yaml, "heap");
        new SimEngine().run(s, peak);
        report("scenario " + label, ramPages, touchedPages, peak.max - before);
    }

    static void report(String what, long ramPages, long touched, long bytes) {
        System.out.printf(Locale.ROOT, "%-100s ram_pages %10d touched %10d live %,14d B  %6.1f B/ram-page  %6.1f B/touched%n",
                what.length() > 100 ? what.substring(0, 100) : what, ramPages, touched, bytes, (double) bytes / ramPages,
                touched == 0 ? 0.0 : (double) bytes / touched);
    }

    public static void main(String[] args) {
        long g = 262_144;                                         // 4 KiB pages per GiB
        run("-m 8G", "EPT", "verify", 0);                         // the VM alone: what RAM size costs untouched
        run("-m 64G", "EPT", "verify", 0);
        for (String mmu : List.of("EPT", "SHADOW")) {
            run("-m 8G", mmu, "touch 1G; verify", g);
            run("-m 8G", mmu, "touch 4G; verify", 4 * g);
            run("-m 8G", mmu, "fill 4G content=unique; verify", 4 * g);
            run("-m 8G", mmu, "demand on; random 4000000 over 4G writes 50; verify", 4 * g);
            run("-m 8G", mmu, "processes 8; touch 512M; switch 7; touch 512M; switch 1; touch 512M; verify", 3 * g / 2);
        }
        run("-m 8G", "EPT", "pages 2M; touch 4G; verify", 4 * g);
        String host = "duration: 1s\nhost: {ram: 64G, ksm: {run: 1, pages_to_scan: 100000, sleep_millisecs: 10}}\n";
        String vms = "vms:\n  - {name: a, count: 4, qemu: \"-m 2G";
        scenario("4 x 2G, KSM, 'verify'", host + vms + "\", workload: [verify]}\n", 8 * g, 0);
        scenario("4 x 2G, KSM, 'touch 2G; verify'", host + vms + "\", workload: [touch 2G, verify]}\n", 8 * g, 8 * g);
        scenario("4 x 2G, KSM, 'fill 2G content=unique; verify'",
                host + vms + "\", workload: [fill 2G content=unique, verify]}\n", 8 * g, 8 * g);
        scenario("4 x 2G, mem-merge=off, 'touch 2G; verify'",
                host + vms + " -machine mem-merge=off\", workload: [touch 2G, verify]}\n", 8 * g, 8 * g);
        scenario("4 x 2G on 4G + 16G swap, 'fill 2G content=unique; verify'", "duration: 1s\nhost: {ram: 4G, swap: 16G}\n"
                + vms + "\", workload: [fill 2G content=unique, verify]}\n", 8 * g, 8 * g);
    }

    private SimHeapFootprint() {}
}
