package org.memvirt.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.memvirt.engine.EngineException;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.Units;
import org.memvirt.host.HostMmu;
import org.memvirt.host.KsmState;
import org.memvirt.host.MemInfo;
import org.memvirt.workload.Footprint;
import org.memvirt.workload.Op;

/**
 * Whether a scenario can run on the kvm engine on this host, decided before any VM boots: the features the kvm path
 * cannot do are refused naming the field, and the guests' touched memory must fit this host's available memory.
 * The notes say what the kvm path does not enforce (the modelled host's RAM and swap: it runs on the real host).
 */
final class KvmFit {
    static final long RUNTIME_BYTES = 2L << 20;             // docs/guest-model.md: the runtime owns the first 2 MiB
    static final long MIN_MARGIN_BYTES = 512L << 20;        // memvirt: left to the host besides the guests
    static final int MARGIN_PERCENT = 5;                    // memvirt: of MemTotal, when larger than the minimum

    private KvmFit() {}

    /** The margin kept free on a host with {@code memTotal} bytes: 5% of it, at least 512 MiB. */
    static long margin(long memTotal) {
        return Math.max(MIN_MARGIN_BYTES, memTotal / 100 * MARGIN_PERCENT);
    }

    /**
     * Checks the scenario against the kvm path and this host.
     *
     * @return notes for the report (what is not enforced, what comes from the host)
     * @throws EngineException naming the field that the kvm path cannot honour, or {@code vms} when the guests'
     *         touched memory would not fit
     */
    static List<String> check(HostSpec s, MemInfo host, KsmState ksm) {
        return check(s, host, ksm, HostMmu.read());
    }

    /** {@link #check(HostSpec, MemInfo, KsmState)} on a host whose KVM runs guests with {@code mmu}. */
    static List<String> check(HostSpec s, MemInfo host, KsmState ksm, HostMmu mmu) {
        List<String> notes = new ArrayList<>();
        if (s.ksmPolicy() != HostSpec.KsmPolicy.NONE) {
            throw new EngineException("host.ksm_policy: " + s.ksmPolicy().name().toLowerCase(Locale.ROOT)
                    + " is modelled by the sim engine only (the kvm path sets ksmd's knobs once, from host.ksm); use --engine sim");
        }
        if (s.policy().kind() != HostSpec.PolicyKind.NONE) {
            throw new EngineException("host.balloon_policy: " + s.policy().kind().name().toLowerCase(Locale.ROOT)
                    + " is modelled by the sim engine only; use --engine sim");
        }
        if (s.host().ksm().run() && s.host().ksm().pagesToScan() < 1) {
            throw new EngineException("host.ksm.pages_to_scan: the kvm path needs at least 1 with run: 1");
        }
        long touched = 0, biggest = 0;
        String biggestName = "";
        for (HostSpec.Vm vm : s.vms()) {
            vmFeatures(vm);
            if (vm.mmu() != null && vm.mmu() != mmu.mode()) {
                throw new EngineException("vms[" + vm.name() + "].mmu: " + vm.mmu().word() + ", but this host's KVM runs"
                        + " guests with " + mmu.mode().word() + " (" + mmu.description() + "); use --engine sim");
            }
            long t = touchedBytes(vm);
            touched += t;
            if (t > biggest) {
                biggest = t;
                biggestName = vm.name();
            }
        }
        long modelled = s.host().ramBytes() - s.host().reserveBytes() + s.host().swapBytes();
        if (touched > modelled) {
            throw new EngineException(String.format(Locale.ROOT, "host.ram: the guests touch %s but host.ram - host.reserve"
                    + " + host.swap is %s: the scenario expects the host OOM killer, which only the sim engine models;"
                    + " use --engine sim", Units.human(touched), Units.human(modelled)));
        }
        long room = host.memAvailable() - margin(host.memTotal());
        if (touched > room) {
            throw new EngineException(String.format(Locale.ROOT, "vms: the guests would touch %s (most: %s, %s) but this"
                    + " host has %s to give (MemAvailable %s minus a %s margin); use --engine sim", Units.human(touched),
                    biggestName, Units.human(biggest), Units.human(Math.max(0, room)), Units.human(host.memAvailable()),
                    Units.human(margin(host.memTotal()))));
        }
        notes.add(String.format(Locale.ROOT, "kvm engine: host.ram %s, host.reserve %s and host.swap %s are not enforced: the"
                + " VMs run on this host (MemTotal %s, MemAvailable %s, SwapTotal %s); no VM is OOM-killed by a modelled host",
                Units.human(s.host().ramBytes()), Units.human(s.host().reserveBytes()), Units.human(s.host().swapBytes()),
                Units.human(host.memTotal()), Units.human(host.memAvailable()), Units.human(host.swapTotal())));
        notes.add("kvm engine: every VM starts at once and runs its workload to the end in wall time (duration, sample"
                + " and quantum are not used); the timeline is sampled at each VM's op boundaries; sleep is real time,"
                + " except that with KSM on it ends once merging has settled");
        ksmNotes(s, ksm, notes);
        for (HostSpec.Vm vm : s.vms()) {
            if (vm.oomScoreAdj() != 0) notes.add(vm.name() + ": oom_score_adj is not applied (no host OOM kill on the kvm path)");
        }
        return notes;
    }

