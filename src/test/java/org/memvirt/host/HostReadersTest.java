package org.memvirt.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

class HostReadersTest {

    @Test
    void cpuinfoFlagsAndVmxFlags() {
        CpuInfo cpu = CpuInfo.parse("""
                processor\t: 0
                vendor_id\t: GenuineIntel
                model name\t: Xeon
                flags\t\t: fpu vmx  ept vpid
                vmx flags\t: ept vpid unrestricted_guest ept_ad

                processor\t: 1
                vendor_id\t: GenuineIntel
                flags\t\t: fpu vmx ept vpid
                """);
        assertThat(cpu.vendor()).isEqualTo("GenuineIntel");
        assertThat(cpu.modelName()).isEqualTo("Xeon");
        assertThat(cpu.cpus()).isEqualTo(2);
        assertThat(cpu.flags()).containsExactlyInAnyOrder("fpu", "vmx", "ept", "vpid");
        assertThat(cpu.hardwareVirtualization()).isEqualTo("vmx");
        assertThat(cpu.has("unrestricted_guest")).isTrue();
        assertThat(cpu.has("svm")).isFalse();
    }

    @Test
    void svmWithoutVmxAndNeither() {
        assertThat(CpuInfo.parse("flags : fpu svm npt\n").hardwareVirtualization()).isEqualTo("svm");
        assertThat(CpuInfo.parse("flags : fpu hypervisor vmmcall\n").hardwareVirtualization()).isNull();
        assertThat(CpuInfo.parse("flags : fpu svmx\n").hardwareVirtualization()).isNull();   // tokens, not substrings
    }

    @Test
    void meminfoFieldsInBytesAndCounts() {
        MemInfo m = MemInfo.parse("""
                MemTotal:       24683652 kB
                MemAvailable:   24322476 kB
                HugePages_Total:       3
                Hugepagesize:       2048 kB
                """);
        assertThat(m.memTotal()).isEqualTo(24683652L * 1024);
        assertThat(m.memAvailable()).isEqualTo(24322476L * 1024);
        assertThat(m.count("HugePages_Total")).isEqualTo(3);
        assertThat(m.memFree()).isZero();
        assertThat(m.has("MemFree")).isFalse();
        assertThat(HugePages.read(Fixtures.root(Fixtures.NO_KVM), m).totalBytes()).isEqualTo(6L << 20);
    }

    @Test
    void golden42_meminfoGivesFree() {
        MemInfo m = MemInfo.read(Fixtures.root(Fixtures.PVM));
        assertThat(m.free()).isEqualTo(FreeMemoryTest.CASE_42);           // free -m: used 352, buff/cache 261 MiB
    }

    @Test
    void badMeminfoLineIsAOneLineError() {
        assertThatThrownBy(() -> MemInfo.parse("MemTotal: lots kB\n")).isInstanceOf(HostException.class)
                .hasMessage("bad /proc/meminfo line: 'MemTotal: lots kB'");
    }

    @Test
    void thpBracketedChoice() {
        assertThat(HostRoot.bracketed("always [madvise] never")).isEqualTo("madvise");
        assertThat(HostRoot.bracketed("[always] madvise never")).isEqualTo("always");
        assertThat(HostRoot.bracketed("never")).isEqualTo("never");
    }

    @Test
    void procSwapsSkipsHeader() {
        assertThat(SwapArea.parse("""
                Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
                /swapfile                               file\t\t1048572\t\t512\t\t-2
                """)).containsExactly(new SwapArea("/swapfile", "file", 1048572L * 1024, 512L * 1024, -2));
        assertThat(SwapArea.parse("Filename\tType\tSize\tUsed\tPriority\n")).isEmpty();
    }

    @Test
    void moduleFlagsReadYNAndOneZero() {
        assertThat(HostRoot.parseFlag("Y")).isTrue();
        assertThat(HostRoot.parseFlag("1")).isTrue();
        assertThat(HostRoot.parseFlag("N")).isFalse();
        assertThat(HostRoot.parseFlag("0")).isFalse();
        HostRoot amd = Fixtures.root(Fixtures.AMD_NPT);
        assertThat(amd.moduleFlag("kvm_amd", "npt")).hasValue(true);
        assertThat(amd.moduleFlag("kvm_amd", "avic")).hasValue(false);
        assertThat(amd.moduleFlag("kvm_amd", "no_such")).isEmpty();
        assertThat(amd.moduleLoaded("kvm_intel")).isFalse();
    }

    @Test
    void rootMustBeADirectory() {
        assertThatThrownBy(() -> new HostRoot(Path.of("/no/such/root"))).isInstanceOf(HostException.class)
                .hasMessage("host root /no/such/root is not a directory");
    }
}
