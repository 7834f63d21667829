package org.memvirt.workload;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Temporary stand-in for QEMU's qemu_strtosz with default unit bytes; replaced by config.QemuSize. */
final class SizeStandIn {
    private static final Pattern DEC = Pattern.compile("\\+?(\\d+)(\\.\\d*)?([bBkKmMgGtTpPeE]?)");
    private static final Pattern HEX = Pattern.compile("\\+?0[xX]([0-9a-fA-F]+)([bBkKmMgGtTpPeE]?)");

    /** Bytes, or -1 if {@code text} is not a size or is at least 2^63. */
    static long parse(String text) {
        BigDecimal value;
        String suffix;
        Matcher hex = HEX.matcher(text);
        Matcher dec = DEC.matcher(text);
        if (hex.matches()) {
            value = new BigDecimal(new BigInteger(hex.group(1), 16));
            suffix = hex.group(2);
        } else if (dec.matches()) {
            String fraction = dec.group(2) == null || dec.group(2).equals(".") ? "" : dec.group(2);
            value = new BigDecimal(dec.group(1) + fraction);
            suffix = dec.group(3);
        } else {
            return -1;
        }
        int shift = switch (suffix.toUpperCase()) {
            case "", "B" -> 0;
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            case "P" -> 50;
            default -> 60;
        };
        if (shift == 0 && value.stripTrailingZeros().scale() > 0) return -1;
        BigInteger bytes = value.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(shift)))
                .setScale(0, java.math.RoundingMode.HALF_UP).toBigIntegerExact();
        return bytes.bitLength() > 63 ? -1 : bytes.longValueExact();
    }

    private SizeStandIn() {}
}
