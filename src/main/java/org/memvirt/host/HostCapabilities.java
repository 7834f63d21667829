package org.memvirt.host;

import java.util.List;

/**
 * Everything host-check knows about a host, read once: the answer to "is KVM usable", "what MMU mode do guests
 * get", "how many vCPUs", and the memory, KSM, THP, swap and huge page state. All sizes are bytes.
 */
public record HostCapabilities(CpuSummary cpu, Virtualization virtualization, KvmStatus kvm, HostMmu mmu,
                               KvmModules kvmModules, KsmState ksm, ThpState thp, HugePages hugePages,
                               long swapTotalBytes, List<SwapArea> swapDevices, FreeMemory memory) {

    /** This host (or the one {@link HostEnv} names), probing its /dev/kvm. */
    public static HostCapabilities read() {
        HostRoot root = HostEnv.root();
        HostEnv.qemuVeto();                                  // a malformed MEMVIRT_QEMU is refused before any work
        return read(root, HostEnv.kvmProbe(root));
    }

    /** The host under {@code root}; {@code probe} answers for {@code root}/dev/kvm. */
    public static HostCapabilities read(HostRoot root, KvmProbe probe) {
        CpuInfo cpu = CpuInfo.read(root);
        MemInfo meminfo = MemInfo.read(root);
        List<SwapArea> swaps = SwapArea.read(root);
        return new HostCapabilities(CpuSummary.of(cpu), Virtualization.read(root, cpu),
                KvmStatus.of(probe.probe(root.resolve(KvmStatus.DEV_KVM))), HostMmu.decide(root, cpu),
                KvmModules.read(root), KsmState.read(root), ThpState.read(root), HugePages.read(root, meminfo),
                meminfo.swapTotal(), swaps,
                meminfo.free());
    }

    /** The MMU mode guests get: the default for an engine's --mmu. */
    public MmuMode mmuMode() {
        return mmu.mode();
    }

    public boolean kvmUsable() {
        return kvm.usable();
    }

    /** The hard vCPU limit for -smp validation (0 when KVM is not usable). */
    public int maxVcpus() {
        return kvm.vcpuLimit();
    }

    public long memTotalBytes() {
        return memory.total();
    }

    public boolean swapConfigured() {
        return swapTotalBytes > 0 || !swapDevices.isEmpty();
    }
}
