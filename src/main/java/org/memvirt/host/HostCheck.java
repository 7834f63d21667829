package org.memvirt.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns {@link HostCapabilities} into virt-host-validate style checks. KVM usability is decided from the device
 * and its ioctls, so a host without vmx/svm flags whose /dev/kvm works (kvm_pvm) is not a FAIL. Where libvirt or
 * QEMU make the same check, their hint texts are reproduced (libvirt 9.0.0 tools/virt-host-validate-qemu.c,
 * QEMU 7.2 accel/kvm/kvm-all.c). Manual steps appear only as hints: nothing here changes the host.
 */
public final class HostCheck {
    static final String HW_VIRT = "for hardware virtualization";
    static final String KVM_EXISTS = "if device /dev/kvm exists";
    static final String KVM_ACCESSIBLE = "if device /dev/kvm is accessible";
    static final String HINT_NO_HW = "Host not compatible with KVM; HW virtualization CPU features not found. "
            + "Only emulated CPUs are available; performance will be significantly limited";    // libvirt 9.0.0
    static final String HINT_NO_KVM = "Check that the 'kvm-intel' or 'kvm-amd' modules are loaded "
            + "& the BIOS has enabled virtualization";                                        // libvirt 9.0.0
    static final String HINT_NO_ACCESS = "Check /dev/kvm is world writable or you are in a group that is "
            + "allowed to access it";                                                          // libvirt 9.0.0
    static final String PVM = "software virtualization, shadow paging, no EPT/VPID";
    private static final String NEVER_CHANGES = "host-check changes nothing";

    /** The checks for {@code host}, in report order. */
    public static List<Check> checks(HostCapabilities host) {
        List<Check> checks = new ArrayList<>();
        checks.add(hardware(host));
        kvmDevice(host.kvm(), checks);
        checks.add(twoDimensionalPaging(host));
        if (host.mmu().source().equals(HostMmu.SOURCE_INTEL) || "vmx".equals(host.virtualization().hardware())) {
            intelFeatures(host.mmu(), checks);
        }
        if (host.kvm().usable()) {
            manualSteps(host).ifPresent(checks::add);
        }
        checks.add(ksm(host.ksm()));
        checks.add(thp(host.thp()));
        checks.add(swap(host));
        return List.copyOf(checks);
    }

    /** True when no check FAILed: the exit status is 0. */
    public static boolean passed(List<Check> checks) {
        return checks.stream().noneMatch(c -> c.result() == Check.Result.FAIL);
    }

    private static Check hardware(HostCapabilities host) {
        if (host.virtualization().hardware() != null) {
            return Check.pass(HW_VIRT);
        }
        if (host.virtualization().pvm()) {
            return Check.warn(HW_VIRT, "No vmx/svm CPU flags; kvm_pvm is loaded: " + PVM);
        }
        if (host.kvm().usable()) {
            return Check.warn(HW_VIRT, "No vmx/svm CPU flags, yet /dev/kvm works");
        }
        return Check.fail(HW_VIRT, HINT_NO_HW);
    }

    private static void kvmDevice(KvmStatus kvm, List<Check> checks) {
        if (!kvm.exists()) {
            checks.add(Check.fail(KVM_EXISTS, HINT_NO_KVM));
            return;
        }
        checks.add(Check.pass(KVM_EXISTS));
        if (!kvm.accessible()) {
            boolean denied = kvm.openError().startsWith("EACCES") || kvm.openError().startsWith("EPERM");
            checks.add(Check.fail(KVM_ACCESSIBLE, denied ? HINT_NO_ACCESS
                    : "open(/dev/kvm, O_RDWR) failed: " + kvm.openError()));
            return;
        }
        checks.add(Check.pass(KVM_ACCESSIBLE));
        checks.add(apiVersion(kvm.apiVersion()));
        checks.add(kvm.missingCaps().isEmpty() ? Check.pass("for the KVM capabilities QEMU requires")
                : Check.fail("for the KVM capabilities QEMU requires",
                        kvm.missingCaps().stream().map(HostCheck::missingCapText).collect(Collectors.joining("; "))));
        checks.add(kvm.createVmErrno() == null ? Check.pass("if KVM can create a VM")
                : Check.fail("if KVM can create a VM", "ioctl(KVM_CREATE_VM) failed: " + kvm.createVmErrno() + " "
                        + Errno.message(kvm.createVmErrno())));                 // QEMU 7.2 kvm_init
    }

    private static Check apiVersion(int version) {
        String name = "for KVM API version " + KvmStatus.KVM_API_VERSION;
        if (version < KvmStatus.KVM_API_VERSION) {
            return Check.fail(name, "kvm version too old");                   // QEMU 7.2 kvm_init
        }
        if (version > KvmStatus.KVM_API_VERSION) {
            return Check.fail(name, "kvm version not supported");             // QEMU 7.2 kvm_init
        }
        return Check.pass(name);
    }

