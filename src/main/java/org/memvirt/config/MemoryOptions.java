package org.memvirt.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code -m [size=]megs[,slots=n,maxmem=size]} through QEMU 7.2's three stages: the QemuOpts parse of each {@code -m}
 * (softmmu/vl.c, util/qemu-option.c), {@code parse_memory_options()} (vl.c) and the machine property {@code memory}
 * ({@code hw/core/machine.c machine_set_mem}).
 */
final class MemoryOptions {
    static final long DEFAULT_RAM_SIZE = 128L << 20;  // qemu hw/core/machine.c machine_class_init: default_ram_size
    static final long RAM_ALIGN = 8192;               // machine_set_mem: QEMU_ALIGN_UP(size, 8192)

    /** The merged {@code memory} QemuOpts: the last value of each key wins (merge_lists). */
    private final Map<String, String> opts = new LinkedHashMap<>();

    /** The resolved {@code -m} state: bytes, maxram bytes and slots (unsigned 64-bit values). */
    record Resolved(long ramSize, long maxramSize, long slots, boolean customSize) {}

    /**
     * Stage 1, at option-parse time: validate and merge one {@code -m} argument. Errors and {@code rawWarnings} carry
     * neither location nor {@code warning: } prefix; the caller adds them.
     */
    void add(String arg, List<String> rawWarnings) {
        if (QemuOpts.findId(arg) != null) throw new ConfigException("Invalid parameter 'id'");   // merge_lists
        for (QemuOpts.Opt opt : QemuOpts.parse(arg, "size", rawWarnings)) {
            switch (opt.name()) {
                case "size", "maxmem" -> QemuSize.parseOption(opt.name(), opt.value(), rawWarnings);
                case "slots" -> parseNumber(opt.name(), opt.value());
                case "id" -> { continue; }                          // opts_do_parse skips it
                default -> throw new ConfigException("Invalid parameter '" + opt.name() + "'");
            }
            opts.remove(opt.name());
            opts.put(opt.name(), opt.value());
        }
    }

    /**
     * Stage 2 ({@code parse_memory_options}): the {@code memory.*} keys -m contributes to the machine options, which
     * override {@code -machine memory.*} whatever the order.
     */
    Map<String, String> machineKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        String size = opts.get("size");
        if (size != null && bytes(size) != 0) {
            keys.put("size", CNumber.isDigit(size.charAt(size.length() - 1)) ? size + "M" : size);
        }
        if (opts.containsKey("maxmem")) keys.put("max-size", opts.get("maxmem"));
        if (opts.containsKey("slots")) keys.put("slots", opts.get("slots"));
        return keys;
    }

    /** Stage 3 ({@code machine_set_mem}) over the merged {@code memory.*} keys. */
    static Resolved resolve(Map<String, String> memory, List<String> warnings) {
        for (String key : memory.keySet()) {
            if (!List.of("size", "max-size", "slots").contains(key)) {
                throw new ConfigException("Parameter 'memory." + key + "' is unexpected");
            }
        }
        long size = DEFAULT_RAM_SIZE;
        boolean hasSize = memory.containsKey("size");
        if (hasSize) size = keyvalSize("memory.size", memory.get("size"), warnings);
        boolean hasMax = memory.containsKey("max-size");
        long maxSize = hasMax ? keyvalSize("memory.max-size", memory.get("max-size"), warnings) : 0;
        boolean hasSlots = memory.containsKey("slots");
        long slots = 0;
        if (hasSlots) {
            CNumber.Ull u = strtou64(memory.get("slots"));
            if (u == null || u.outOfRange()) throw new ConfigException("Parameter 'memory.slots' expects integer");
            slots = u.value();
        }
        size = (size + RAM_ALIGN - 1) & -RAM_ALIGN;                // uint64 arithmetic: may wrap to 0
        long maxram;
        if (hasMax) {
            if (Long.compareUnsigned(maxSize, size) < 0) {
                throw new ConfigException("invalid value of maxmem: maximum memory size (0x" + Long.toHexString(maxSize)
                        + ") must be at least the initial memory size (0x" + Long.toHexString(size) + ")");
            }
            if (hasSlots && slots != 0 && maxSize == size) {
                throw new ConfigException("invalid value of maxmem: memory slots were specified but maximum memory size (0x"
                        + Long.toHexString(maxSize) + ") is equal to the initial memory size (0x"
                        + Long.toHexString(size) + ")");
            }
            maxram = maxSize;
        } else {
            if (hasSlots) throw new ConfigException("slots specified but no max-size");
            maxram = size;
        }
        return new Resolved(size, maxram, hasSlots ? slots : 0, hasSize);
    }

    /** {@code qemu_opt_get_size(opts, "size", 0)} of an already validated value. */
    private static long bytes(String text) {
        return QemuSize.strtosz(text, QemuSize.BYTES) instanceof QemuSize.Bytes b ? b.bytes() : 0;
    }

    /** The keyval input visitor's size: {@code qemu_strtosz}, failing with {@code Parameter 'NAME' expects size}. */
    static long keyvalSize(String name, String text, List<String> warnings) {
        QemuSize.Outcome outcome = QemuSize.strtosz(text, QemuSize.BYTES);
        for (String w : outcome.warnings()) warnings.add("warning: " + w);
        if (outcome instanceof QemuSize.Bytes b) return b.bytes();
        throw new ConfigException("Parameter '" + name + "' expects size");
    }

    /** {@code parse_option_number}: {@code qemu_strtou64(value, NULL, 0)} with QemuOpts' two messages. */
    static long parseNumber(String name, String value) {
        CNumber.Ull u = CNumber.strtoull(value, 0, 0);
        boolean consumed = u.converted() && u.end() == value.length();
        if (consumed && u.outOfRange()) {
            throw new ConfigException("Value '" + value + "' is too large for parameter '" + name + "'");
        }
        if (!consumed) throw new ConfigException("Parameter '" + name + "' expects a number");
        return u.value();
    }

    /** {@code qemu_strtou64(text, NULL, 0)}: null when the text is not entirely a number. */
    static CNumber.Ull strtou64(String text) {
        CNumber.Ull u = CNumber.strtoull(text, 0, 0);
        return u.converted() && u.end() == text.length() ? u : null;
    }

}
