package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The golden cases of QEMU 7.2.22 (reference §7, cases 1-37) and the rules behind them. */
class QemuArgsTest {
    static final String HINT = "\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
            + "and exabytes, respectively.";

    static MachineConfig parse(String... args) {
        return QemuArgs.parse(List.of(args));
    }

    static long ram(String... args) {
        return parse(args).layout().ramSize();
    }

    static ConfigException error(String... args) {
        return catchThrowableOfType(ConfigException.class, () -> QemuArgs.parse(List.of(args)));
    }

    @Test
    void case01_defaultIs128MiB() {
        assertThat(ram()).isEqualTo(134217728L);
        assertThat(parse().backend()).isEqualTo(new MemoryBackend("pc.ram", "memory-backend-ram", 134217728L,
                false, false, true, true, null, null));
    }

    @ParameterizedTest(name = "-m {0} = {1}")
    @CsvSource({"512, 536870912", "512M, 536870912", "512m, 536870912", "1.5G, 1610612736", "0, 134217728",
            "0x0, 134217728", "0.0, 134217728", "00, 134217728", "'', 134217728", "1k, 8192", "1B, 8192",
            "8191B, 8192", "1., 8192", "512b, 8192", "0.5k, 8192", "100k, 106496", "1.7M, 1785856",
            "0.1G, 107380736", "0.3G, 322125824", "1.333G, 1431298048", "3.999G, 4293894144", "1.0, 1048576",
            "0x100, 268435456", "0x1f, 8192", "0x1fM, 32505856", "08, 8388608", "010, 10485760", "1G, 1073741824",
            "1024K, 1048576", "12345, 12944670720", "18446744073709551615B, 0", "' 512', 536870912",
            "+512, 536870912"})
    void cases02to16_ramSize(String m, long expected) {
        assertThat(ram("-m", m)).isEqualTo(expected);
    }

