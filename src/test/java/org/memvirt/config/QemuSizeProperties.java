package org.memvirt.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * QemuSize against a reference written from the grammar (regular expressions and BigInteger/BigDecimal arithmetic)
 * rather than from do_strtosz's control flow. Fractions stay above 1e-30 and exponents below 100, so glibc strtod
 * never reports ERANGE there (that path is pinned by QemuSizeTest instead).
 */
class QemuSizeProperties {
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final String WS = "[ \\t\\n\\x0B\\f\\r]*";
    private static final Pattern DECIMAL = Pattern.compile(WS + "\\+?(\\d+)(?:\\.(\\d*))?([bkmgtpeBKMGTPE]?)");
    private static final Pattern HEX = Pattern.compile(WS + "\\+?0[xX]([0-9a-fA-F]+)([kmgtpKMGTP]?)");
    private static final Pattern HEX_WITH_SUFFIX = Pattern.compile(WS + "\\+?0[xX]([0-9a-fA-F]+)[kmgtpKMGTP].*", Pattern.DOTALL);
    private static final Pattern HUGE_INTEGER = Pattern.compile(WS + "[+-]?(\\d+)");
    private static final Pattern HUGE_HEX = Pattern.compile(WS + "\\+?0[xX]([0-9a-fA-F]+)");

    @Property(tries = 3000)
    void agreesWithTheGrammarForBytes(@ForAll("sizeStrings") String text) {
        assertThat(QemuSize.strtosz(text, QemuSize.BYTES)).as(text).isEqualTo(reference(text, 'B'));
    }

    @Property(tries = 1500)
    void agreesWithTheGrammarForMebibytes(@ForAll("sizeStrings") String text) {
        assertThat(QemuSize.strtosz(text, QemuSize.MEBIBYTES)).as(text).isEqualTo(reference(text, 'M'));
    }

    static QemuSize.Outcome reference(String text, char defaultSuffix) {
        Matcher hex = HEX.matcher(text);
        if (hex.matches()) {
            BigInteger value = new BigInteger(hex.group(1), 16);
            String suffix = hex.group(2);
            if (value.compareTo(TWO_64) >= 0) {
                return suffix.isEmpty() ? new QemuSize.OutOfRange(List.of()) : new QemuSize.Invalid(List.of());
            }
            List<String> warnings = suffix.isEmpty() ? List.of()
                    : List.of("Using a multiplier suffix on hex numbers is deprecated: " + text);
            BigInteger bytes = value.multiply(multiplier(suffix.isEmpty() ? defaultSuffix : suffix.charAt(0)));
            return bytes.compareTo(TWO_64) >= 0 ? new QemuSize.OutOfRange(warnings)
                    : new QemuSize.Bytes(bytes.longValue(), warnings);
        }
        Matcher huge = HUGE_INTEGER.matcher(text);
        if (huge.matches() && new BigInteger(huge.group(1)).compareTo(TWO_64) >= 0) {
            return new QemuSize.OutOfRange(List.of());                 // strtoull ERANGE wins over the '-' check
        }
        Matcher hugeHex = HUGE_HEX.matcher(text);
        if (hugeHex.matches()) return new QemuSize.OutOfRange(List.of());
        Matcher hexSuffix = HEX_WITH_SUFFIX.matcher(text);
        if (hexSuffix.matches() && new BigInteger(hexSuffix.group(1), 16).compareTo(TWO_64) < 0) {
            // a hex number and a suffix followed by more text: warned about, then rejected
            return new QemuSize.Invalid(List.of("Using a multiplier suffix on hex numbers is deprecated: " + text));
        }
        Matcher m = DECIMAL.matcher(text);
        if (!m.matches()) return new QemuSize.Invalid(List.of());
        BigInteger integer = new BigInteger(m.group(1));
        if (integer.compareTo(TWO_64) >= 0) return new QemuSize.Invalid(List.of());   // ERANGE with trailing text
        String digits = m.group(2) == null ? "" : m.group(2);
        BigInteger mul = multiplier(m.group(3).isEmpty() ? defaultSuffix : m.group(3).charAt(0));
        BigInteger fixedFraction = fixedPointFraction(digits);
        if (mul.equals(BigInteger.ONE)) {
            return fixedFraction.signum() != 0 ? new QemuSize.Invalid(List.of())
                    : new QemuSize.Bytes(integer.longValue(), List.of());
        }
        // round-half-up of (integer + fraction) * mul, the fraction being the 0.64 fixed-point value QEMU keeps
        BigInteger scaled = integer.shiftLeft(64).add(fixedFraction).multiply(mul);
        BigInteger bytes = scaled.add(BigInteger.ONE.shiftLeft(63)).shiftRight(64);
        return bytes.compareTo(TWO_64) >= 0 ? new QemuSize.OutOfRange(List.of())
                : new QemuSize.Bytes(bytes.longValue(), List.of());
    }

    /** floor(double(0.digits) * 2^64), where a fraction that rounds to 1.0 becomes 0 (x86-64 conversion of 2^64). */
    static BigInteger fixedPointFraction(String digits) {
        if (digits.isEmpty()) return BigInteger.ZERO;
        BigDecimal nearest = new BigDecimal(Double.parseDouble("0." + digits));   // the double strtod returns
        BigInteger fixed = nearest.multiply(new BigDecimal(TWO_64)).toBigInteger();
        return fixed.equals(TWO_64) ? BigInteger.ZERO : fixed;
    }

    static BigInteger multiplier(char suffix) {
        int power = "BKMGTPE".indexOf(Character.toUpperCase(suffix));
        return BigInteger.ONE.shiftLeft(10 * power);
    }

    @Provide
    Arbitrary<String> sizeStrings() {
        Arbitrary<String> space = Arbitraries.of("", "", "", " ", "\t", "  ");
        Arbitrary<String> sign = Arbitraries.of("", "", "", "+", "-");
        Arbitrary<String> decimal = Arbitraries.oneOf(
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(4),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(22),
                Arbitraries.of("0", "00", "08", "18446744073709551615", "18446744073709551616", "17592186044416"));
        Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefABCDEF").ofMinLength(0).ofMaxLength(18)
                .map(h -> "0x" + h);
        Arbitrary<String> number = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, decimal), net.jqwik.api.Tuple.of(1, hex));
        Arbitrary<String> fraction = Arbitraries.oneOf(
                Arbitraries.just(""), Arbitraries.just(""), Arbitraries.just("."),
                Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25).map(d -> "." + d),
                Arbitraries.of(".5", ".25", ".999999999999999999999", ".00048828125", ".1"));
        Arbitrary<String> exponent = Arbitraries.oneOf(
                Arbitraries.just(""), Arbitraries.just(""), Arbitraries.just(""),
                Arbitraries.of("e3", "E-2", "e+1", "e", "e+", "E"));
        Arbitrary<String> suffix = Arbitraries.of("", "", "B", "b", "k", "K", "m", "M", "g", "G", "t", "T", "p", "P",
                "e", "E", "X", "MB", "KiB");
        Arbitrary<String> tail = Arbitraries.of("", "", "", "", " ", "x", "1", ".", ",");
        Arbitrary<String> structured = Combinators.combine(space, sign, number, fraction, exponent, suffix, tail)
                .as((a, b, c, d, e, f, g) -> a + b + c + d + e + f + g);
        Arbitrary<String> noise = Arbitraries.strings().withChars("0123456789.xXbkmgtpeBKMGTPE+- \t")
                .ofMinLength(0).ofMaxLength(8);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, structured), net.jqwik.api.Tuple.of(1, noise));
    }
}
