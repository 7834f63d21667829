package org.memvirt.qemu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.memvirt.engine.EngineException;
import org.memvirt.engine.GuestProfile;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.Units;
import org.memvirt.host.HostRoot;
import org.memvirt.host.MemInfo;
import org.memvirt.host.SwapArea;
import org.memvirt.hostctl.HostctlException;
import org.memvirt.hostctl.KsmSession;
import org.memvirt.hostctl.KsmSettings;
import org.memvirt.hostctl.MemoryHierarchy;
import org.memvirt.hostctl.MemoryLimits;
import org.memvirt.hostctl.SwapFile;
import org.memvirt.image.ImageBuilder;
import org.memvirt.workload.Op;

/**
 * Whether a scenario can run on the qemu engine here, decided before any QEMU starts: what the qemu path does not do
 * is refused naming the field, the host's limits must be realisable (a memory controller memvirt may make a group in,
 * a swap file where the host's swap is short: root), the group's RAM must fit what this machine has free, and
 * memvirt's guest image must be obtainable.
 */
final class QemuFit {
    static final long MIN_MARGIN_BYTES = 512L << 20;        // memvirt: left to this machine besides the group's RAM

    private QemuFit() {}

    /** The group's limits: RAM {@code host.ram - host.reserve} (the reserve is the host OS's, outside), swap {@code host.swap}. */
    static MemoryLimits limits(HostSpec.Host h) {
        return MemoryLimits.of(pages(h.ramBytes() - h.reserveBytes()), pages(h.swapBytes()));
    }

    private static long pages(long bytes) {
        return bytes / BalloonOp.PAGE * BalloonOp.PAGE;
    }

    /** ksmd's settings for {@code host.ksm}, or null to leave the host's KSM alone. */
    static KsmSettings ksmSettings(KsmConfig k) {
        return KsmSettings.ofScenario(k.run(), k.pagesToScan(), k.sleepMillisecs(), k.useZeroPages());
    }

    /** Checks {@code s} against the qemu path and this host; returns the notes for the report. */
    static List<String> check(HostSpec s) {
        List<String> notes = new ArrayList<>();
        if (s.ksmPolicy() != HostSpec.KsmPolicy.NONE) {
            throw new EngineException("host.ksm_policy: " + s.ksmPolicy().name().toLowerCase(Locale.ROOT)
                    + " is modelled by the sim engine only (the qemu path runs ksmd with host.ksm's knobs); use --engine sim");
        }
        for (HostSpec.Vm vm : s.vms()) vm(vm);
        if (s.host().ksm().run() && s.host().ksm().pagesToScan() < 1) {
            throw new EngineException("host.ksm.pages_to_scan: the qemu path needs at least 1 with run: 1");
        }
        if (s.host().ksm().run()) {
            String why = KsmSession.unavailableReason();
            if (why != null) throw EngineException.host("host.ksm: run: 1, but " + why);
        }
        MemoryLimits limits;
        try {
            limits = limits(s.host());
            MemoryHierarchy.find(HostRoot.REAL);
        } catch (HostctlException e) {
            throw EngineException.host("host.ram: the qemu path makes the host's RAM a memory cgroup's limit: "
                    + e.getMessage());
        }
        long shortfall = SwapFile.shortfall(limits.swapBytes(), SwapArea.read(HostRoot.REAL));
        if (shortfall > 0) {
            String why = SwapFile.unavailableReason(HostRoot.REAL);
            if (why != null) {
                throw EngineException.host("host.swap: " + Units.human(limits.swapBytes()) + " needs a swap file of "
                        + Units.human(shortfall) + " more than this host's free swap, and " + why);
            }
        }
        MemInfo host = MemInfo.read(HostRoot.REAL);
        long room = host.memAvailable() - MIN_MARGIN_BYTES;
        if (limits.ramBytes() > room) {
            throw EngineException.host(String.format(Locale.ROOT, "host.ram: the memory cgroup would get %s of RAM but this"
                    + " machine has %s to give (MemAvailable %s minus %s); use --engine sim", Units.human(limits.ramBytes()),
                    Units.human(Math.max(0, room)), Units.human(host.memAvailable()), Units.human(MIN_MARGIN_BYTES)));
        }
        Optional<String> image = ImageBuilder.forThisUser().whyUnavailable();
        if (image.isPresent()) throw EngineException.host(image.get());
        AccelChoice accel = AccelChoice.forLinuxGuest();
        notes.add("qemu engine: host.ram - host.reserve and host.swap are the RAM and swap limits of a memory cgroup"
                + " memvirt makes for the run; every QEMU runs in it, and the kernel's OOM killer picks its victims there");
        notes.add("qemu engine: " + accel.reason() + "; times are wall-clock seconds; every VM boots memvirt's Linux guest"
                + " at its start and keeps running after its workload until the run ends (all workloads ended and"
                + " duration passed)" + (shortfall > 0 ? "; a swap file of the host's shortfall is made for the run" : "")
                + "; host.swap_kind and host.watermark_scale_factor are this host's");
        return notes;
    }

    private static void vm(HostSpec.Vm vm) {
        String at = "vms[" + vm.name() + "].";
        GuestProfile g = vm.guest();
        if (g != null && !g.linux()) {
            throw EngineException.usage(at + "guest: " + g.kind().key() + ": the qemu engine boots memvirt's Linux guest");
        }
        if (g != null && g.thp() != GuestProfile.Thp.NEVER) {
            throw EngineException.usage(at + "guest: thp=" + g.thp().key() + ": memvirt's Linux image runs with THP never");
        }
        if (vm.mmu() != null) {
            throw new EngineException(at + "mmu: the qemu path runs the host's accelerator as it is; use --engine sim");
        }
        if (vm.bootTouchBytes() != 0) {
            throw new EngineException(at + "boot_touch: the Linux guest's own boot touches what it touches; the field is"
                    + " the sim's");
        }
        if (vm.residentLimitBytes() > 0) {
            throw new EngineException(at + "resident_limit: the kvm engine's own swap; QEMU has none (--engine kvm)");
        }
        if (vm.machine().layout().ramSize() > 0 && vm.balloon() != null && vm.balloon().targetBytes() >= vm.ramBytes()) {
            throw new EngineException(at + "balloon.target: at least RAM; QEMU leaves the guest at least one page");
        }
        for (int i = 0; i < vm.workload().size(); i++) op(vm.workload().get(i), at + "workload[" + i + "]", vm);
        GuestPlan plan = GuestPlan.of(QemuHost.runSpec(vm));
        if (plan.ownLine() || !plan.agent()) {
            throw EngineException.usage(at + "qemu: the line boots its own guest (" + plan.lineDescription() + "); a"
                    + " scenario's VMs run memvirt's guest and its agent");
        }
        try {
            plan.checkOps(QemuHost.runSpec(vm).workload(), vm.ramBytes());
        } catch (EngineException e) {
            throw new EngineException(at + "workload: " + e.getMessage());
        }
    }

    private static void op(Op op, String at, HostSpec.Vm vm) {
        switch (op) {
            case Op.Trace t -> throw new EngineException(at + ": trace is not supported by the qemu engine");
            case Op.Balloon b when vm.balloon() == null -> throw new EngineException(at + ": the VM has no balloon device"
                    + " (the sim ignores the op); add balloon: true");
            case Op.Repeat r -> r.body().forEach(o -> op(o, at, vm));
            default -> { }
        }
    }
}
