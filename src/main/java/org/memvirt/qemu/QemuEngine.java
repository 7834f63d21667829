package org.memvirt.qemu;

import java.util.List;
import java.util.Optional;

import org.memvirt.engine.Availability;
import org.memvirt.host.HostEnv;
import org.memvirt.engine.Engine;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.EngineKind;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.GuestProfile;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.HostCapabilities;
import org.memvirt.host.HostMmu;
import org.memvirt.image.ImageBuilder;

/**
 * The qemu engine: the user's QEMU command line run by the real {@code qemu-system-x86_64} with a real Linux guest
 * (memvirt's image from Debian packages with the guest agent, or the user's own kernel or disk), under KVM where a
 * Linux guest boots there, else TCG (docs/qemu-engine.md). Ops run through the agent, balloon ops over QMP; guest RAM is
 * measured from the host (smaps, status, ksm_stat of QEMU's PID) and the guest's own counters come from the agent.
 * {@code --engine auto} never picks it ({@link EngineKind#auto()}): a boot takes seconds and the first run builds an
 * image, so it runs when named (and in the demo, which prefers it to the model where /dev/kvm is unusable).
 */
public final class QemuEngine implements Engine {
    private volatile Availability availability;

    @Override
    public EngineKind kind() {
        return EngineKind.QEMU;
    }

    /** Usable where qemu-system-x86_64 ≥ 7.2 is on PATH; the guest image is {@link #check}'s to require. */
    @Override
    public Availability availability() {
        Optional<String> veto = HostEnv.qemuVeto();        // asked every time: tests scope the switch per run
        if (veto.isPresent()) return new Availability(false, veto.get());
        Availability a = availability;
        if (a == null) {
            try {                                          // one probe: a second could answer otherwise
                QemuBinary qemu = QemuBinary.locate();
                a = new Availability(true, QemuBinary.NAME + " " + qemu.version() + " at " + qemu.path());
            } catch (QemuException e) {
                a = new Availability(false, e.getMessage());
            }
            availability = a;
        }
        return a;
    }

    /**
     * Refuses, before QEMU starts: a {@code --mmu} or {@code --vpid} this host's accelerator does not give (KVM's are the
     * host's; TCG has neither), a modelled TLB, {@code --ksm} and {@code --resident-limit} (the kvm engine's own
     * machinery), ops the guest cannot run (without memvirt's agent only balloon and sleep), a balloon holding all of
     * RAM, options that contradict the QEMU line, and memvirt's image where it can be neither found nor built.
     */
    @Override
    public void check(RunSpec spec, String reason) {
        GuestProfile profile = spec.guestProfile();
        if (profile != null && !profile.equals(GuestProfile.LINUX)) {
            throw EngineException.usage("--guest " + profile + ": the qemu engine runs memvirt's Linux image as it is "
                    + "(its THP policy never; free page reporting is --balloon free-page-reporting=on); --guest linux "
                    + "or none");
        }
        AccelChoice accel = AccelChoice.forLinuxGuest();
        boolean kvm = accel.accel().equals(AccelChoice.KVM);
        if (kvm) {
            HostMmu host = HostMmu.read();
            if (spec.mmu() != host.mode()) {
                throw EngineException.host("--mmu " + spec.mmu().word() + ": QEMU runs this guest under KVM, which uses "
                        + host.mode().word() + " here (" + host.description() + "); --engine sim models "
                        + spec.mmu().word());
            }
            if (spec.vpid() != null && spec.vpid() != host.tlbTagged()) {
                throw EngineException.host("--vpid " + onOff(spec.vpid()) + ": this host's KVM runs guests with VPID "
                        + onOff(host.tlbTagged()) + " (" + host.description() + "); --engine sim models it");
            }
        } else {
            if (spec.mmu() != HostCapabilities.read().mmuMode()) {
                throw EngineException.host("--mmu " + spec.mmu().word() + ": QEMU runs this guest under TCG (" + accel.reason()
                        + "), whose software MMU is no EPT, NPT or shadow paging; --engine sim models " + spec.mmu().word());
            }
            if (spec.vpid() != null) {
                throw EngineException.host("--vpid " + onOff(spec.vpid()) + ": QEMU runs this guest under TCG ("
                        + accel.reason() + "), which has no VPID; --engine sim models it");
            }
        }
        if (spec.tlb() != null) {
            throw EngineException.usage("--tlb " + spec.tlb() + ": the qemu engine runs on this host's CPU; --tlb sets"
                    + " the sim engine's geometry");
        }
        if (spec.ksm()) {
            throw EngineException.usage("--ksm: the qemu engine leaves ksmd as it is (QEMU's guest RAM is mergeable, "
                    + "mem-merge=on by default; the run reports ksm_stat of QEMU's process); --engine kvm runs ksmd");
        }
        if (spec.residentLimitBytes() > 0) {
            throw EngineException.usage("--resident-limit: the kvm engine's own swap; QEMU has none (--engine kvm)");
        }
        GuestPlan plan = GuestPlan.of(spec);
        plan.checkOps(spec.workload(), spec.machine().layout().ramSize());
        if (!plan.ownLine() && (plan.kernel() == null || plan.initrd() == null)) {
            Optional<String> why = ImageBuilder.forThisUser().whyUnavailable();
            if (why.isPresent()) throw EngineException.host(why.get());
        }
    }

    @Override
    public RunResult run(RunSpec spec, RunListener listener) {
        return QemuRun.run(spec, listener);
    }

    /**
     * A scenario on real QEMU guests: refuses what the qemu path does not do (host-side KSM and balloon managers but
     * fixed targets, trace, boot_touch, resident_limit, a VM's own mmu or guest), a host whose limits cannot be made
     * real here, and a memory cgroup larger than this machine has free ({@link QemuFit}).
     */
    @Override
    public List<String> check(HostSpec spec) {
        return QemuFit.check(spec);
    }

    /** Runs the scenario's VMs as QEMU processes in a memory cgroup of the scenario's host ({@link QemuHost}). */
    @Override
    public HostResult run(HostSpec spec, RunListener listener) {
        return QemuHost.run(spec, QemuFit.check(spec), listener);
    }

    private static String onOff(boolean b) {
        return b ? "on" : "off";
    }
}
