package org.memvirt.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel command line memvirt's image boots with ({@code -append}): the console on the first serial port, quiet,
 * reboot at once on a panic (with QEMU's {@code -no-reboot} QEMU then exits), the guest's THP policy for /init, and
 * under TCG on {@code -M microvm} the TSC frequency: microvm has neither PIT speaker gate nor HPET nor ACPI PM timer,
 * so the kernel cannot calibrate the TSC and hangs after "tsc: Marking TSC unstable" unless told the rate
 * ({@code tsc_early_khz=}), and {@code tsc=reliable}: else the clocksource watchdog finds the TSC (the host's real
 * time) and jiffies (ticks of the slower emulated CPU) apart and falls back to 4 ms jiffies for the guest's clocks
 * (linux Documentation/admin-guide/kernel-parameters.txt, tsc_early_khz= and tsc=).
 *
 * @param thp the guest's /sys/kernel/mm/transparent_hugepage/enabled: never, madvise or always
 * @param tscKhz the guest TSC's rate in kHz for {@code tsc_early_khz=} (with {@code tsc=reliable}), empty where the
 *               kernel can measure it
 */
public record BootArgs(String thp, OptionalLong tscKhz) {
    static final Set<String> THP_POLICIES = Set.of("never", "madvise", "always");   // linux mm/huge_memory.c enabled_store
    private static final Pattern CPU_MHZ = Pattern.compile("(?m)^cpu MHz\\s*:\\s*([0-9.]+)\\s*$");

    public BootArgs {
        if (!THP_POLICIES.contains(thp)) throw ImageException.input("guest THP policy must be never, madvise or always, not '" + thp + "'");
    }

    /** THP {@code never} and no TSC hint: the pc and q35 machines, or any machine under KVM. */
    public static BootArgs standard() {
        return new BootArgs(InitScript.DEFAULT_THP, OptionalLong.empty());
    }

    /**
     * For {@code -M microvm} under TCG: the guest's TSC runs at the host's TSC rate there (QEMU's TCG reads the host's
     * TSC: cpu_get_host_ticks), which /proc/cpuinfo's "cpu MHz" gives on a host whose TSC is constant (flags
     * {@code constant_tsc} and {@code tsc_known_freq}); elsewhere "cpu MHz" is the current clock and only an
     * estimate, so guest time may then run a little fast or slow.
     */
    public static BootArgs microvmUnderTcg(Path cpuinfo) {
        return new BootArgs(InitScript.DEFAULT_THP, OptionalLong.of(hostTscKhz(cpuinfo)));
    }

    public BootArgs withThp(String policy) {
        return new BootArgs(policy, tscKhz);
    }

    /** The {@code -append} value. */
    public String commandLine() {
        // console=ttyS0: the 8250 UART, built into Debian's kernel; panic=-1: reboot at once (linux kernel/panic.c);
        // no_timer_check: skip the IO-APIC timer test (arch/x86/kernel/apic/io_apic.c timer_irq_works), which on an
        // overloaded host under TCG misses its ticks and panics "IO-APIC + timer doesn't work!" (seen: 8 guests at load 28)
        return "console=ttyS0 quiet panic=-1 no_timer_check memvirt.thp=" + thp
                + (tscKhz.isPresent() ? " tsc_early_khz=" + tscKhz.getAsLong() + " tsc=reliable" : "");
    }

    /** The host CPU's "cpu MHz" from {@code cpuinfo}, in kHz. */
    static long hostTscKhz(Path cpuinfo) {
        String text;
        try {
            text = Files.readString(cpuinfo);
        } catch (IOException e) {
            throw new ImageException("cannot read " + cpuinfo + " for the TSC rate -M microvm needs under TCG: " + e.getMessage());
        }
        Matcher m = CPU_MHZ.matcher(text);
        if (!m.find()) throw new ImageException(cpuinfo + " has no 'cpu MHz' line; -M microvm under TCG needs the TSC rate (use -M pc)");
        return Math.round(Double.parseDouble(m.group(1)) * 1000);
    }
}
