package org.memvirt.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the KVM device answered, flattened for reports. KVM is {@code usable} when the device opens O_RDWR,
 * reports API version 12, offers every cap QEMU requires and creates a VM; cpuinfo flags play no part.
 * Numbers are null when the device did not open; {@code createVmErrno} is null when KVM_CREATE_VM succeeded.
 */
public record KvmStatus(String device, boolean exists, boolean accessible, String openError, boolean usable,
                        Integer apiVersion, Integer vcpuMmapSize, Integer nrVcpus, Integer maxVcpus,
                        Integer maxVcpuId, Integer nrMemslots, List<String> missingCaps, Map<String, Integer> caps,
                        Integer createVmErrno) {
    public static final int KVM_API_VERSION = 12;         // linux include/uapi/linux/kvm.h KVM_API_VERSION
    public static final String DEV_KVM = "/dev/kvm";

    static KvmStatus of(KvmProbe.Result result) {
        return switch (result) {
            case KvmProbe.Result.Absent() -> closed(false, Errno.ENOENT);
            case KvmProbe.Result.OpenFailed(int errno) -> closed(true, errno);
            case KvmProbe.Result.Opened opened -> opened(opened);
        };
    }

    private static KvmStatus closed(boolean exists, int errno) {
        return new KvmStatus(DEV_KVM, exists, false, errnoText(errno), false, null, null, null, null, null, null,
                List.of(), Map.of(), null);
    }

    private static KvmStatus opened(KvmProbe.Result.Opened o) {
        List<String> missing = new ArrayList<>();
        Map<String, Integer> caps = new LinkedHashMap<>();
        for (KvmCap cap : KvmCap.values()) {
            caps.put(cap.kvmName(), o.cap(cap));
            if (cap.requiredByQemu() && o.cap(cap) == 0) {
                missing.add(cap.kvmName());
            }
        }
        Integer createVmErrno = o.createVmErrno() == 0 ? null : o.createVmErrno();
        boolean usable = o.apiVersion() == KVM_API_VERSION && missing.isEmpty() && createVmErrno == null;
        return new KvmStatus(DEV_KVM, true, true, null, usable, o.apiVersion(), o.vcpuMmapSize(),
                o.cap(KvmCap.NR_VCPUS), o.cap(KvmCap.MAX_VCPUS), o.cap(KvmCap.MAX_VCPU_ID),
                o.cap(KvmCap.NR_MEMSLOTS), List.copyOf(missing), caps, createVmErrno);
    }

    static String errnoText(int errno) {
        return Errno.name(errno) + " (" + errno + "): " + Errno.message(errno);
    }

    /**
     * The vCPU limit QEMU enforces: KVM_CAP_MAX_VCPUS, or KVM_CAP_NR_VCPUS when MAX_VCPUS is 0, or 4 when both are
     * (kvm.h: "if KVM_CAP_NR_VCPUS is absent, 4 should be assumed"); 0 when KVM is not usable.
     */
    public int vcpuLimit() {
        if (!usable) {
            return 0;
        }
        if (maxVcpus != null && maxVcpus > 0) {
            return maxVcpus;
        }
        return nrVcpus != null && nrVcpus > 0 ? nrVcpus : 4;
    }
}
