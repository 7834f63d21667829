package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

class HostCapabilitiesTest {

    @Test
    void intelWithEptAndVpidGivesEpt() {
        HostCapabilities h = Fixtures.host(Fixtures.INTEL_EPT);
        assertThat(h.virtualization()).isEqualTo(new Virtualization("vmx", false, "kvm_intel"));
        assertThat(h.mmu()).isEqualTo(new HostMmu(MmuMode.EPT, "kvm_intel parameters", true, true, true, true, false, false,
                true));
        assertThat(h.kvmUsable()).isTrue();
        assertThat(h.maxVcpus()).isEqualTo(1024);
        assertThat(h.cpu().virtFlags()).containsExactly("vmx", "ept", "vpid", "ept_ad", "unrestricted_guest",
                "flexpriority", "tpr_shadow", "vnmi");
        assertThat(h.cpu().cpus()).isEqualTo(4);
        assertThat(h.swapTotalBytes()).isEqualTo(8388604L * 1024);
        assertThat(h.swapDevices()).containsExactly(
                new SwapArea("/dev/sda2", "partition", 8388604L * 1024, 0, -2));
        assertThat(h.hugePages()).isEqualTo(new HugePages(2L << 20, 512, 512, 0, 0, List.of(
                new HugePages.Pool(2L << 20, 512, 512), new HugePages.Pool(1L << 30, 0, 0))));
        assertThat(h.hugePages().totalBytes()).isEqualTo(1L << 30);
    }

    @Test
    void intelWithEptOffGivesShadow() {
        HostCapabilities h = Fixtures.host(Fixtures.INTEL_EPT_OFF);
        assertThat(h.mmuMode()).isEqualTo(MmuMode.SHADOW);
        assertThat(h.mmu()).isEqualTo(new HostMmu(MmuMode.SHADOW, "kvm_intel parameters", false, false, false, false, false,
                false, false));
        assertThat(h.cpu().virtFlags()).contains("ept", "vpid");       // the hardware has them; KVM does not use them
        assertThat(h.kvmUsable()).isTrue();
        assertThat(h.swapConfigured()).isFalse();
    }

    @Test
    void amdWithNptGivesNpt() {
        HostCapabilities h = Fixtures.host(Fixtures.AMD_NPT);
        assertThat(h.virtualization()).isEqualTo(new Virtualization("svm", false, "kvm_amd"));
        assertThat(h.mmu()).isEqualTo(new HostMmu(MmuMode.NPT, "kvm_amd parameters", false, false, false, false, true, true,
                true));
        assertThat(h.ksm().merging()).isTrue();
        assertThat(h.ksm().pagesToScan()).isEqualTo(5000L);
        assertThat(h.ksm().pagesSharing()).isEqualTo(15184L);
        assertThat(h.thp()).isEqualTo(new ThpState("always", "madvise"));
        assertThat(h.swapDevices()).containsExactly(
                new SwapArea("/swapfile", "file", 4194300L * 1024, 1048576L * 1024, -2));
        assertThat(h.memory().swapUsed()).isEqualTo(1048576L * 1024);
    }

    /** A kvm_pvm host like host A of docs/HOST-FACTS.md: the machines memvirt is developed on. */
    @Test
    void pvmMirrorsTheseMachines() {
        HostCapabilities h = Fixtures.host(Fixtures.PVM);
        assertThat(h.virtualization()).isEqualTo(new Virtualization(null, true, "kvm_pvm"));
        assertThat(h.mmu()).isEqualTo(new HostMmu(MmuMode.SHADOW, "kvm_pvm", false, false, false, false, false, false, false));
        assertThat(h.cpu()).isEqualTo(new CpuSummary("AuthenticAMD", "AMD EPYC", 2, true,
                List.of("hypervisor", "vmmcall")));
        KvmStatus k = h.kvm();
        assertThat(k.usable()).isTrue();
        assertThat(k.apiVersion()).isEqualTo(12);
        assertThat(k.vcpuMmapSize()).isEqualTo(12288);
        assertThat(k.nrVcpus()).isEqualTo(2);
        assertThat(k.maxVcpus()).isEqualTo(1024);
        assertThat(k.maxVcpuId()).isEqualTo(4096);
        assertThat(k.nrMemslots()).isEqualTo(32764);
        assertThat(k.caps()).containsEntry("KVM_CAP_X86_SMM", 0).containsEntry("KVM_CAP_MULTI_ADDRESS_SPACE", 0)
                .containsEntry("KVM_CAP_IRQ_ROUTING", 4096).containsEntry("KVM_CAP_DIRTY_LOG_RING", 1048576);
        assertThat(k.missingCaps()).isEmpty();
        assertThat(h.maxVcpus()).isEqualTo(1024);
        assertThat(h.ksm().run()).isZero();
        assertThat(h.ksm().maxPageSharing()).isEqualTo(256L);
        assertThat(h.ksm().advisorMode()).isEqualTo("none");
        assertThat(h.thp()).isEqualTo(new ThpState("madvise", "madvise"));
        assertThat(h.swapConfigured()).isFalse();
        assertThat(h.memTotalBytes()).isEqualTo(24683652L * 1024);
        assertThat(h.kvmModules().parameters()).containsOnlyKeys("kvm", "kvm_pvm");
        assertThat(h.kvmModules().parameters().get("kvm_pvm")).containsEntry("pvm_native", "Y")
                .containsEntry("hb_mask", "8388607").hasSize(11);
        assertThat(h.kvmModules().parameters().get("kvm")).containsEntry("tdp_mmu", "N");
    }