    @Test
    void case10_hexWarnsOnceFromStage3() {
        assertThat(parse("-m", "0x100").warnings())
                .containsExactly("warning: Using a multiplier suffix on hex numbers is deprecated: 0x100M");
        assertThat(parse("-m", "0x1fM").warnings()).containsExactly(
                "-m 0x1fM: warning: Using a multiplier suffix on hex numbers is deprecated: 0x1fM",
                "warning: Using a multiplier suffix on hex numbers is deprecated: 0x1fM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-1G", "abc", "1X", "1GB", "512MB", ".5G", "1.5", "0.5", "1e3", "0x1.8G", "512 ",
            "size="})
    void cases12to13_notASize(String m) {
        assertThat(error("-m", m)).hasMessage("-m " + m + ": Parameter 'size' expects a non-negative number below 2^64"
                + HINT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16E", "17E", "18446744073709551616", "99999999999999999999"})
    void case14_outOfRange(String m) {
        assertThat(error("-m", m)).hasMessage("-m " + m + ": Value '" + m + "' is out of range for parameter 'size'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"17592186044416", "18446744073709551615"})
    void case15_stage3Rejects(String m) {
        assertThat(error("-m", m)).hasMessage("Parameter 'memory.size' expects size");
    }

    @Test
    void shortFormBooleanWarnsThenFails() {
        ConfigException e = error("-m", "1,5G");
        assertThat(e).hasMessage("-m 1,5G: Invalid parameter '5G'");
        assertThat(e.warnings()).containsExactly(
                "-m 1,5G: warning: short-form boolean option '5G' deprecated\nPlease use 5G=on instead");
    }

    @Test
    void cases17to24_maxmemAndSlots() {
        assertThat(error("-m", "1G,slots=2")).hasMessage("slots specified but no max-size");
        assertThat(error("-m", "1G,maxmem=512M")).hasMessage("invalid value of maxmem: maximum memory size "
                + "(0x20000000) must be at least the initial memory size (0x40000000)");
        assertThat(error("-m", "1G,slots=2,maxmem=1G")).hasMessage("invalid value of maxmem: memory slots were "
                + "specified but maximum memory size (0x40000000) is equal to the initial memory size (0x40000000)");
        assertThat(error("-m", "1000,slots=2,maxmem=1001")).hasMessage("invalid value of maxmem: maximum memory size "
                + "(0x3e9) must be at least the initial memory size (0x3e800000)");
        assertThat(error("-m", "1G,slots=257,maxmem=4G")).hasMessage("unsupported amount of memory slots: 257");
        assertThat(parse("-m", "1G,slots=256,maxmem=4G").layout().slots()).isEqualTo(256);
        assertThat(error("-m", "1G,slots=-1,maxmem=4G"))
                .hasMessage("unsupported amount of memory slots: 18446744073709551615");
        assertThat(error("-m", "1G,maxmem=1050625K,slots=1"))
                .hasMessage("maximum memory size must by aligned to multiple of 4096 bytes");
        assertThat(error("-m", "1G,foo=1")).hasMessage("-m 1G,foo=1: Invalid parameter 'foo'");
        assertThat(error("-m", "1G,id=x")).hasMessage("-m 1G,id=x: Invalid parameter 'id'");
        assertThat(parse("-m", "1G,slots=0x10,maxmem=2G").layout().slots()).isEqualTo(16);
        for (String bad : List.of("08", "abc", "1.5", "")) {
            assertThat(error("-m", "1G,slots=" + bad + ",maxmem=4G"))
                    .hasMessage("-m 1G,slots=" + bad + ",maxmem=4G: Parameter 'slots' expects a number");
        }
        assertThat(error("-m", "1G,slots=18446744073709551616,maxmem=2G")).hasMessage(
                "-m 1G,slots=18446744073709551616,maxmem=2G: Value '18446744073709551616' is too large for parameter 'slots'");
        assertThat(error("-m", "1G,maxmem=abc"))
                .hasMessage("-m 1G,maxmem=abc: Parameter 'maxmem' expects a non-negative number below 2^64" + HINT);
        assertThat(parse("-m", "1G,maxmem=2G").layout().maxram()).isEqualTo(2L << 30);
        assertThat(parse("-m", "1G,maxmem=1G").layout().deviceMemory()).isNull();
    }

    @Test
    void repeatedMMergesLastWins() {
        assertThat(ram("-m", "size=2G,size=1G")).isEqualTo(1L << 30);
        assertThat(ram("-m", "1G", "-m", "2G")).isEqualTo(2L << 30);
        MemoryLayout l = parse("-m", "1G", "-m", "maxmem=4G,slots=2").layout();
        assertThat(l.ramSize()).isEqualTo(1L << 30);
        assertThat(l.maxram()).isEqualTo(4L << 30);
        assertThat(ram("-m", "2G", "-machine", "memory.size=1G")).isEqualTo(2L << 30);
        assertThat(ram("-machine", "memory.size=1G")).isEqualTo(1L << 30);
    }

    @Test
    void physBitsLimit() {
        assertThat(error("-m", "1G,maxmem=1T,slots=4"))
                .hasMessage("Address space limit 0xffffffffff < 0x2013fffffff phys-bits too low (40)");
    }

    @Test
    void amdRelocatesHighRamAbove1TiBUnderKvm() {
        // checked against qemu-system-x86_64 7.2 -accel kvm on an AMD host (info mtree)
        MemoryLayout l = layout("-m", "4G,slots=1,maxmem=1010G", "-cpu", "qemu64,phys-bits=42");
        assertThat(l.aboveFourGStart()).isEqualTo(0x10000000000L);
        assertThat(l.deviceMemory()).isEqualTo(new DeviceMemory(0x10040000000L, 0x1fc00000000L - 0x10040000000L));
        assertThat(layout("-m", "4G,slots=1,maxmem=1010G", "-cpu", "Skylake-Client,phys-bits=42").aboveFourGStart())
                .isEqualTo(0x10000000000L);                                 // KVM copies the host vendor
        assertThat(layout("-M", "pc-i440fx-7.0", "-m", "4G,slots=1,maxmem=1010G", "-cpu", "qemu64,phys-bits=42")
                .aboveFourGStart()).isEqualTo(0x100000000L);                 // enforce_amd_1tb_hole from 7.1
        assertThat(layout("-m", "4G,slots=1,maxmem=1010G", "-cpu", "qemu64,phys-bits=42,vendor=GenuineIntel")
                .aboveFourGStart()).isEqualTo(0x100000000L);
    }

    @Test
    void oldMachineWithoutReservedMemory() {
        ConfigException e = error("-M", "pc-i440fx-2.0", "-m", "1G,slots=2,maxmem=4G");
        assertThat(e).hasMessage("\"-memory 'slots|maxmem'\" is not supported by: pc-i440fx-2.0");
    }

    static MemoryLayout layout(String... args) {
        return parse(args).layout();
    }

    @ParameterizedTest(name = "{0} -m {1}: {2} / {3}")
    @CsvSource({"pc, 3583M, 0xDFF00000, 0", "pc, 3584M, 0xC0000000, 0x20000000", "pc, 3G, 0xC0000000, 0",
            "pc, 8G, 0xC0000000, 0x140000000", "q35, 2815M, 0xAFF00000, 0", "q35, 2816M, 0x80000000, 0x30000000",
            "q35, 4G, 0x80000000, 0x80000000", "q35, 3G, 0x80000000, 0x40000000", "pc-i440fx-1.7, 4G, 0xE0000000, 0x20000000",
            "'pc,max-ram-below-4g=2G', 4G, 0x80000000, 0x80000000", "microvm, 3G, 0xC0000000, 0",
            "microvm, 4G, 0xC0000000, 0x40000000", "'q35,max-ram-below-4g=1.5G', 4G, 0x60000000, 0xA0000000"})
    void cases25to32_split(String machine, String m, String below, String above) {
        MemoryLayout l = layout("-M", machine, "-m", m);
        assertThat(l.belowFourG()).isEqualTo(Long.decode(below));
        assertThat(l.aboveFourG()).isEqualTo(Long.decode(above));
        assertThat(l.aboveFourGStart()).isEqualTo(1L << 32);
    }

    @Test
    void case27_e820UnderKvmWithAmdHole() {
        assertThat(layout("-M", "pc", "-m", "8G").e820()).containsExactly(
                new E820Entry(0, 0xC0000000L, "ram"),
                new E820Entry(0xFEFFC000L, 0xFF000000L, "reserved"),
                new E820Entry(0x100000000L, 0x240000000L, "ram"),
                new E820Entry(0xFD00000000L, 0x10000000000L, "reserved"));
        assertThat(layout("-cpu", "Skylake-Client,vendor=GenuineIntel", "-m", "1G").e820()).containsExactly(
                new E820Entry(0, 0x40000000L, "ram"),
                new E820Entry(0xFEFFC000L, 0xFF000000L, "reserved"));
    }

    @Test
    void case31_maxRamBelow4gAbove4G() {
        assertThat(error("-M", "pc,max-ram-below-4g=5G"))
                .hasMessage("Machine option 'max-ram-below-4g=5368709120' expects size less than or equal to 4G");
        assertThat(parse("-M", "pc,max-ram-below-4g=512K").warnings()).containsExactly(
                "warning: Only 524288 bytes of RAM below the 4GiB boundary,BIOS may not work with less than 1MiB",
                "warning: Large machine and max_ram_below_4g (524288) not a multiple of 1G; possible bad performance.");
        assertThat(parse("-M", "q35,max-ram-below-4g=1.5G", "-m", "4G").warnings()).containsExactly(
                "warning: There is possibly poor performance as the ram size  (0x100000000) is more then twice the"
                        + " size of max-ram-below-4g (1610612736) and max-ram-below-4g is not a multiple of 1G.");
    }

    @Test
    void case32_deprecatedMachineWarns() {
        assertThat(parse("-M", "pc-i440fx-1.7", "-m", "4G").warnings()).containsExactly(
                "warning: Machine type 'pc-i440fx-1.7' is deprecated: old and unattended - use a newer version instead");
    }

    @Test
    void cases33to34_deviceMemory() {
        assertThat(layout("-m", "1G,slots=2,maxmem=4G").deviceMemory())
                .isEqualTo(new DeviceMemory(0x100000000L, 0x140000000L));
        assertThat(layout("-M", "q35", "-m", "8G,slots=4,maxmem=16G").deviceMemory())
                .isEqualTo(new DeviceMemory(0x280000000L, 0x300000000L));
    }

    @Test
    void cases35to37_backends() {
        assertThat(error("-object", "memory-backend-ram,id=m0,size=1G", "-M", "memory-backend=m0", "-m", "2G"))
                .hasMessage("Machine memory size does not match the size of the memory backend");
        MachineConfig c = parse("-object", "memory-backend-ram,id=m0,size=100", "-M", "memory-backend=m0");
        assertThat(c.layout().ramSize()).isEqualTo(100);
        assertThat(c.backend().id()).isEqualTo("m0");
        assertThat(error("-object", "memory-backend-ram,id=pc.ram,size=1G")).hasMessage("object name 'pc.ram' is "
                + "reserved for the default RAM backend, it can't be used for any other purposes. Change the object's"
                + " 'id' to something else");
        assertThat(error("-M", "memory-backend=m1")).hasMessage("Memory backend 'm1' not found");
        assertThat(error("-object", "memory-backend-ram,id=m0,size=1G", "-M", "memory-backend=m0", "-mem-path", "/x"))
                .hasMessage("'-mem-path' can't be used together with'-machine memory-backend'");
        assertThat(error("-object", "memory-backend-ram,id=m0,size=0"))
                .hasMessage("property 'size' of memory-backend-ram doesn't take value '0'");
        assertThat(error("-object", "memory-backend-ram,id=m0,size=1.5"))
                .hasMessage("-object memory-backend-ram,id=m0,size=1.5: Parameter 'size' expects a size value");
        assertThat(error("-object", "memory-backend-ram,id=m0,size=1G,prealloc=on,reserve=off"))
                .hasMessage("'prealloc=on' and 'reserve=off' are incompatible");
        assertThat(error("-object", "memory-backend-file,id=m0,size=1G"))
                .hasMessage("-object memory-backend-file,id=m0,size=1G: Parameter 'mem-path' is missing");
        assertThat(error("-M", "mem-merge=maybe")).hasMessage("Parameter 'mem-merge' expects 'on' or 'off'");
    }

    @Test
    void backendDefaults() {
        MachineConfig memfd = parse("-object", "memory-backend-memfd,id=m0,size=1G", "-M",
                "memory-backend=m0,mem-merge=off", "-mem-prealloc");
        assertThat(memfd.backend()).isEqualTo(new MemoryBackend("m0", "memory-backend-memfd", 1L << 30, true, true,
                true, false, null, false));
        assertThat(memfd.memMerge()).isFalse();
        assertThat(parse("-mem-path", "/dev/hugepages", "-m", "1G").backend()).isEqualTo(new MemoryBackend("pc.ram",
                "memory-backend-file", 1L << 30, false, false, true, true, "/dev/hugepages", null));
        assertThat(parse("-M", "microvm").backend().id()).isEqualTo("microvm.ram");
    }

    @Test
    void smp() {
        assertThat(parse().smp()).isEqualTo(1);
        assertThat(parse("-smp", "4").smp()).isEqualTo(4);
        assertThat(parse("-smp", "sockets=2,cores=3").smp()).isEqualTo(6);
        assertThat(parse("-smp", "1,maxcpus=2").smp()).isEqualTo(1);
        MachineConfig zero = parse("-smp", "0");                       // QEMU 7.2: deprecated, treated as omitted
        assertThat(zero.smp()).isEqualTo(1);
        assertThat(zero.warnings()).containsExactly("warning: Deprecated CPU topology (considered invalid): CPU"
                + " topology parameters must be greater than zero");
        assertThat(error("-smp", "x")).hasMessage("Parameter 'smp.cpus' expects integer");
        assertThat(error("-smp", "1,foo=2")).hasMessage("Parameter 'smp.foo' is unexpected");
        assertThat(error("-smp", "1,x")).hasMessage("-smp 1,x: Expected '=' after parameter 'x'");
        assertThat(error("-smp", "256")).hasMessage("Invalid SMP CPUs 256. The max CPUs supported by machine "
                + "'pc-i440fx-7.2' is 255");
        assertThat(error("-smp", "-1")).hasMessage("Invalid SMP CPUs -1. The max CPUs supported by machine "
                + "'pc-i440fx-7.2' is 255");
        assertThat(error("-smp", "4,maxcpus=2")).hasMessage("Invalid CPU topology: maxcpus must be equal to or greater"
                + " than smp: sockets (1) * dies (1) * cores (2) * threads (1) == maxcpus (2) < smp_cpus (4)");
        assertThat(error("-smp", "5,sockets=2")).hasMessage("Invalid CPU topology: product of the hierarchy must match"
                + " maxcpus: sockets (2) * dies (1) * cores (2) * threads (1) != maxcpus (5)");
        ConfigException kvm = catchThrowableOfType(ConfigException.class,
                () -> QemuArgs.parse(List.of("-smp", "4"), 2));
        assertThat(kvm).hasMessage("Number of SMP cpus requested (4) exceeds the maximum cpus supported by KVM (2)");
        assertThat(kvm.warnings()).containsExactly(
                "warning: Number of SMP cpus requested (4) exceeds the recommended cpus supported by KVM (2)");
        assertThat(QemuArgs.parse(List.of("-smp", "4"), 2, 1024).warnings()).containsExactly(
                "warning: Number of SMP cpus requested (4) exceeds the recommended cpus supported by KVM (2)",
                "warning: Number of hotpluggable cpus requested (4) exceeds the recommended cpus supported by KVM (2)");
    }

    @Test
    void commandLineShape() {
        assertThat(error("-m")).hasMessage("-m: requires an argument");
        assertThat(error("-foo")).hasMessage("-foo: invalid option");
        assertThat(error("-M", "isapc")).hasMessage("unsupported machine type\nUse -machine help to list supported machines");
        assertThat(error("-M", "pc,foo=1")).hasMessage("Property 'pc-i440fx-7.2-machine.foo' not found");
    }
}
