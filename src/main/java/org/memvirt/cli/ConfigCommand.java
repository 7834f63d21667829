package org.memvirt.cli;

import java.io.PrintWriter;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import org.memvirt.config.DeviceMemory;
import org.memvirt.config.E820Entry;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.MemoryLayout;
import org.memvirt.report.Json;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memvirt config [QEMU command line] [--json]}: the guest memory configuration QEMU 7.2 would build. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Resolve a QEMU command line's memory options (-m, -machine/-M, -object\u00a0memory-backend-*, -smp,"
                + " -mem-path, -mem-prealloc, -cpu) the way QEMU 7.2 does: RAM size, the split around the PCI hole,"
                + " the e820 map QEMU passes the firmware under KVM, the hotplug window and the RAM backend. Every"
                + " other QEMU 7.2 option is accepted and listed; unknown ones are refused with QEMU's message.")
final class ConfigCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    QemuOptions qemu;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    /** The JSON document of {@code memvirt config --json}. */
    record Report(String machine, long ramSize, @JsonProperty("below_4g") long below4g,
            @JsonProperty("above_4g") long above4g, @JsonProperty("above_4g_start") long above4gStart, long maxmem,
            long slots, DeviceMemory deviceMemory, List<E820Entry> e820, boolean memMerge, MemoryBackend backend,
            int smp, List<String> warnings, List<String> otherArgs) {
        static Report of(MachineConfig c) {
            MemoryLayout l = c.layout();
            return new Report(l.machine(), l.ramSize(), l.belowFourG(), l.aboveFourG(), l.aboveFourGStart(), l.maxram(),
                    l.slots(), l.deviceMemory(), l.e820(), c.memMerge(), c.backend(), c.smp(), c.warnings(),
                    c.otherArgs());
        }
    }

    @Override
    public void run() {
        MachineConfig config = qemu.resolve(spec.commandLine().getErr());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(Report.of(config)));
        } else {
            printHuman(out, config);
        }
        out.flush();
    }

    static void printHuman(PrintWriter out, MachineConfig c) {
        MemoryLayout l = c.layout();
        out.printf("machine:        %s%n", l.machine());
        out.printf("ram size:       %s%n", bytes(l.ramSize()));
        out.printf("below 4G:       %s%n", bytes(l.belowFourG()));
        out.printf("above 4G:       %s at 0x%x%n", bytes(l.aboveFourG()), l.aboveFourGStart());
        out.printf("maxmem:         %s, slots %s%n", bytes(l.maxram()), Long.toUnsignedString(l.slots()));
        DeviceMemory dm = l.deviceMemory();
        out.printf("device memory:  %s%n", dm == null ? "none"
                : String.format("0x%x - 0x%x (%s)", dm.base(), dm.base() + dm.size(), bytes(dm.size())));
        out.printf("smp:            %d%n", c.smp());
        out.printf("mem-merge:      %s%n", c.memMerge() ? "on" : "off");
        MemoryBackend b = c.backend();
        if (b == null) {
            out.println("backend:        none (RAM size 0)");
        } else {
            out.printf("backend:        %s (%s) size=%s share=%s prealloc=%s reserve=%s merge=%s%s%s%n", b.id(), b.kind(),
                    Long.toUnsignedString(b.size()), onOff(b.share()), onOff(b.prealloc()), onOff(b.reserve()),
                    onOff(b.merge()), b.memPath() == null ? "" : " mem-path=" + b.memPath(),
                    b.hugetlb() == null ? "" : " hugetlb=" + onOff(b.hugetlb()));
        }
        if (!c.otherArgs().isEmpty()) {
            out.println("other options:  " + String.join(" ", c.otherArgs()) + " (not resolved here; for QEMU as given)");
        }
        if (!c.warnings().isEmpty()) {
            out.println("warnings:       " + c.warnings().size() + " (printed on stderr)");
        }
        out.println("e820 (QEMU fw_cfg etc/e820 under KVM, sorted):");
        int i = 0;
        for (E820Entry e : l.e820()) {
            boolean ram = e.type().equals(E820Entry.RAM);
            out.printf("  %d: %016x - %016x = %d %s%n", i++, e.start(), e.end(), ram ? 1 : 2, ram ? "RAM" : "RESERVED");
        }
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    /** Bytes with a binary-unit gloss, e.g. {@code 1073741824 (1 GiB)}. */
    static String bytes(long n) {
        String exact = Long.toUnsignedString(n);
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        for (int u = units.length; u >= 1; u--) {
            long unit = 1L << (10 * u);
            if (n != 0 && Long.compareUnsigned(n, unit) >= 0) {
                double v = (double) Long.divideUnsigned(n, unit) + (double) Long.remainderUnsigned(n, unit) / unit;
                return exact + " (" + (v == Math.rint(v) ? String.valueOf((long) v) : String.format("%.2f", v)) + " "
                        + units[u - 1] + ")";
            }
        }
        return exact;
    }
}
