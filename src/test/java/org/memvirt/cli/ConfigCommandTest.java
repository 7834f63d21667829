package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.memvirt.report.Json;

/** memvirt config at the CLI: QEMU's stderr text with memvirt as the program name, exit status 1, no stack trace. */
class ConfigCommandTest {
    static final String HINT = "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
            + "and exabytes, respectively.\n";

    static MainTest.CliRun run(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "config";
        System.arraycopy(args, 0, all, 1, args.length);
        return MainTest.CliRun.of(all);
    }

    @Test
    void case12_fractionalBytesFailWithHint() {
        MainTest.CliRun r = run("-m", "1.5");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: -m 1.5: Parameter 'size' expects a non-negative number below 2^64\n"
                + HINT);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void negativeValueIsQemusErrorNotPicocli() {
        MainTest.CliRun r = run("-m", "-1");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: -m -1: Parameter 'size' expects a non-negative number below 2^64\n"
                + HINT);
    }

    @Test
    void case14_outOfRange() {
        MainTest.CliRun r = run("-m", "16E");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: -m 16E: Value '16E' is out of range for parameter 'size'\n");
    }

    @Test
    void shortFormBooleanWarningThenError() {
        MainTest.CliRun r = run("-m", "1,5G");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: -m 1,5G: warning: short-form boolean option '5G' deprecated\n"
                + "Please use 5G=on instead\n" + "memvirt: -m 1,5G: Invalid parameter '5G'\n");
    }

    @Test
    void case18_stage3ErrorHasNoLocation() {
        MainTest.CliRun r = run("-m", "1G,maxmem=512M");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: invalid value of maxmem: maximum memory size (0x20000000) must be at"
                + " least the initial memory size (0x40000000)\n");
    }

    @Test
    void case10_hexWarningOnStderrAndResult() throws Exception {
        MainTest.CliRun r = run("-m", "0x100", "--json");
        assertThat(r.rc()).isZero();
        assertThat(r.err()).isEqualTo("memvirt: warning: Using a multiplier suffix on hex numbers is deprecated: 0x100M\n");
        assertThat(Json.mapper().readTree(r.out()).get("ram_size").asLong()).isEqualTo(268435456L);
    }

    @Test
    void case27_jsonLayout() throws Exception {
        MainTest.CliRun r = run("-M", "pc", "-m", "8G", "--json");
        assertThat(r.rc()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("machine").asText()).isEqualTo("pc");
        assertThat(j.get("below_4g").asLong()).isEqualTo(0xC0000000L);
        assertThat(j.get("above_4g").asLong()).isEqualTo(0x140000000L);
        assertThat(j.get("above_4g_start").asLong()).isEqualTo(0x100000000L);
        assertThat(j.get("device_memory").isNull()).isTrue();
        assertThat(j.get("e820").get(2).get("end").asLong()).isEqualTo(0x240000000L);
        assertThat(j.get("backend").get("id").asText()).isEqualTo("pc.ram");
        assertThat(j.get("smp").asInt()).isEqualTo(1);
        assertThat(j.get("mem_merge").asBoolean()).isTrue();
    }

    @Test
    void case34_deviceMemoryInJson() throws Exception {
        JsonNode j = Json.mapper().readTree(run("-M", "q35", "-m", "8G,slots=4,maxmem=16G", "--json").out());
        assertThat(j.get("device_memory").get("base").asLong()).isEqualTo(0x280000000L);
        assertThat(j.get("device_memory").get("size").asLong()).isEqualTo(0x300000000L);
    }

    @Test
    void humanOutputListsE820LikeSeaBios() {
        MainTest.CliRun r = run("-m", "4G");
        assertThat(r.rc()).isZero();
        assertThat(r.out()).contains("  0: 0000000000000000 - 00000000c0000000 = 1 RAM\n",
                "  1: 00000000feffc000 - 00000000ff000000 = 2 RESERVED\n",
                "  2: 0000000100000000 - 0000000140000000 = 1 RAM\n",
                "  3: 000000fd00000000 - 0000010000000000 = 2 RESERVED\n");
    }

    @Test
    void case37_reservedBackendId() {
        MainTest.CliRun r = run("-object", "memory-backend-ram,id=pc.ram,size=1G");
        assertThat(r.rc()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("memvirt: object name 'pc.ram' is reserved for the default RAM backend, it can't"
                + " be used for any other purposes. Change the object's 'id' to something else\n");
    }

    @Test
    void qemuOptionsMixWithOwnOptions() throws Exception {
        MainTest.CliRun r = run("--json", "-smp", "2", "-m", "1G");
        assertThat(r.rc()).isZero();
        assertThat(Json.mapper().readTree(r.out()).get("smp").asInt()).isEqualTo(2);
    }

    @Test
    void theSeedsWholeCommandLineIsAccepted() throws Exception {
        MainTest.CliRun r = run("qemu-system-x86_64", "-enable-kvm", "-smp", "2", "-m", "4G", "rhel7.img", "-daemonize",
                "--json");
        assertThat(r.rc()).isEqualTo(0);
        assertThat(r.err()).isEmpty();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("ram_size").asLong()).isEqualTo(4L << 30);
        assertThat(j.get("smp").asInt()).isEqualTo(2);
        assertThat(j.get("other_args").toString()).isEqualTo("[\"-enable-kvm\",\"rhel7.img\",\"-daemonize\"]");
    }

    @Test
    void anUnknownOptionIsQemusInvalidOption() {
        MainTest.CliRun r = run("-m", "1.5", "-foo");
        assertThat(r.rc()).isEqualTo(2);                      // a usage error by docs/exit-codes.md (QEMU: 1)
        assertThat(r.err()).isEqualTo("memvirt: -foo: invalid option\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aMissingArgumentIsQemusRequiresAnArgument() {
        MainTest.CliRun r = run("-m", "4G", "-device");
        assertThat(r.rc()).isEqualTo(2);                      // a usage error by docs/exit-codes.md (QEMU: 1)
        assertThat(r.err()).isEqualTo("memvirt: -device: requires an argument\n");
    }
}