    @Test
    void noKvmIsNotUsableAndPredictsShadowFromFlags() {
        HostCapabilities h = Fixtures.host(Fixtures.NO_KVM);
        assertThat(h.virtualization()).isEqualTo(new Virtualization(null, false, null));
        assertThat(h.kvm()).isEqualTo(new KvmStatus("/dev/kvm", false, false,
                "ENOENT (2): No such file or directory", false, null, null, null, null, null, null, List.of(),
                java.util.Map.of(), null));
        assertThat(h.maxVcpus()).isZero();
        assertThat(h.mmu()).isEqualTo(new HostMmu(MmuMode.SHADOW, "no KVM vendor module and no vmx/svm flags", false, false,
                false, false, false, false, null));
        assertThat(h.thp()).isEqualTo(new ThpState("never", "never"));
    }

    @Test
    void deniedDeviceExistsButIsNotAccessible() {
        KvmStatus k = Fixtures.host(Fixtures.KVM_DENIED).kvm();
        assertThat(k.exists()).isTrue();
        assertThat(k.accessible()).isFalse();
        assertThat(k.usable()).isFalse();
        assertThat(k.openError()).isEqualTo("EACCES (13): Permission denied");
    }

    @Test
    void vmxWithoutVendorModulePredictsEptFromFlags() {
        HostRoot root = Fixtures.root(Fixtures.INTEL_EPT);
        CpuInfo cpu = CpuInfo.read(root);
        HostMmu mmu = HostMmu.decide(Fixtures.root(Fixtures.NO_KVM), cpu);   // a tree with no kvm modules, an EPT CPU
        assertThat(mmu).isEqualTo(new HostMmu(MmuMode.EPT, "cpuinfo flags (kvm_intel not loaded)", true, true, true,
                true, false, false, null));
        assertThat(mmu.description()).isEqualTo("Intel EPT");
    }

    /** What the kvm engine prints and reports as its MMU, read from the same facts as host-check's. */
    @Test
    void engineDescriptionAndTlbTaggingFollowTheModules() {
        assertThat(mmuOf(Fixtures.INTEL_EPT)).containsExactly("Intel EPT", true);
        assertThat(mmuOf(Fixtures.INTEL_EPT_OFF)).containsExactly("Intel VMX, shadow paging", false);
        assertThat(mmuOf(Fixtures.AMD_NPT)).containsExactly("AMD NPT", true);          // ASIDs: no vpid parameter on SVM
        assertThat(mmuOf(Fixtures.PVM)).containsExactly("kvm_pvm, shadow paging", false);
        assertThat(mmuOf(Fixtures.NO_KVM)).containsExactly("no VMX/SVM flag, shadow paging", false);
    }

    private static List<Object> mmuOf(String fixture) {
        HostMmu m = HostMmu.read(Fixtures.root(fixture));
        return List.of(m.description(), m.tlbTagged());
    }

    @Test
    void maxVcpusFallsBackToNrVcpusThenFour() {
        KvmStatus onlyNr = KvmStatus.of(new KvmProbe.Result.Opened(12, 12288, allRequired(KvmCap.NR_VCPUS, 8), 0));
        assertThat(onlyNr.vcpuLimit()).isEqualTo(8);
        KvmStatus neither = KvmStatus.of(new KvmProbe.Result.Opened(12, 12288, allRequired(KvmCap.SYNC_MMU, 1), 0));
        assertThat(neither.vcpuLimit()).isEqualTo(4);
    }

    static java.util.Map<KvmCap, Integer> allRequired(KvmCap extra, int value) {
        java.util.Map<KvmCap, Integer> caps = new java.util.EnumMap<>(KvmCap.class);
        for (KvmCap c : KvmCap.values()) {
            if (c.requiredByQemu()) {
                caps.put(c, 1);
            }
        }
        caps.put(extra, value);
        return caps;
    }
}
