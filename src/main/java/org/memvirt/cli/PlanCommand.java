package org.memvirt.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.memvirt.config.ConfigException;
import org.memvirt.config.QemuSize;
import org.memvirt.config.SwapPlan;
import org.memvirt.report.Json;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memvirt plan}: how much swap an overcommitted host needs, after Red Hat's rules. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        footerHeading = Main.ENV_HEADING, footer = {Main.ENV_HOST_ROOT, Main.ENV_KVM},
        description = "Size host swap for overcommitted guests: RAM + swap must cover all guests plus the host"
                + " reserve, plus the RHEL 7 recommended swap for the host itself. Sizes use QEMU's grammar; a bare"
                + " number is MiB (as -m).")
final class PlanCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--host-ram", paramLabel = "SIZE", description = "Host RAM (default: this host's MemTotal).")
    String hostRam;

    @Option(names = "--guest", required = true, paramLabel = "NxSIZE", description = "N guests of SIZE each; repeatable.")
    List<String> guests = new ArrayList<>();

    @Option(names = "--host-reserve", paramLabel = "SIZE", defaultValue = "4G",
            description = "Memory kept for the host OS (default: ${DEFAULT-VALUE}, Red Hat's rule).")
    String hostReserve;

    @Option(names = "--host-swap", paramLabel = "SIZE",
            description = "Swap configured now (default: this host's SwapTotal when --host-ram is not given).")
    String hostSwap;

    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    /** The JSON document of {@code memvirt plan --json}. */
    record Report(List<SwapPlan.Guests> guests, long guestTotalBytes, long hostRamBytes, long hostReserveBytes,
            long swapForGuestsBytes, long recommendedHostSwapBytes, long totalSwapBytes, double overcommitRatio,
            Long hostSwapBytes, List<String> warnings) {}

    @Override
    public void run() {
        long ram = hostRam != null ? checked("--host-ram " + hostRam, () -> SwapPlan.ram("host RAM", size("--host-ram", hostRam)))
                : hostMeminfo("MemTotal");
        if (ram < 0) throw new ConfigException("cannot read MemTotal from /proc/meminfo; give --host-ram");
        if (hostRam == null) checked("MemTotal of /proc/meminfo", () -> SwapPlan.ram("host RAM", ram));
        long reserve = checked("--host-reserve " + hostReserve,
                () -> SwapPlan.size("a host reserve", size("--host-reserve", hostReserve)));
        long swapNow = hostSwap != null ? checked("--host-swap " + hostSwap, () -> SwapPlan.size("host swap",
                size("--host-swap", hostSwap))) : hostRam == null ? hostMeminfo("SwapTotal") : -1;
        List<SwapPlan.Guests> groups = new ArrayList<>();
        for (String g : guests) {
            try {
                groups.add(SwapPlan.Guests.parse(g));
            } catch (ConfigException e) {
                throw new ConfigException(e.getMessage().lines().findFirst().orElse("")).at("--guest " + g);
            }
        }
        SwapPlan plan = checked("--guest", () -> new SwapPlan(groups, ram, reserve, swapNow));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(new Report(plan.guests(), plan.guestTotal(), plan.hostRam(), plan.hostReserve(),
                    plan.swapForGuests(), plan.recommendedHostSwap(), plan.totalSwap(), plan.overcommitRatio(),
                    swapNow < 0 ? null : swapNow, plan.warnings())));
        } else {
            printHuman(out, plan);
        }
        out.flush();
        if (!json) QemuOptions.printWarnings(spec.commandLine().getErr(), plan.warnings());
    }

    private static void printHuman(PrintWriter out, SwapPlan plan) {
        out.printf("guests:                  %s%n", ConfigCommand.bytes(plan.guestTotal()));
        for (SwapPlan.Guests g : plan.guests()) {
            out.printf("  %d x %s%n", g.count(), ConfigCommand.bytes(g.sizeBytes()));
        }
        out.printf("host RAM:                %s%n", ConfigCommand.bytes(plan.hostRam()));
        out.printf("host reserve:            %s%n", ConfigCommand.bytes(plan.hostReserve()));
        out.printf(java.util.Locale.ROOT, "overcommit ratio:        %.2f%n", plan.overcommitRatio());
        out.printf("swap for guests:         %s  (guests + reserve - RAM)%n", ConfigCommand.bytes(plan.swapForGuests()));
        out.printf("recommended host swap:   %s  (RHEL 7 table)%n", ConfigCommand.bytes(plan.recommendedHostSwap()));
        out.printf("total swap:              %s%n", ConfigCommand.bytes(plan.totalSwap()));
        if (plan.hostSwap() >= 0) out.printf("host swap now:           %s%n", ConfigCommand.bytes(plan.hostSwap()));
    }

    /** Runs a check, its error located at {@code location} as QEMU locates option errors. */
    private static <T> T checked(String location, java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (ConfigException e) {
            throw e.getMessage().startsWith(location) ? e : e.at(location);
        }
    }

    /** A size as QEMU reads it, bare numbers in MiB; QEMU's error as for -m (its first line), with this option. */
    private static long size(String option, String text) {
        try {
            return QemuSize.parseMiB(text);
        } catch (ConfigException e) {
            throw new ConfigException(e.getMessage().lines().findFirst().orElse("")).at(option + " " + text);
        }
    }

    /** A /proc/meminfo field of this host in bytes, -1 where unreadable (defaults only). */
    private static long hostMeminfo(String field) {
        org.memvirt.host.HostRoot root = org.memvirt.host.HostEnv.root();      // a bad MEMVIRT_HOST_ROOT is refused
        try {
            org.memvirt.host.MemInfo m = org.memvirt.host.MemInfo.read(root);
            return m.has(field) ? m.bytes(field) : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