    private static void vmFeatures(HostSpec.Vm vm) {
        String at = "vms[" + vm.name() + "].";
        if (vm.startNanos() != 0) {
            throw new EngineException(at + "start: staggered starts are sim-only (the kvm path starts every VM at once)");
        }
        if (vm.bootTouchBytes() != 0) {
            throw new EngineException(at + "boot_touch: memory touched and freed at boot is modelled by the sim engine only");
        }
        HostSpec.Balloon b = vm.balloon();
        if (b != null && b.targetBytes() != 0) {
            throw new EngineException(at + "balloon.target: fixed targets are applied by the sim's host only; on kvm use"
                    + " a workload op (balloon to SIZE)");
        }
        if (b != null && b.deflateOnOom()) {
            throw new EngineException(at + "balloon.deflate_on_oom: the kvm balloon device does not offer DEFLATE_ON_OOM");
        }
        for (int i = 0; i < vm.workload().size(); i++) op(vm.workload().get(i), at + "workload[" + i + "]", vm);
    }

    private static void op(Op op, String at, HostSpec.Vm vm) {
        switch (op) {
            case Op.Trace t -> throw new EngineException(at + ": trace is not supported by the kvm engine");
            case Op.Balloon b when vm.balloon() == null -> throw new EngineException(at + ": the VM has no balloon device"
                    + " (the sim ignores the op); add balloon: true");
            case Op.Repeat r -> r.body().forEach(o -> op(o, at, vm));
            default -> { }
        }
    }

    /** The host memory a VM's guest RAM can come to: the runtime, the page stack and the highest page the workload reaches. */
    static long touchedBytes(HostSpec.Vm vm) {
        long end = 0;
        for (Op op : vm.workload()) if (!(op instanceof Op.Balloon)) end = Math.max(end, Footprint.regionEnd(op));
        long stack = vm.ramBytes() / 1024;                  // docs/overcommit-kvm.md: one u32 per guest page
        long t = Math.min(vm.ramBytes(), RUNTIME_BYTES + stack + end);
        return vm.residentLimitBytes() > 0 ? Math.min(t, vm.residentLimitBytes()) : t;
    }

    private static void ksmNotes(HostSpec s, KsmState ksm, List<String> notes) {
        if (!s.host().ksm().run()) {
            notes.add("kvm engine: host.ksm is off, so the host's KSM is left as it is (run="
                    + (ksm.run() == null ? "absent" : ksm.run()) + ")");
            return;
        }
        notes.add("kvm engine: ksmd runs with pages_to_scan " + s.host().ksm().pagesToScan() + ", sleep_millisecs "
                + s.host().ksm().sleepMillisecs() + (s.host().ksm().useZeroPages() ? ", use_zero_pages 1" : "")
                + " for the run (restored afterwards); host.ksm counters are changes of the global sysfs counters, which"
                + " include every other process's merging");
        if (ksm.maxPageSharing() != null && ksm.maxPageSharing() != s.host().ksm().maxPageSharing()) {
            notes.add("kvm engine: host.ksm.max_page_sharing " + s.host().ksm().maxPageSharing() + " is not applied; this"
                    + " host's is " + ksm.maxPageSharing());
        }
    }
}
