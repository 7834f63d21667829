package org.memvirt.config;

import java.util.ArrayList;
import java.util.List;

/**
 * QEMU's size grammar, {@code util/cutils.c do_strtosz()} of QEMU 7.2, character for character: an optional
 * whitespace/{@code +} prefix, a decimal integer (or {@code 0x} hex), an optional {@code .fraction}, and one optional
 * suffix {@code B K M G T P E} (case-insensitive, powers of 1024). The fraction is applied in 64.64 fixed point and
 * rounded half up. Results are unsigned 64-bit values carried in a {@code long}: compare them with
 * {@link Long#compareUnsigned}.
 */
public final class QemuSize {
    /** Default suffix of {@code qemu_strtosz()}: a bare number is bytes. */
    public static final char BYTES = 'B';
    /** Default suffix of {@code qemu_strtosz_MiB()}: a bare number is MiB. */
    public static final char MEBIBYTES = 'M';

    static final long UNIT = 1024;                              // qemu util/cutils.c qemu_strtosz: unit 1024
    static final double TWO_TO_64 = 0x1p64;                     // do_strtosz: valf = (uint64_t)(fraction * 0x1p64)
    static final String HEX_SUFFIX_WARNING = "Using a multiplier suffix on hex numbers is deprecated: ";
    /** The hint {@code parse_option_size} appends (qemu util/qemu-option.c). */
    public static final String SUFFIX_HINT = "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\n"
            + "and exabytes, respectively.";

    /** What {@code do_strtosz} returned: a value, -EINVAL or -ERANGE; each with the warnings it printed. */
    public sealed interface Outcome {
        List<String> warnings();
    }

    /** Success: {@code bytes} is an unsigned 64-bit value. */
    public record Bytes(long bytes, List<String> warnings) implements Outcome {
        public Bytes { warnings = List.copyOf(warnings); }
    }

    /** -EINVAL: not a size. */
    public record Invalid(List<String> warnings) implements Outcome {
        public Invalid { warnings = List.copyOf(warnings); }
    }

    /** -ERANGE: a size of 2^64 bytes or more. */
    public record OutOfRange(List<String> warnings) implements Outcome {
        public OutOfRange { warnings = List.copyOf(warnings); }
    }

    /**
     * {@code do_strtosz(text, NULL, defaultSuffix, 1024, &result)}: the whole text must be consumed.
     *
     * @param defaultSuffix {@link #BYTES} ({@code qemu_strtosz}) or {@link #MEBIBYTES} ({@code qemu_strtosz_MiB})
     */
    public static Outcome strtosz(String text, char defaultSuffix) {
        if (suffixMul(defaultSuffix) <= 0) throw new IllegalArgumentException("bad default suffix " + defaultSuffix);
        return new Scan(text, defaultSuffix).run();
    }

    /**
     * A size as QEMU's {@code parse_option_size} reads a QemuOpts size parameter (default unit bytes), with its exact
     * errors: {@code Value 'TEXT' is out of range for parameter 'NAME'}, or {@code Parameter 'NAME' expects a
     * non-negative number below 2^64} followed by the two {@link #SUFFIX_HINT} lines.
     *
     * @param warnings receives the deprecation warnings printed on the way, also when it then fails
     */
    public static long parseOption(String parameter, String text, List<String> warnings) {
        Outcome outcome = strtosz(text, BYTES);
        warnings.addAll(outcome.warnings());
        return switch (outcome) {
            case Bytes b -> b.bytes();
            case OutOfRange r -> throw new ConfigException(
                    "Value '" + text + "' is out of range for parameter '" + parameter + "'");
            case Invalid i -> throw new ConfigException(
                    "Parameter '" + parameter + "' expects a non-negative number below 2^64\n" + SUFFIX_HINT);
        };
    }

    /** {@link #parseOption} for a parameter named {@code size}, ignoring warnings: for sizes in memvirt's own input. */
    public static long parseBytes(String text) {
        return parseOption("size", text, new ArrayList<>());
    }

