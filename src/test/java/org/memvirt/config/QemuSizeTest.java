package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class QemuSizeTest {

    static long bytes(String text) {
        return ((QemuSize.Bytes) QemuSize.strtosz(text, QemuSize.BYTES)).bytes();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '=', value = {
            "512 = 512", "' 512' = 512", "+512 = 512", "512M = 536870912", "512m = 536870912", "1G = 1073741824",
            "1g = 1073741824", "1024K = 1048576", "1.5G = 1610612736", "1.0 = 1", "1. = 1", "1.M = 1048576",
            "0x100 = 256", "0x1f = 31", "0X1F = 31", "08 = 8", "010 = 10", "0.1G = 107374182", "0.3G = 322122547",
            "1.7M = 1782579", "100k = 102400", "0.5k = 512", "1.5e = 1729382256910270464",
            "18446744073709551615 = -1", "18446744073709551615B = -1", "15E = -1152921504606846976",
            "0x0 = 0", "0.0 = 0", "00 = 0", "1.e = 1152921504606846976"})
    void acceptsWhatQemuAccepts(String text, long expected) {
        assertThat(bytes(text)).isEqualTo(expected);
    }

    @Test
    void fractionRoundsHalfUpIn64x64FixedPoint() {
        // 0.5 byte of a KiB fraction: 1.0005k = 1024.512 -> 1025; 0.0004882812k = 0.4999999... -> 0
        assertThat(bytes("1.0005k")).isEqualTo(1025);
        assertThat(bytes("0.00048828125k")).isEqualTo(1);       // exactly 0.5 byte rounds up
        assertThat(bytes("0.00048828124k")).isEqualTo(0);
        assertThat(bytes("1.333G")).isEqualTo(1431297851L);     // 1.333 * 2^30 = 1431297851.39
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "-1G", "abc", "1X", "1GB", "512MB", ".5G", "1.5", "0.5", "1e3", "0x1.8G", "512 ",
            "", " ", "+", "-0", "0x", "0xg", "00x5", "1.5e3", "1.5e+", "1..5", "0x1fMx", "99999999999999999999M",
            "1,5G", "1 G", "- 1", "+-1", "1.0000001"})
    void rejectsWhatQemuRejects(String text) {
        assertThat(QemuSize.strtosz(text, QemuSize.BYTES)).isInstanceOf(QemuSize.Invalid.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"16E", "17E", "18446744073709551616", "99999999999999999999", "-99999999999999999999",
            "0x10000000000000000", "16384P"})
    void outOfRangeIsItsOwnError(String text) {
        assertThat(QemuSize.strtosz(text, QemuSize.BYTES)).isInstanceOf(QemuSize.OutOfRange.class);
    }

    @Test
    void hexWithSuffixWarnsWithTheWholeInput() {
        assertThat(QemuSize.strtosz("0x1fM", QemuSize.BYTES))
                .isEqualTo(new QemuSize.Bytes(31L << 20, List.of("Using a multiplier suffix on hex numbers is deprecated: 0x1fM")));
        assertThat(QemuSize.strtosz("0x1fMx", QemuSize.BYTES))
                .isEqualTo(new QemuSize.Invalid(List.of("Using a multiplier suffix on hex numbers is deprecated: 0x1fMx")));
        assertThat(QemuSize.strtosz("0x1B", QemuSize.BYTES)).isEqualTo(new QemuSize.Bytes(27, List.of())); // B is a hex digit
    }

    @Test
    void mebibyteDefaultScalesBareNumbers() {
        assertThat(QemuSize.strtosz("1.5", QemuSize.MEBIBYTES)).isEqualTo(new QemuSize.Bytes(1572864, List.of()));
        assertThat(QemuSize.strtosz("1", QemuSize.MEBIBYTES)).isEqualTo(new QemuSize.Bytes(1L << 20, List.of()));
        assertThat(QemuSize.strtosz("1b", QemuSize.MEBIBYTES)).isEqualTo(new QemuSize.Bytes(1, List.of()));
        assertThat(QemuSize.strtosz("17592186044416", QemuSize.MEBIBYTES)).isInstanceOf(QemuSize.OutOfRange.class);
    }

    @Test
    void quirksFollowQemuNotIntuition() {
        assertThat(bytes("1.00000000000000000001")).isEqualTo(1);          // fraction below 2^-64 truncates to 0
        assertThat(bytes("1.99999999999999999999G")).isEqualTo(1L << 30);   // strtod rounds to 1.0; (uint64_t)2^64 = 0 on x86-64
        assertThat(bytes("1." + "0".repeat(400) + "1MG")).isEqualTo(1L << 30); // strtod ERANGE: QEMU skips the M
        assertThat(bytes("1." + "0".repeat(400) + "1M")).isEqualTo(1);
    }

    @Test
    void parseOptionGivesQemusMessages() {
        List<String> warnings = new ArrayList<>();
        assertThatThrownBy(() -> QemuSize.parseOption("size", "1.5", warnings))
                .hasMessage("Parameter 'size' expects a non-negative number below 2^64\n"
                        + "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
                        + "and exabytes, respectively.");
        assertThatThrownBy(() -> QemuSize.parseOption("size", "16E", warnings))
                .hasMessage("Value '16E' is out of range for parameter 'size'");
        assertThat(QemuSize.parseOption("maxmem", "0x10M", warnings)).isEqualTo(16L << 20);
        assertThat(warnings).containsExactly("Using a multiplier suffix on hex numbers is deprecated: 0x10M");
        assertThat(QemuSize.parseBytes("1G")).isEqualTo(1L << 30);
        assertThat(QemuSize.parseMiB("64")).isEqualTo(64L << 20);
    }
}
