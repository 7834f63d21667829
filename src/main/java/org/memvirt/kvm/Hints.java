package org.memvirt.kvm;

import org.memvirt.host.Errno;

/** What to check when a call fails, by call name. */
final class Hints {
    static String forOpen(String path, int errno) {
        if (!path.equals(Kvm.DEVICE)) return "";
        return switch (errno) {
            case Errno.ENOENT -> "no KVM on this host (is the kvm module loaded?)";
            case Errno.EACCES -> "is this user allowed to open the KVM device (root or group kvm)?";
            default -> "";
        };
    }

    static String forIoctl(String name) {
        return switch (name) {
            case "KVM_CREATE_VM" -> "is another hypervisor holding VT-x/AMD-V, or is memory short?";
            case "KVM_SET_USER_MEMORY_REGION" -> "memslot overlap or misaligned guest RAM";
            case "KVM_CREATE_VCPU" -> "more vCPUs than KVM_CAP_MAX_VCPUS?";
            default -> "";
        };
    }

    private Hints() {}
}
