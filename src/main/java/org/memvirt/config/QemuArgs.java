package org.memvirt.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A whole QEMU command line resolved to its memory configuration, {@code List<String> -> MachineConfig}, with QEMU
 * 7.2's exact errors and warnings (softmmu/vl.c qemu_init order: the first pass over every word
 * ({@link QemuCommandLine}), then the options in order, machine selection, {@code parse_memory_options}, the machine
 * properties, the memory backends, {@code qemu_resolve_machine_memdev}, board init).
 *
 * <p>Resolved: {@code -m}, {@code -machine}/{@code -M}, {@code -object}, {@code -smp}, {@code -mem-path},
 * {@code -mem-prealloc}, {@code -cpu}. Every other option of QEMU's table is accepted and kept in
 * {@link MachineConfig#qemuArgs()} (an option of another target is refused as QEMU refuses it), a bare word is a disk
 * image. Messages carry no program name; locations are QEMU's ({@code -m 1.5: ...}).
 */
public final class QemuArgs {
    /** The options this class resolves, by their name in {@link QemuOption}'s table. */
    public static final Set<String> MEMORY_OPTIONS = Set.of("m", "machine", "M", "object", "smp", "mem-path",
            "mem-prealloc", "cpu");
    /** The memory options that take a value, in QEMU's spelling. */
    public static final Set<String> WITH_VALUE = Set.of("-m", "-machine", "-M", "-object", "-smp", "-mem-path", "-cpu");
    /** The memory options without a value. */
    public static final Set<String> FLAGS = Set.of("-mem-prealloc");
    /** No limit from the host: only the machine's own {@code max_cpus} applies. */
    public static final int NO_HOST_VCPU_LIMIT = Integer.MAX_VALUE;

    private final List<String> warnings = new ArrayList<>();
    private final MemoryOptions memory = new MemoryOptions();
    private final Map<String, String> machineDict = new LinkedHashMap<>();
    private final Map<String, BackendObject> objects = new LinkedHashMap<>();
    private final Set<String> otherObjectIds = new java.util.HashSet<>();
    private final List<String> otherArgs = new ArrayList<>();
    private final Map<String, String> smp = new LinkedHashMap<>();
    private String cpuOption;                                  // -cpu, applied when the vCPUs are created
    private String memPath;
    private boolean memPrealloc;

    private QemuArgs() {}

    /** {@link #parse(List, int)} without a host vCPU limit. */
    public static MachineConfig parse(List<String> args) {
        return parse(args, NO_HOST_VCPU_LIMIT);
    }

    /**
     * Resolves a QEMU command line, with or without a leading {@code qemu-system-x86_64}.
     *
     * @param maxVcpus the host's hard vCPU limit (KVM_CAP_MAX_VCPUS), or {@link #NO_HOST_VCPU_LIMIT}
     * @throws ConfigException with QEMU's message and the warnings printed before it
     */
    public static MachineConfig parse(List<String> args, int maxVcpus) {
        return parse(args, maxVcpus, maxVcpus);
    }

    /**
     * Resolves a QEMU command line with both of KVM's vCPU limits: above {@code recommendedVcpus}
     * (KVM_CAP_NR_VCPUS) QEMU warns, above {@code maxVcpus} (KVM_CAP_MAX_VCPUS) it fails.
     */
    public static MachineConfig parse(List<String> args, int recommendedVcpus, int maxVcpus) {
        QemuArgs q = new QemuArgs();
        try {
            return q.run(args, recommendedVcpus, maxVcpus);
        } catch (ConfigException e) {
            throw e.after(q.warnings);
        }
    }

    private MachineConfig run(List<String> words, int recommendedVcpus, int maxVcpus) {
        List<QemuArg> args = QemuCommandLine.split(words);
        for (QemuArg arg : args) {
            if (!arg.isDiskImage() && !QemuOption.lookup("-" + arg.option()).x86()) {
                throw new ConfigException(arg.location() + ": Option not supported for this target");
            }
            boolean resolved = !arg.isDiskImage() && MEMORY_OPTIONS.contains(arg.option());
            if (arg.option().equals("mem-prealloc")) memPrealloc = true;
            else if (resolved) resolved = atLocation(arg.location(), raw -> option(arg, raw));
            if (!resolved) otherArgs.addAll(arg.words());
        }
        MachineType machine = MachineType.lookup(machineDict.getOrDefault("type", "pc"));
        if (machine.deprecation() != null) {
            warnings.add("warning: Machine type '" + machine.name() + "' is deprecated: " + machine.deprecation());
        }
        Map<String, String> memoryKeys = new LinkedHashMap<>();
        machineDict.forEach((k, v) -> { if (k.startsWith("memory.")) memoryKeys.put(k.substring(7), v); });
        memoryKeys.putAll(memory.machineKeys());
        MachineProperties props = MachineProperties.apply(machine, machineDict, warnings);
        MemoryOptions.Resolved mem = MemoryOptions.resolve(memoryKeys, warnings);
        int cpus = SmpOptions.resolve(machine, smp, recommendedVcpus, maxVcpus, warnings);
        if (cpuOption != null) CpuModel.checkModel(cpuOption);      // qemu softmmu/vl.c: parse_cpu_option
        Map<String, MemoryBackend> backends = new LinkedHashMap<>();
        for (BackendObject o : objects.values()) backends.put(o.id(), o.create(props.memMerge(), memPrealloc));
        long ramSize = mem.ramSize();
        MemoryBackend backend = null;
        if (props.memoryBackend() != null) {
            if (memPath != null) {
                throw new ConfigException("'-mem-path' can't be used together with'-machine memory-backend'");
            }
            backend = backends.get(props.memoryBackend());
            if (backend == null) throw new ConfigException("Memory backend '" + props.memoryBackend() + "' not found");
            if (!mem.customSize()) ramSize = backend.size();
            else if (backend.size() != ramSize) {
                throw new ConfigException("Machine memory size does not match the size of the memory backend");
            }
        } else if (ramSize != 0) {
            if (backends.containsKey(machine.defaultRamId())) {
                throw new ConfigException("object name '" + machine.defaultRamId() + "' is reserved for the default RAM"
                        + " backend, it can't be used for any other purposes. Change the object's 'id' to something else");
            }
            backend = defaultBackend(machine, ramSize, props.memMerge());
        }
        // qemu hw/i386/pc_piix.c pc_init1: x86_cpus_init (properties, realize) before pc_memory_init
        CpuModel cpu = cpuOption == null ? CpuModel.defaultModel() : CpuModel.parse(cpuOption);
        MemoryLayout layout = BoardMemory.build(machine, cpu, ramSize, mem.maxramSize(), mem.slots(),
                props.maxRamBelow4g(), warnings);
        return new MachineConfig(layout, backend, props.memMerge(), cpus, warnings, args, otherArgs);
    }

    /**
     * One option at parse time (stage 1 for -m, the opts visitor for -object, keyval for -machine); false for an
     * {@code -object} memvirt passes through without modelling it.
     */
    private boolean option(QemuArg arg, List<String> raw) {
        String value = arg.value();
        switch (arg.option()) {
            case "m" -> memory.add(value, raw);
            case "machine", "M" -> {
                for (QemuOpts.Opt opt : QemuOpts.keyval(value, "type")) {
                    if (opt.name().startsWith("smp.")) {                // the same dict -smp merges into
                        smp.remove(opt.name().substring(4));
                        smp.put(opt.name().substring(4), opt.value());
                        continue;
                    }
                    machineDict.remove(opt.name());
                    machineDict.put(opt.name(), opt.value());
                }
            }
            case "object" -> { return addObject(value, raw); }
            case "smp" -> SmpOptions.add(smp, value);
            case "mem-path" -> memPath = value;
            case "cpu" -> cpuOption = value;
            default -> throw new IllegalStateException(arg.option());
        }
        return true;
    }

    /** Adds one {@code -object}; true for a memory backend, false for an object memvirt does not model. */
    private boolean addObject(String value, List<String> raw) {
        String id = QemuOpts.findId(value);
        if (id != null && !BackendObject.wellFormedId(id)) {
            throw new ConfigException("Parameter 'id' expects an identifier\n"
                    + "Identifiers consist of letters, digits, '-', '.', '_', starting with a letter.");
        }
        if (id != null && (objects.containsKey(id) || otherObjectIds.contains(id))) {
            throw new ConfigException("Duplicate ID '" + id + "' for object");
        }
        String otherId = BackendObject.otherObjectId(value, raw);
        if (otherId != null) {
            otherObjectIds.add(otherId);
            return false;
        }
        BackendObject o = BackendObject.parse(value, raw);
        objects.put(o.id(), o);
        return true;
    }

    /** Runs one option with QEMU's location: warnings and errors get the {@code -m ARG: } prefix. */
    private boolean atLocation(String location, OptionParser parser) {
        List<String> raw = new ArrayList<>();
        boolean resolved;
        try {
            resolved = parser.parse(raw);
        } catch (ConfigException e) {
            for (String w : raw) warnings.add(location + ": warning: " + w);
            throw e.at(location);
        }
        for (String w : raw) warnings.add(location + ": warning: " + w);
        return resolved;
    }

    @FunctionalInterface
    private interface OptionParser {
        boolean parse(List<String> rawWarnings);
    }

    private MemoryBackend defaultBackend(MachineType machine, long ramSize, boolean memMerge) {
        if (memPath != null) {
            return new MemoryBackend(machine.defaultRamId(), "memory-backend-file", ramSize, false, memPrealloc, true,
                    memMerge, memPath, null);
        }
        return new MemoryBackend(machine.defaultRamId(), "memory-backend-ram", ramSize, false, memPrealloc, true,
                memMerge, null, null);
    }
}