    /** Like {@link #parseBytes} but a bare number is MiB ({@code qemu_strtosz_MiB}). */
    public static long parseMiB(String text) {
        return switch (strtosz(text, MEBIBYTES)) {
            case Bytes b -> b.bytes();
            case OutOfRange r -> throw new ConfigException(
                    "Value '" + text + "' is out of range for parameter 'size'", r.warnings());
            case Invalid i -> throw new ConfigException(
                    "Parameter 'size' expects a non-negative number below 2^64\n" + SUFFIX_HINT, i.warnings());
        };
    }

    /**
     * QEMU's {@code size_to_str()} (util/cutils.c): the size with three significant digits and a binary unit, the
     * unit switching up once the number would reach 1000 ({@code "8 EiB"}, {@code "1.5 GiB"}, {@code "0.977 GiB"}).
     *
     * @param bytes an unsigned 64-bit size
     */
    public static String toStr(long bytes) {
        return toStr(new java.math.BigInteger(Long.toUnsignedString(bytes)));
    }

    /** {@link #toStr(long)} for sizes of 2^64 bytes and more too (in EiB, QEMU's largest unit). */
    public static String toStr(java.math.BigInteger bytes) {
        String[] suffixes = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
        double val = bytes.doubleValue();
        // frexp(val / (1000.0 / 1024.0), &i); i = (i - 1) / 10: Math.getExponent is frexp's exponent minus one
        int i = val == 0 ? 0 : Math.min(6, Math.getExponent(val / (1000.0 / 1024.0)) / 10);
        double v = val / Math.scalb(1.0, 10 * i);                     // (double)val / div, div = 1 << (i * 10)
        return percentG3(new java.math.BigDecimal(v)) + " " + suffixes[i] + "B";
    }

