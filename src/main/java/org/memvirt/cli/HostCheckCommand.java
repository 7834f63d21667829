package org.memvirt.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import org.memvirt.ExitCoded;
import org.memvirt.host.Check;
import org.memvirt.host.CpuSummary;
import org.memvirt.host.DevKvmProbe;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostCapabilities;
import org.memvirt.host.HostCheck;
import org.memvirt.host.HostEnv;
import org.memvirt.host.HostMmu;
import org.memvirt.host.HostRoot;
import org.memvirt.host.HugePages;
import org.memvirt.host.KsmState;
import org.memvirt.host.KvmProbe;
import org.memvirt.host.KvmStatus;
import org.memvirt.host.SwapArea;
import org.memvirt.host.ThpState;
import org.memvirt.host.Virtualization;
import org.memvirt.report.FreeTable;
import org.memvirt.report.FreeUnit;
import org.memvirt.report.Json;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memvirt host-check}: is this host ready for KVM guests, and what will they get. Changes nothing. */
@Command(name = "host-check", mixinStandardHelpOptions = true,
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM},
        description = "Check this host like virt-host-validate, deciding KVM usability from /dev/kvm itself, and "
                + "report the MMU mode guests get (EPT, NPT or shadow), KSM, THP, swap, huge pages and memory. "
                + "Never changes host settings. Exit status 3 if any check FAILs.")
final class HostCheckCommand implements java.util.concurrent.Callable<Integer> {
    static final String PREFIX = "memvirt";

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print every fact as JSON.")
    boolean json;

    @Option(names = "--unit", paramLabel = "UNIT", defaultValue = "mebi",
            description = "Unit of the free table, as free's -b -k -m -g and --kilo ...: bytes, kibi, mebi (default), "
                    + "gibi, tebi, pebi, kilo, mega, giga, tera, peta.")
    String unit;

    private final HostRoot root;
    private final KvmProbe probe;

    /** A check of this host, or of the one MEMVIRT_HOST_ROOT and MEMVIRT_KVM describe ({@link HostEnv}). */
    HostCheckCommand() {
        this(null, null);
    }

    /** A check of the host under {@code root} (a fixture tree in tests). */
    HostCheckCommand(HostRoot root, KvmProbe probe) {
        this.root = root;
        this.probe = probe;
    }

    /** The JSON document: every fact of {@link HostCapabilities} plus the checks. */
    record Report(CpuSummary cpu, Virtualization virtualization, KvmStatus kvm, HostMmu mmu,
                  Map<String, Map<String, String>> kvmModules, KsmState ksm, ThpState thp, HugePages hugePages,
                  long swapTotalBytes, List<SwapArea> swapDevices, FreeMemory memory, List<Check> checks,
                  boolean passed) {}

