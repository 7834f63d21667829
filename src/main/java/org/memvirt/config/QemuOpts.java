package org.memvirt.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code key=value,...} syntax of QEMU's option strings (qemu util/qemu-option.c {@code opts_do_parse} and
 * util/keyval.c): {@code ,,} escapes a comma, the first element without {@code =} takes the implied key, and later
 * elements without {@code =} are QemuOpts short-form booleans ({@code foo} means {@code foo=on}, {@code nofoo}
 * {@code foo=off}, with QEMU's deprecation warning).
 */
final class QemuOpts {

    /** One {@code key=value} pair in the order given. */
    record Opt(String name, String value) {}

    /**
     * QemuOpts parsing ({@code qemu_opts_parse_noisily} with {@code permit_abbrev}): the pairs, in order.
     *
     * @param impliedName the list's {@code implied_opt_name}, or null
     * @param warnings receives the short-form boolean warnings, each as {@code short-form ... deprecated\nPlease use ...}
     */
    static List<Opt> parse(String params, String impliedName, List<String> warnings) {
        List<Opt> opts = new ArrayList<>();
        String firstName = impliedName;
        int p = 0;
        while (p < params.length()) {
            int len = 0;
            while (p + len < params.length() && params.charAt(p + len) != '=' && params.charAt(p + len) != ',') len++;
            String name;
            StringBuilder value = new StringBuilder();
            if (p + len >= params.length() || params.charAt(p + len) != '=') {
                if (firstName != null) {
                    name = firstName;
                    p = readValue(params, p, value);
                } else {
                    name = params.substring(p, p + len);
                    p += len;
                    String prefix = "";
                    if (name.startsWith("no")) {
                        name = name.substring(2);
                        value.append("off");
                        prefix = "no";
                    } else {
                        value.append("on");
                    }
                    warnings.add("short-form boolean option '" + prefix + name + "' deprecated\n"
                            + "Please use " + (name.equals("delay") ? "nodelay=" + (prefix.isEmpty() ? "off" : "on")
                                    : name + "=" + value) + " instead");
                }
            } else {
                name = params.substring(p, p + len);
                p = readValue(params, p + len + 1, value);
            }
            if (p < params.length()) p++;                          // the ',' separator
            firstName = null;
            opts.add(new Opt(name, value.toString()));
        }
        return opts;
    }

    /**
     * {@code opts_parse_id}: the value of the first element named {@code id} when parsed without an implied name
     * (so a bare {@code id} is {@code id=on}), or null.
     */
    static String findId(String params) {
        for (Opt opt : parse(params, null, new ArrayList<>())) {
            if (opt.name().equals("id")) return opt.value();
        }
        return null;
    }

    /** {@code get_opt_value}: up to the next single ',', with ",," read as ','. Returns the index of the stop. */
    private static int readValue(String params, int p, StringBuilder value) {
        while (p < params.length()) {
            char c = params.charAt(p);
            if (c == ',') {
                if (p + 1 < params.length() && params.charAt(p + 1) == ',') {
                    value.append(',');
                    p += 2;
                    continue;
                }
                break;
            }
            value.append(c);
            p++;
        }
        return p;
    }

    /**
     * keyval parsing ({@code util/keyval.c keyval_parse_one}, used by {@code -machine}, {@code -smp}, {@code -cpu}):
     * only the first element may omit its key, and its value then ends at the first ',' (no escaping); every other
     * element needs a well-formed key and '='.
     */
    static List<Opt> keyval(String params, String impliedKey) {
        List<Opt> opts = new ArrayList<>();
        int p = 0;
        boolean first = true;
        while (p < params.length()) {
            int len = 0;
            while (p + len < params.length() && params.charAt(p + len) != '=' && params.charAt(p + len) != ',') len++;
            boolean hasEquals = p + len < params.length() && params.charAt(p + len) == '=';
            String key = params.substring(p, p + len);
            if (len > 0 && !hasEquals && first && impliedKey != null) {
                opts.add(new Opt(impliedKey, key));
                p += len;
                if (p < params.length()) p++;
            } else {
                checkKey(key);
                if (!hasEquals) throw new ConfigException("Expected '=' after parameter '" + key + "'");
                StringBuilder value = new StringBuilder();
                p = readValue(params, p + len + 1, value);
                if (p < params.length()) p++;
                opts.add(new Opt(key, value.toString()));
            }
            first = false;
        }
        return opts;
    }

    /** keyval.c key fragments: a letter, then letters, digits, '-' and '_', separated by '.'. */
    private static void checkKey(String key) {
        for (String fragment : key.split("\\.", -1)) {
            boolean ok = !fragment.isEmpty() && fragment.charAt(0) < 128 && Character.isLetter(fragment.charAt(0))
                    && fragment.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_'));
            if (!ok) throw new ConfigException("Invalid parameter '" + key + "'");
        }
    }

    private QemuOpts() {}
}
