package org.memvirt.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code -object memory-backend-ram|file|memfd,id=...,size=...} as QEMU 7.2's opts visitor reads it
 * (softmmu/vl.c object_option_parse, qapi/opts-visitor.c, qapi/qom.json MemoryBackend*Properties). Explicit settings
 * are kept as nullable values: unset ones take the defaults of {@code backends/hostmem*.c} when the backend is created.
 */
record BackendObject(String id, String kind, long size, Boolean share, Boolean prealloc, Boolean reserve,
        Boolean merge, String memPath, Boolean hugetlb, String policy, boolean hostNodes) {
    static final List<String> POLICIES = List.of("default", "preferred", "bind", "interleave");

    static final List<String> KINDS = List.of("memory-backend-ram", "memory-backend-file", "memory-backend-memfd");
    /** Every {@code -object} type QEMU 7.2 parses (qapi/qom.json ObjectType, as the 7.2.22 binary's lookup table
     *  holds it); memvirt models the three {@link #KINDS} and passes the others through. */
    static final List<String> OBJECT_TYPES = List.of("authz-list", "authz-listfile", "authz-pam", "authz-simple",
            "can-bus", "can-host-socketcan", "colo-compare", "cryptodev-backend", "cryptodev-backend-builtin",
            "cryptodev-backend-lkcf", "cryptodev-vhost-user", "dbus-vmstate", "filter-buffer", "filter-dump",
            "filter-mirror", "filter-redirector", "filter-replay", "filter-rewriter", "input-barrier", "input-linux",
            "iothread", "main-loop", "memory-backend-epc", "memory-backend-file", "memory-backend-memfd",
            "memory-backend-ram", "pef-guest", "pr-manager-helper", "qtest", "rng-builtin", "rng-egd", "rng-random",
            "secret", "secret_keyring", "sev-guest", "thread-context", "s390-pv-guest", "throttle-group",
            "tls-creds-anon", "tls-creds-psk", "tls-creds-x509", "tls-cipher-suites", "x-remote-object",
            "x-vfio-user-server");
    private static final List<String> COMMON_BOOLS = List.of("dump", "merge", "prealloc", "share", "reserve",
            "x-use-canonical-path-for-ramblock-id");
    private static final List<String> COMMON_OTHER = List.of("host-nodes", "policy", "prealloc-threads",
            "prealloc-context", "size");

    /** Parse-time checks of one {@code -object} argument; errors carry no location (the caller adds it). */
    static BackendObject parse(String arg, List<String> rawWarnings) {
        Map<String, String> opts = options(arg, rawWarnings);
        String kind = opts.remove("qom-type");
        if (kind == null) throw new ConfigException("Parameter 'qom-type' is missing");
        if (!KINDS.contains(kind)) throw new ConfigException("Parameter 'qom-type' does not accept value '" + kind + "'");
        String id = opts.remove("id");
        if (id == null) throw new ConfigException("Parameter 'id' is missing");
        Boolean merge = null, prealloc = null, share = null, reserve = null, hugetlb = null;
        Long size = null;
        String policy = "default";
        boolean hostNodes = false;
        for (String name : List.of("dump", "host-nodes", "merge", "policy", "prealloc", "prealloc-threads",
                "prealloc-context", "share", "reserve", "size", "x-use-canonical-path-for-ramblock-id")) {
            String value = opts.remove(name);
            if (value == null) continue;
            switch (name) {
                case "merge" -> merge = bool(name, value);
                case "prealloc" -> prealloc = bool(name, value);
                case "share" -> share = bool(name, value);
                case "reserve" -> reserve = bool(name, value);
                case "size" -> size = size(name, value, rawWarnings);
                case "policy" -> {
                    if (!POLICIES.contains(value)) {
                        throw new ConfigException("Parameter 'policy' does not accept value '" + value + "'");
                    }
                    policy = value;
                }
                case "host-nodes" -> hostNodes = true;
                case "prealloc-threads" -> MemoryOptions.parseNumber(name, value);
                default -> { if (COMMON_BOOLS.contains(name)) bool(name, value); }
            }
        }
        if (size == null) throw new ConfigException("Parameter 'size' is missing");
        String memPath = null;
        if (kind.equals("memory-backend-file")) {
            for (String name : List.of("align", "discard-data", "mem-path", "pmem", "readonly")) {
                String value = opts.remove(name);
                if (value == null && name.equals("mem-path")) throw new ConfigException("Parameter 'mem-path' is missing");
                if (value == null) continue;
                if (name.equals("mem-path")) memPath = value;
                else if (name.equals("align")) size(name, value, rawWarnings);
                else bool(name, value);
            }
        } else if (kind.equals("memory-backend-memfd")) {
            for (String name : List.of("hugetlb", "hugetlbsize", "seal")) {
                String value = opts.remove(name);
                if (value == null) continue;
                if (name.equals("hugetlbsize")) size(name, value, rawWarnings);
                else if (name.equals("hugetlb")) hugetlb = bool(name, value);
                else bool(name, value);
            }
        }
        if (!opts.isEmpty()) throw new ConfigException("Invalid parameter '" + opts.keySet().iterator().next() + "'");
        return new BackendObject(id, kind, size, share, prealloc, reserve, merge, memPath, hugetlb, policy, hostNodes);
    }

    /**
     * The id of an {@code -object} of a type memvirt does not model, after QEMU's parse-time checks of its type and
     * id (the other properties are QEMU's to check); null for a memory backend or a missing type, which
     * {@link #parse} reports.
     */
    static String otherObjectId(String arg, List<String> rawWarnings) {
        List<String> warnings = new java.util.ArrayList<>();
        Map<String, String> opts = options(arg, warnings);
        String kind = opts.get("qom-type");
        if (kind == null || KINDS.contains(kind)) return null;
        rawWarnings.addAll(warnings);
        if (!OBJECT_TYPES.contains(kind)) {
            throw new ConfigException("Parameter 'qom-type' does not accept value '" + kind + "'");
        }
        String id = opts.get("id");
        if (id == null) throw new ConfigException("Parameter 'id' is missing");
        return id;
    }

    private static Map<String, String> options(String arg, List<String> rawWarnings) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (QemuOpts.Opt opt : QemuOpts.parse(arg, "qom-type", rawWarnings)) {
            opts.remove(opt.name());
            opts.put(opt.name(), opt.value());                       // last occurrence wins
        }
        return opts;
    }

    /** Creation-time checks ({@code backends/hostmem.c} property setters) and the defaults of unset properties. */
    MemoryBackend create(boolean machineMemMerge, boolean memPrealloc) {
        if (size == 0) {
            throw new ConfigException("property 'size' of " + kind + " doesn't take value '0'");
        }
        boolean pre = prealloc != null ? prealloc : memPrealloc;        // -mem-prealloc is a global default
        if (hostNodes && policy.equals("default")) {
            throw new ConfigException("host-nodes must be empty for policy default, or you should explicitly specify"
                    + " a policy other than default");
        }
        if (!hostNodes && !policy.equals("default")) {
            throw new ConfigException("host-nodes must be set for policy " + policy);
        }
        boolean res = reserve == null || reserve;
        if (pre && !res) throw new ConfigException("'prealloc=on' and 'reserve=off' are incompatible");
        boolean shared = share != null ? share : kind.equals("memory-backend-memfd");   // memfd: share=on
        boolean merged = merge != null ? merge : machineMemMerge;
        Boolean huge = kind.equals("memory-backend-memfd") ? Boolean.valueOf(hugetlb != null && hugetlb) : null;
        return new MemoryBackend(id, kind, size, shared, pre, res, merged, memPath, huge);
    }

    /** {@code qapi_bool_parse}: on/yes/true/y and off/no/false/n. */
    static boolean bool(String name, String value) {
        switch (value) {
            case "on", "yes", "true", "y" -> { return true; }
            case "off", "no", "false", "n" -> { return false; }
            default -> throw new ConfigException("Parameter '" + name + "' expects 'on' or 'off'");
        }
    }

    /** The opts visitor's size: {@code qemu_strtosz}, bytes by default, no MiB fix-up. */
    private static long size(String name, String value, List<String> rawWarnings) {
        QemuSize.Outcome outcome = QemuSize.strtosz(value, QemuSize.BYTES);
        rawWarnings.addAll(outcome.warnings());
        if (outcome instanceof QemuSize.Bytes b) return b.bytes();
        throw new ConfigException("Parameter '" + name + "' expects a size value");
    }

    static boolean wellFormedId(String id) {
        if (id.isEmpty() || !Character.isLetter(id.charAt(0)) || id.charAt(0) > 127) return false;
        return id.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '.' || c == '_'));
    }
}