    @Override
    public Integer call() {
        FreeUnit unit = unit(this.unit);
        HostCapabilities host = root == null ? HostCapabilities.read() : HostCapabilities.read(root, probe);
        List<Check> checks = HostCheck.checks(host);
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(new Report(host.cpu(), host.virtualization(), host.kvm(), host.mmu(),
                    host.kvmModules().parameters(), host.ksm(),
                    host.thp(), host.hugePages(), host.swapTotalBytes(), host.swapDevices(), host.memory(), checks,
                    HostCheck.passed(checks))));
        } else {
            out.print(text(host, checks, unit));
        }
        out.flush();
        return HostCheck.passed(checks) ? ExitCoded.OK : ExitCoded.HOST;
    }

    /** The human report: check lines, a facts block, and the host's {@code free -m}. */
    /** {@code --unit}'s word, in any case; a word that names no unit is a usage error listing the words. */
    static FreeUnit unit(String word) {
        List<String> words = new java.util.ArrayList<>();
        for (FreeUnit u : FreeUnit.values()) {
            String w = u.name().toLowerCase(java.util.Locale.ROOT);
            if (w.equalsIgnoreCase(word)) return u;
            words.add(w);
        }
        throw new RunCommand.UsageError("--unit must be " + String.join(", ", words.subList(0, words.size() - 1))
                + " or " + words.getLast() + ", not '" + word + "'");
    }

    static String text(HostCapabilities host, List<Check> checks, FreeUnit unit) {
        StringBuilder sb = new StringBuilder();
        for (Check c : checks) {
            sb.append(line(c)).append('\n');
        }
        sb.append('\n');
        fact(sb, "CPU", cpu(host.cpu()));
        fact(sb, "Virtualization", virtualization(host.virtualization()));
        fact(sb, "KVM", kvm(host.kvm()));
        fact(sb, "MMU mode", mmu(host.mmu()));
        String vendor = host.virtualization().kvmModule();
        if (vendor != null) {
            fact(sb, vendor, parameters(host.kvmModules().parameters().get(vendor)));
        }
        fact(sb, "KSM", ksm(host.ksm()));
        fact(sb, "THP", host.thp().enabled() == null ? "not available"
                : "enabled=" + host.thp().enabled() + " defrag=" + host.thp().defrag());
        fact(sb, "Huge pages", hugePages(host.hugePages()));
        fact(sb, "Swap", swap(host));
        sb.append('\n').append(FreeTable.render(host.memory(), unit));
        return sb.toString();
    }

    /**
     * libvirt's layout ("%6s: Checking %-60s: " then PASS, or LEVEL (hint)), with the name column widened by three
     * so that the seven-letter prefix keeps libvirt's two leading spaces: "  memvirt: Checking ...".
     */
    static String line(Check c) {
        String head = String.format(Locale.ROOT, "%9s: Checking %-60s: ", PREFIX, c.name());
        return head + c.result() + (c.hint() == null ? "" : " (" + c.hint() + ")");
    }

    private static void fact(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "%-16s%s%n", label + ":", value));
    }

    private static String cpu(CpuSummary cpu) {
        return cpu.vendor() + ", " + cpu.modelName() + ", " + cpu.cpus() + " CPUs"
                + (cpu.hypervisor() ? ", running under a hypervisor" : "")
                + "; virtualization flags: " + (cpu.virtFlags().isEmpty() ? "none" : String.join(" ", cpu.virtFlags()));
    }

    private static String virtualization(Virtualization v) {
        String hw = v.hardware() == null ? "no vmx/svm flags" : v.hardware() + " (hardware)";
        String module = v.kvmModule() == null ? "no KVM vendor module loaded" : v.kvmModule() + " loaded";
        return hw + "; " + module + (v.pvm() ? " (software virtualization, shadow paging, no EPT/VPID)" : "");
    }

    private static String kvm(KvmStatus k) {
        if (!k.exists()) {
            return "not usable: no " + k.device();
        }
        if (!k.accessible()) {
            return "not usable: open(" + k.device() + ") failed: " + k.openError();
        }
        return (k.usable() ? "usable" : "not usable") + ": API " + k.apiVersion() + ", " + k.nrVcpus()
                + " vCPUs recommended, " + k.maxVcpus() + " max, " + k.nrMemslots() + " memslots, vCPU mmap "
                + k.vcpuMmapSize() + " bytes";
    }

    private static String mmu(HostMmu m) {
        return m.mode().word() + " (" + m.source() + "); ept=" + yn(m.ept()) + " vpid=" + yn(m.vpid()) + " ept_ad="
                + yn(m.eptAd()) + " unrestricted_guest=" + yn(m.unrestrictedGuest()) + " npt=" + yn(m.npt())
                + (m.tdpMmu() == null ? "" : " tdp_mmu=" + yn(m.tdpMmu()));
    }

    private static String ksm(KsmState k) {
        if (!k.available()) {
            return "not available";
        }
        StringJoiner j = new StringJoiner(" ");
        j.add("run=" + k.run()).add("pages_to_scan=" + k.pagesToScan()).add("sleep_millisecs=" + k.sleepMillisecs())
                .add("max_page_sharing=" + k.maxPageSharing()).add("merge_across_nodes=" + k.mergeAcrossNodes())
                .add("use_zero_pages=" + k.useZeroPages()).add("pages_shared=" + k.pagesShared())
                .add("pages_sharing=" + k.pagesSharing()).add("full_scans=" + k.fullScans());
        return j.toString();
    }

    private static String hugePages(HugePages h) {
        StringJoiner pools = new StringJoiner(", ", "; pools: ", "");
        pools.setEmptyValue("");
        for (HugePages.Pool p : h.pools()) {
            pools.add(p.total() + " x " + (p.pageSizeBytes() >> 10) + " kB (" + p.free() + " free)");
        }
        return h.total() + " x " + (h.pageSizeBytes() >> 10) + " kB, " + h.free() + " free, " + h.reserved()
                + " reserved, " + h.surplus() + " surplus" + pools;
    }

    private static String parameters(Map<String, String> params) {
        StringJoiner j = new StringJoiner(" ");
        params.forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
    }

    private static String swap(HostCapabilities host) {
        if (!host.swapConfigured()) {
            return "none configured";
        }
        StringJoiner j = new StringJoiner(", ", (host.swapTotalBytes() >> 20) + " MiB total: ", "");
        for (SwapArea d : host.swapDevices()) {
            j.add(d.filename() + " (" + d.type() + ", " + (d.sizeBytes() >> 20) + " MiB, "
                    + (d.usedBytes() >> 20) + " MiB used, priority " + d.priority() + ")");
        }
        return j.toString();
    }

    private static String yn(boolean b) {
        return b ? "Y" : "N";
    }
}