    private static String missingCapText(String kvmName) {
        return kvmName.equals(KvmCap.IRQ_ROUTING.kvmName())
                ? "KVM_CAP_IRQ_ROUTING not supported by KVM"                  // QEMU 7.2 target/i386/kvm/kvm.c
                : "kvm does not support " + kvmName;                          // QEMU 7.2 kvm_init
    }

    private static Check twoDimensionalPaging(HostCapabilities host) {
        String name = "for two-dimensional paging (EPT/NPT)";
        HostMmu mmu = host.mmu();
        if (mmu.mode().twoDimensional()) {
            return Check.pass(name);
        }
        if (host.virtualization().pvm() && host.virtualization().hardware() == null) {
            return Check.warn(name, "kvm_pvm: " + PVM + "; guests get shadow paging");
        }
        return Check.warn(name, switch (mmu.source()) {
            case HostMmu.SOURCE_INTEL -> "kvm_intel ept=N: guests get shadow paging"
                    + (host.cpu().virtFlags().contains("ept")
                    ? "; to enable by hand: rmmod kvm_intel; modprobe kvm_intel ept=1 vpid=1" : "; the CPU has no EPT");
            case HostMmu.SOURCE_AMD -> "kvm_amd npt=0: guests get shadow paging"
                    + (host.cpu().virtFlags().contains("npt")
                    ? "; to enable by hand: rmmod kvm_amd; modprobe kvm_amd npt=1" : "; the CPU has no NPT");
            default -> "No two-dimensional paging (" + mmu.source() + ")";
        });
    }

    private static void intelFeatures(HostMmu mmu, List<Check> checks) {
        checks.add(mmu.vpid() ? Check.pass("for VPID")
                : Check.warn("for VPID", "kvm_intel vpid=N: the TLB is flushed on every VM entry and exit"));
        if (mmu.ept()) {
            checks.add(mmu.eptAd() ? Check.pass("for EPT accessed and dirty bits")
                    : Check.warn("for EPT accessed and dirty bits", "kvm_intel eptad=N: no EPT A/D bits"));
        }
        checks.add(mmu.unrestrictedGuest() ? Check.pass("for unrestricted guest")
                : Check.warn("for unrestricted guest",
                        "kvm_intel unrestricted_guest=N: real-mode guest code is emulated"));
    }

    /** The manual steps for comparing the MMU modes (module parameters ept/vpid/npt), named only as a hint. */
    private static Optional<Check> manualSteps(HostCapabilities host) {
        String name = "for switching the MMU mode by hand";
        HostMmu mmu = host.mmu();
        if (mmu.source().equals(HostMmu.SOURCE_INTEL) && mmu.ept()) {
            return Optional.of(Check.note(name, NEVER_CHANGES + "; shadow paging: rmmod kvm_intel; "
                    + "modprobe kvm_intel ept=0 vpid=0; back: rmmod kvm_intel; modprobe kvm_intel ept=1 vpid=1"));
        }
        if (mmu.source().equals(HostMmu.SOURCE_AMD) && mmu.npt()) {
            return Optional.of(Check.note(name, NEVER_CHANGES + "; shadow paging: rmmod kvm_amd; "
                    + "modprobe kvm_amd npt=0; back: rmmod kvm_amd; modprobe kvm_amd npt=1"));
        }
        if (mmu.source().equals(HostMmu.SOURCE_PVM)) {
            return Optional.of(Check.note(name, "kvm_pvm offers shadow paging only; 'modprobe kvm_intel ept=0 vpid=0' "
                    + "and 'ept=1 vpid=1' need kvm_intel and VT-x, which this host does not have"));
        }
        return Optional.empty();
    }

    private static Check ksm(KsmState ksm) {
        String name = "for KSM (kernel samepage merging)";
        if (!ksm.available()) {
            return Check.warn(name, "No /sys/kernel/mm/ksm: this kernel has no KSM");
        }
        if (ksm.merging()) {
            return Check.pass(name);
        }
        return Check.note(name, "KSM is off (run=" + ksm.run() + "): MADV_MERGEABLE guest RAM is not merged "
                + "until 'echo 1 > /sys/kernel/mm/ksm/run'; " + NEVER_CHANGES);
    }

    private static Check thp(ThpState thp) {
        String name = "for transparent huge pages";
        if (thp.enabled() == null) {
            return Check.warn(name, "No /sys/kernel/mm/transparent_hugepage: this kernel has no THP");
        }
        if (thp.enabled().equals("never")) {
            return Check.warn(name, "THP is 'never': guest RAM is backed by 4 KiB pages only");
        }
        return Check.pass(name);
    }

    private static Check swap(HostCapabilities host) {
        String name = "for swap";
        return host.swapConfigured() ? Check.pass(name)
                : Check.note(name, "No swap configured: guest RAM cannot be overcommitted beyond host RAM "
                + "by swapping");
    }

    private HostCheck() {}
}
