package org.memvirt.qemu;

import org.memvirt.host.HostCapabilities;
import org.memvirt.host.HostEnv;
import org.memvirt.host.HostRoot;
import org.memvirt.host.KvmStatus;

/**
 * The accelerator QEMU runs with and why: {@code kvm} where /dev/kvm is usable (decided by the host package's probe
 * of the device and its ioctls, never from cpuinfo flags), else {@code tcg}.
 *
 * @param accel {@code kvm} or {@code tcg}, as {@code -accel} takes it
 * @param reason one line, for reports ({@code tcg: /dev/kvm does not exist})
 */
public record AccelChoice(String accel, String reason) {
    public static final String KVM = "kvm";
    public static final String TCG = "tcg";

    public AccelChoice {
        if (!accel.equals(KVM) && !accel.equals(TCG)) throw new IllegalArgumentException("accel " + accel);
    }

    /**
     * The one place the qemu engine decides between KVM and TCG for this host: TCG where MEMVIRT_KVM or
     * MEMVIRT_HOST_ROOT says this machine's /dev/kvm is not to be used ({@link HostEnv#kvmEngineVeto()}: QEMU runs on
     * this machine, never on a described host), else as this machine's /dev/kvm answers.
     */
    public static AccelChoice forThisHost() {
        java.util.Optional<String> veto = HostEnv.kvmEngineVeto();
        if (veto.isPresent()) return new AccelChoice(TCG, TCG + ": " + veto.get());
        return of(HostCapabilities.read(HostRoot.REAL, HostEnv.kvmProbe(HostRoot.REAL)).kvm());
    }

    /**
     * The accelerator for memvirt's Linux guest: {@link #forThisHost()}, except that where a Linux guest has already
     * failed to boot under this host's KVM since the host started ({@link KvmLinuxVerdict}) it is TCG at once, saying
     * so. Where KVM is usable and no boot has failed yet it is KVM; the boot decides ({@code BootedGuest} boots again
     * under TCG and records the verdict when the guest does not come up).
     */
    public static AccelChoice forLinuxGuest() {
        AccelChoice device = forThisHost();
        if (!device.accel().equals(KVM)) return device;
        return KvmLinuxVerdict.refused().map(why -> given(TCG, why)).orElse(device);
    }

    /** KVM when {@code kvm} is usable, else TCG, with the reason. */
    static AccelChoice of(KvmStatus kvm) {
        if (kvm.usable()) return new AccelChoice(KVM, KVM + ": " + kvm.device() + " usable");
        String why = !kvm.exists() ? "does not exist"
                : kvm.openError() != null ? "cannot be opened: " + kvm.openError()
                : "is not usable (API " + kvm.apiVersion() + ", missing " + String.join(", ", kvm.missingCaps())
                        + (kvm.createVmErrno() == null ? "" : ", KVM_CREATE_VM errno " + kvm.createVmErrno()) + ")";
        return new AccelChoice(TCG, TCG + ": " + kvm.device() + " " + why);
    }

    /** A choice the caller made ({@code --accel tcg}), with its reason. */
    public static AccelChoice given(String accel, String reason) {
        return new AccelChoice(accel, accel + ": " + reason);
    }
}