    /** C's {@code printf("%0.3g", v)} for {@code v >= 0}: three significant digits, trailing zeros dropped. */
    static String percentG3(java.math.BigDecimal v) {
        if (v.signum() == 0) return "0";
        java.math.BigDecimal r = v.round(new java.math.MathContext(3, java.math.RoundingMode.HALF_EVEN));
        int exponent = r.precision() - r.scale() - 1;
        if (exponent < -4 || exponent >= 3) {
            String mantissa = r.movePointLeft(exponent).stripTrailingZeros().toPlainString();
            return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exponent));
        }
        return r.stripTrailingZeros().toPlainString();
    }

    /** {@code suffix_mul(c, 1024)}: the multiplier of a suffix letter, or -1 if it is none. */
    static long suffixMul(char c) {
        return switch (c) {
            case 'B', 'b' -> 1;
            case 'K', 'k' -> UNIT;
            case 'M', 'm' -> UNIT * UNIT;
            case 'G', 'g' -> UNIT * UNIT * UNIT;
            case 'T', 't' -> UNIT * UNIT * UNIT * UNIT;
            case 'P', 'p' -> UNIT * UNIT * UNIT * UNIT * UNIT;
            case 'E', 'e' -> UNIT * UNIT * UNIT * UNIT * UNIT * UNIT;
            default -> -1;
        };
    }

    /** One run of do_strtosz; {@code end} plays the role of its {@code endptr}. */
    private static final class Scan {
        private final String text;
        private final char defaultSuffix;
        private final List<String> warnings = new ArrayList<>(1);
        private int end;
        private long value;
        private boolean exponent;

        Scan(String text, char defaultSuffix) {
            this.text = text;
            this.defaultSuffix = defaultSuffix;
        }

        private static final int OK = 0, EINVAL = 1, ERANGE = 2;

        Outcome run() {
            return finish(scan());
        }

        /** The body of do_strtosz up to its {@code out:} label: a result code, with {@code end} and {@code value} set. */
        private int scan() {
            CNumber.Ull integral = CNumber.strtoull(text, 0, 10);
            end = integral.end();
            if (!integral.converted()) return EINVAL;
            if (integral.outOfRange()) return ERANGE;
            if (text.substring(0, end).indexOf('-') >= 0) return invalid();
            long val = integral.value();
            long valf = 0;
            boolean hex = false;
            char next = CNumber.charAt(text, end);
            if (val == 0 && (next == 'x' || next == 'X')) {
                CNumber.Ull h = CNumber.strtoull(text, 0, 16);
                end = h.end();
                if (h.outOfRange()) return ERANGE;
                if (CNumber.charAt(text, end) == '.') return invalid();
                val = h.value();
                hex = true;
            } else if (next == '.') {
                valf = fraction(end);
                if (exponent) return invalid();                    // "1e3", "1.5e3": exponents are not sizes
            }
            long mul = suffixMul(CNumber.charAt(text, end));
            if (mul > 0) {
                if (hex) warnings.add(HEX_SUFFIX_WARNING + text);
                end++;
            } else {
                mul = suffixMul(defaultSuffix);
            }
            if (mul == 1) {
                if (valf != 0) return invalid();                   // "When a fraction is present, a scale is required."
                value = val;
                return OK;
            }
            return scale(val, valf, mul);
        }

        /**
         * The fraction at {@code point} ('.') as 0.64 fixed point; moves {@code end} as QEMU does: past the '.' when
         * strtod converts nothing ("1." and "1.M" are accepted), one character past the number when strtod reports
         * ERANGE. An exponent sets {@code exponent}: the whole input is then invalid.
         */
        private long fraction(int point) {
            int fractionEnd = CNumber.strtodEndFromPoint(text, point);
            if (fractionEnd == point) {
                end = point + 1;
                return 0;
            }
            String number = text.substring(point, fractionEnd);
            double fraction = Double.parseDouble("0" + number);
            end = fractionEnd;
            if (strtodOutOfRange(number, fraction)) {
                end++;
                return 0;
            }
            if (number.indexOf('e') >= 0 || number.indexOf('E') >= 0) {
                exponent = true;
                return 0;
            }
            return toUint64(fraction * TWO_TO_64);
        }

        /** 64.64 fixed point times a 64-bit multiplier, rounded half up; ERANGE at 2^64 or more. */
        private int scale(long val, long valf, long mul) {
            long low = val * mul;
            long high = Math.unsignedMultiplyHigh(val, mul);
            long fracLow = valf * mul;
            long fracHigh = Math.unsignedMultiplyHigh(valf, mul);
            long sum = low + fracHigh;
            if (Long.compareUnsigned(sum, fracHigh) < 0) high++;
            long round = fracLow >>> 63;
            long rounded = sum + round;
            if (Long.compareUnsigned(rounded, round) < 0) high++;
            if (high != 0) return ERANGE;
            value = rounded;
            return OK;
        }

        /** {@code endptr = nptr; retval = -EINVAL}. */
        private int invalid() {
            end = 0;
            return EINVAL;
        }

        /** do_strtosz's {@code out:} with {@code end == NULL}: unconsumed input turns any result into -EINVAL. */
        private Outcome finish(int retval) {
            if (!endsHere() || retval == EINVAL) return new Invalid(warnings);
            if (retval == ERANGE) return new OutOfRange(warnings);
            return new Bytes(value, warnings);
        }

        /** {@code *endptr == '\0'}; positions past the end (QEMU reads past the NUL there) count as the end. */
        private boolean endsHere() {
            return end >= text.length();
        }
    }

    /** glibc strtod sets ERANGE on overflow, and on underflow of a non-zero value to zero or a subnormal. */
    static boolean strtodOutOfRange(String number, double parsed) {
        if (Double.isInfinite(parsed)) return true;
        if (parsed != 0 && parsed >= Double.MIN_NORMAL) return false;
        int mantissaEnd = number.length();
        for (int i = 0; i < number.length(); i++) {
            if ((number.charAt(i) | 0x20) == 'e') { mantissaEnd = i; break; }
        }
        for (int i = 0; i < mantissaEnd; i++) {
            char c = number.charAt(i);
            if (c >= '1' && c <= '9') return true;
        }
        return false;
    }

    /** C's {@code (uint64_t)} of a double in [0, 2^64] as gcc compiles it for x86-64 (2^64 becomes 0). */
    static long toUint64(double x) {
        if (x < 0x1p63) return (long) x;
        double shifted = x - 0x1p63;
        long bits = shifted >= 0x1p63 ? Long.MIN_VALUE : (long) shifted;  // cvttsd2si "integer indefinite"
        return bits ^ Long.MIN_VALUE;
    }

    private QemuSize() {}
}
