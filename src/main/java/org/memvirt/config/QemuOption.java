package org.memvirt.config;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One option of qemu-system-x86_64 7.2 as its first pass looks it up (softmmu/vl.c {@code lookup_opt} over
 * {@code qemu_options[]}, which {@code qemu-options.hx} generates).
 *
 * @param name the option without its dash ({@code m}, {@code enable-kvm})
 * @param takesArgument {@code HAS_ARG}: the next word is its value, whatever it looks like ({@code -m -1})
 * @param x86 whether its {@code arch_mask} includes {@code QEMU_ARCH_I386}; an option of another target is known to
 *        the first pass but refused by the second with {@code Option not supported for this target}
 */
public record QemuOption(String name, boolean takesArgument, boolean x86) {
    /**
     * {@code qemu_options[]} of qemu-system-x86_64 7.2.22 in table order, {@code =} marking {@code HAS_ARG}. Read from
     * the binary's table and checked option by option against its first pass (docs/CONFIG.md, "Every QEMU option").
     */
    private static final String TABLE = """
            h help version machine= M= cpu= accel= smp= numa= add-fd= set= global= boot= m= mem-path=
            mem-prealloc k= audio-help audio= audiodev= device= name= uuid= fda= fdb= hda= hdb= hdc= hdd=
            cdrom= blockdev= drive= mtdblock= sd= snapshot fsdev= virtfs= iscsi= usb usbdevice= display=
            nographic spice= portrait rotate= vga= full-screen g= vnc= win2k-hack no-fd-bootchk no-acpi no-hpet
            acpitable= smbios= netdev= nic= net= chardev= tpmdev= bios= pflash= kernel= append= initrd= dtb=
            compat= fw_cfg= serial= parallel= monitor= qmp= qmp-pretty= mon= debugcon= pidfile= singlestep
            preconfig S overcommit= gdb= s d= D= dfilter= seed= L= enable-kvm xen-domid= xen-attach
            xen-domid-restrict no-reboot no-shutdown action= loadvm= daemonize option-rom= rtc= icount=
            watchdog-action= echr= incoming= only-migratable nodefaults chroot= runas= prom-env= semihosting
            semihosting-config= old-param sandbox= readconfig= no-user-config trace= plugin= qtest= qtest-log=
            async-teardown msg= dump-vmstate= enable-sync-profile object=
            """;
    /** The options whose arch_mask leaves out QEMU_ARCH_I386 (qemu-options.hx: -g and -prom-env for PPC/SPARC/M68K,
     *  semihosting for ARM/M68K/MIPS/Nios2/RISC-V/Xtensa, -old-param for ARM). */
    private static final Set<String> NOT_X86 = Set.of("g", "prom-env", "semihosting", "semihosting-config",
            "old-param");
    private static final List<QemuOption> ALL = parse();
    private static final Map<String, QemuOption> BY_NAME = index();

    /** Every option of the table, in QEMU's order. */
    public static List<QemuOption> all() {
        return ALL;
    }

    /**
     * The option a command-line word names, as {@code lookup_opt} finds it ({@code --foo} is {@code -foo}), or null.
     * The word must start with a dash.
     */
    public static QemuOption lookup(String word) {
        String name = word.startsWith("--") ? word.substring(2) : word.substring(1);
        return BY_NAME.get(name);
    }

    private static List<QemuOption> parse() {
        List<QemuOption> options = new java.util.ArrayList<>();
        for (String word : TABLE.trim().split("\\s+")) {
            boolean arg = word.endsWith("=");
            String name = arg ? word.substring(0, word.length() - 1) : word;
            options.add(new QemuOption(name, arg, !NOT_X86.contains(name)));
        }
        return List.copyOf(options);
    }

    private static Map<String, QemuOption> index() {
        Map<String, QemuOption> m = new HashMap<>();
        for (QemuOption o : ALL) m.put(o.name(), o);
        return Map.copyOf(m);
    }
}
