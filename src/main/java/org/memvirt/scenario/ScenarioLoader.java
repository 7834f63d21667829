package org.memvirt.scenario;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import org.memvirt.config.ConfigException;
import org.memvirt.config.MachineConfig;
import org.memvirt.config.MemoryBackend;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.EngineException;
import org.memvirt.engine.GuestProfile;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.SwapKind;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.DocumentLoader;
import org.memvirt.workload.LocatedTree;
import org.memvirt.workload.Op;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadException;
import org.memvirt.workload.WorkloadLimits;
import org.memvirt.workload.WorkloadParser;
import org.memvirt.workload.WorkloadUnits;

/**
 * Reads a scenario YAML file into a validated {@link HostSpec}, the engine-neutral description every engine runs;
 * every error names the offending field.
 */
public final class ScenarioLoader {
    static final long DEFAULT_QUANTUM_NANOS = 1_000_000L;          // 1 ms round-robin slice per VM
    static final long DEFAULT_POLICY_INTERVAL_NANOS = 10_000_000_000L; // MOM policy-engine-interval / pvestatd: 10 s
    static final int DEFAULT_PROXMOX_TARGET_PERCENT = 80;          // pve-docs qm "Memory": auto-ballooning target 80%
    static final int DEFAULT_SHARES = 1000;                        // pve-docs qm "Memory": shares default 1000
    static final long MIN_RESIDENT_LIMIT = 4L << 20;               // docs/overcommit-kvm.md: UffdSwap needs >= 4 MiB

    private ScenarioLoader() {}

    public static HostSpec load(Path file) {
        LocatedTree document = DocumentLoader.read(file, "scenario");
        String base = file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        try {
            return parse(document.toJson(), base, file.toAbsolutePath().getParent());
        } catch (ScenarioException e) {
            throw ScenarioLocation.of(e, document, file.toString());
        }
    }

    public static HostSpec parse(String yaml, String defaultName) {
        return parse(yaml, defaultName, Path.of("."));
    }

    /** @param baseDir where workload trace files are resolved */
    public static HostSpec parse(String yaml, String defaultName, Path baseDir) {
        return parse(DocumentLoader.parse(yaml, "scenario", false).toJson(), defaultName, baseDir);
    }

    private static HostSpec parse(JsonNode root, String defaultName, Path baseDir) {
        if (root == null || !root.isObject()) throw new ScenarioException("scenario: expected a mapping with 'host' and 'vms'");
        fields(root, "", "name", "duration", "sample", "quantum", "host", "vms");
        String name = root.has("name") ? root.get("name").asText() : defaultName;
        long duration = root.has("duration") ? duration(root.get("duration"), "duration") : -1;
        if (!root.has("host")) throw new ScenarioException("host: missing");
        HostSpec.Host host = host(root.get("host"));
        HostSpec.Policy policy = policy(root.get("host").get("balloon_policy"));
        HostSpec.KsmPolicy ksmPolicy = HostSpec.KsmPolicy.NONE;
        if (root.get("host").has("ksm_policy")) {
            String k = root.get("host").get("ksm_policy").asText();
            try {
                ksmPolicy = HostSpec.KsmPolicy.valueOf(k.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ScenarioException("host.ksm_policy: unknown '" + k + "' (none, ksmtuned, mom)");
            }
        }
        if (!root.has("vms") || !root.get("vms").isArray() || root.get("vms").isEmpty()) {
            throw new ScenarioException("vms: expected a non-empty list of VMs");
        }
        List<HostSpec.Vm> vms = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int i = 0;
        for (JsonNode vm : root.get("vms")) vms.addAll(vms(vm, "vms[" + i++ + "]", names, baseDir));
        long sample = root.has("sample") ? duration(root.get("sample"), "sample")
                : duration > 0 ? Math.max(1_000_000L, duration / 100) : 1_000_000_000L;
        if (sample <= 0) throw new ScenarioException("sample: must be positive");
        long quantum = root.has("quantum") ? duration(root.get("quantum"), "quantum") : DEFAULT_QUANTUM_NANOS;
        if (quantum < 1_000) throw new ScenarioException("quantum: must be at least 1us");
        return new HostSpec(name, duration, sample, quantum, host, policy, ksmPolicy, vms);
    }

    private static HostSpec.Host host(JsonNode h) {
        fields(h, "host.", "ram", "reserve", "swap", "swap_kind", "ksm", "ksm_policy", "balloon_policy", "watermark_scale_factor");
        if (!h.has("ram")) throw new ScenarioException("host.ram: missing");
        long ram = size(h.get("ram"), "host.ram");
        if (ram == 0) throw new ScenarioException("host.ram: must be more than 0");
        long reserve = h.has("reserve") ? size(h.get("reserve"), "host.reserve") : 0;
        if (reserve >= ram) throw new ScenarioException("host.reserve: must be less than host.ram");
        long swap = h.has("swap") ? size(h.get("swap"), "host.swap") : 0;
        SwapKind kind = h.has("swap_kind") ? swapKind(h.get("swap_kind").asText()) : SwapKind.SSD;
        int wsf = h.has("watermark_scale_factor") ? intIn(h.get("watermark_scale_factor"), "host.watermark_scale_factor", 1, 3000)
                : HostSpec.Host.DEFAULT_WATERMARK_SCALE_FACTOR;
        KsmConfig ksm = h.has("ksm") ? ksm(h.get("ksm")) : KsmConfig.defaults(false);
        return new HostSpec.Host(ram, reserve, swap, kind, ksm, wsf);
    }

    private static SwapKind swapKind(String s) {
        for (SwapKind k : SwapKind.values()) if (k.key().equals(s.toLowerCase(Locale.ROOT))) return k;
        throw new ScenarioException("host.swap_kind: unknown '" + s + "' (hdd, ssd, nvme, zram)");
    }

    private static KsmConfig ksm(JsonNode k) {
        if (k.isBoolean()) return KsmConfig.defaults(k.asBoolean());
        fields(k, "host.ksm.", "run", "pages_to_scan", "sleep_millisecs", "max_page_sharing", "use_zero_pages",
                "smart_scan", "merge_across_nodes");
        KsmConfig d = KsmConfig.defaults(true);
        int run = k.has("run") ? intIn(k.get("run"), "host.ksm.run", 0, 2) : 1;
        return new KsmConfig(run == 1,
                k.has("pages_to_scan") ? intIn(k.get("pages_to_scan"), "host.ksm.pages_to_scan", 0, Integer.MAX_VALUE) : d.pagesToScan(),
                k.has("sleep_millisecs") ? intIn(k.get("sleep_millisecs"), "host.ksm.sleep_millisecs", 0, Integer.MAX_VALUE) : d.sleepMillisecs(),
                k.has("max_page_sharing") ? intIn(k.get("max_page_sharing"), "host.ksm.max_page_sharing", 2, Integer.MAX_VALUE) : d.maxPageSharing(),
                k.has("use_zero_pages") && bool(k.get("use_zero_pages"), "host.ksm.use_zero_pages"),
                !k.has("smart_scan") || bool(k.get("smart_scan"), "host.ksm.smart_scan"),
                !k.has("merge_across_nodes") || bool(k.get("merge_across_nodes"), "host.ksm.merge_across_nodes"));
    }

    private static HostSpec.Policy policy(JsonNode p) {
        if (p == null) return new HostSpec.Policy(HostSpec.PolicyKind.NONE, DEFAULT_POLICY_INTERVAL_NANOS, DEFAULT_PROXMOX_TARGET_PERCENT);
        String kindText = p.isTextual() ? p.asText() : p.path("kind").asText("");
        if (p.isObject()) fields(p, "host.balloon_policy.", "kind", "interval", "target_percent");
        HostSpec.PolicyKind kind;
        try {
            kind = HostSpec.PolicyKind.valueOf(kindText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("host.balloon_policy.kind: unknown '" + kindText + "' (none, fixed, mom, proxmox)");
        }
        long interval = p.has("interval") ? duration(p.get("interval"), "host.balloon_policy.interval") : DEFAULT_POLICY_INTERVAL_NANOS;
        if (interval <= 0) throw new ScenarioException("host.balloon_policy.interval: must be positive");
        int target = p.has("target_percent") ? intIn(p.get("target_percent"), "host.balloon_policy.target_percent", 1, 100)
                : DEFAULT_PROXMOX_TARGET_PERCENT;
        return new HostSpec.Policy(kind, interval, target);
    }

    private static List<HostSpec.Vm> vms(JsonNode v, String at, Set<String> names, Path baseDir) {
        if (!v.isObject()) throw new ScenarioException(at + ": expected a mapping");
        fields(v, at + ".", "name", "count", "memory", "qemu", "mem_merge", "mmu", "oom_score_adj", "start",
                "start_stagger", "boot_touch", "balloon", "workload", "resident_limit", "guest");
        String name = v.has("name") ? v.get("name").asText() : "vm";
        int count = v.has("count") ? intIn(v.get("count"), at + ".count", 1, 4096) : 1;
        MachineConfig machine = machine(v, at);
        long ram = machine.layout().ramSize();
        MmuMode mmu = null;
        if (v.has("mmu")) {
            try {
                mmu = MmuMode.valueOf(v.get("mmu").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ScenarioException(at + ".mmu: unknown '" + v.get("mmu").asText() + "' (ept, npt, shadow)");
            }
        }
        int adj = v.has("oom_score_adj") ? intIn(v.get("oom_score_adj"), at + ".oom_score_adj", -1000, 1000) : 0;
        long start = v.has("start") ? duration(v.get("start"), at + ".start") : 0;
        long stagger = v.has("start_stagger") ? duration(v.get("start_stagger"), at + ".start_stagger") : 0;
        long boot = v.has("boot_touch") ? size(v.get("boot_touch"), at + ".boot_touch") : 0;
        if (boot > ram) throw new ScenarioException(at + ".boot_touch: larger than the VM's memory");
        HostSpec.Balloon balloon = balloon(v.get("balloon"), at + ".balloon", ram);
        List<Op> ops = v.has("workload") ? ops(v.get("workload"), at + ".workload", ram, baseDir) : List.of();
        long limit = v.has("resident_limit") ? size(v.get("resident_limit"), at + ".resident_limit") : 0;
        if (limit != 0 && (limit < MIN_RESIDENT_LIMIT || limit % 4096 != 0)) {
            throw new ScenarioException(at + ".resident_limit: must be a multiple of 4 KiB and at least 4 MiB");
        }
        GuestProfile guest = v.has("guest") ? guest(v.get("guest"), at + ".guest") : null;
        List<HostSpec.Vm> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String n = count == 1 ? name : name + "-" + i;
            if (!names.add(n)) throw new ScenarioException(at + ".name: duplicate VM name '" + n + "'");
            out.add(new HostSpec.Vm(n, machine, mmu, adj, start + i * stagger, boot, balloon, ops, limit, guest));
        }
        return out;
    }

    /** {@code guest: linux} or {@code guest: "linux,thp=always,free-page-reporting=on"}, as {@code run --guest}. */
    private static GuestProfile guest(JsonNode g, String at) {
        if (!g.isTextual()) throw new ScenarioException(at + ": expected micro or linux[,OPTIONS], got '" + g + "'");
        try {
            return GuestProfile.parse(g.asText(), at);
        } catch (EngineException e) {
            throw new ScenarioException(e.getMessage());
        }
    }

    private static HostSpec.Balloon balloon(JsonNode b, String at, long ram) {
        if (b == null || (b.isBoolean() && !b.asBoolean())) return null;
        if (b.isBoolean()) return new HostSpec.Balloon(false, 0, DEFAULT_SHARES, 0, 0);
        fields(b, at + ".", "deflate_on_oom", "min", "shares", "target", "at", "reclaim");
        boolean doo = b.has("deflate_on_oom") && bool(b.get("deflate_on_oom"), at + ".deflate_on_oom");
        long min = b.has("min") ? size(b.get("min"), at + ".min") : 0;
        if (min > ram) throw new ScenarioException(at + ".min: larger than the VM's memory");
        int shares = b.has("shares") ? intIn(b.get("shares"), at + ".shares", 0, 50_000) : DEFAULT_SHARES;
        long target = b.has("target") ? size(b.get("target"), at + ".target") : 0;
        if (target > ram) throw new ScenarioException(at + ".target: larger than the VM's memory");
        long when = b.has("at") ? duration(b.get("at"), at + ".at") : 0;
        boolean reclaim = b.has("reclaim") && bool(b.get("reclaim"), at + ".reclaim");
        return new HostSpec.Balloon(doo, min, shares, target, when, reclaim);
    }

    private static List<Op> ops(JsonNode w, String at, long ram, Path baseDir) {
        Workload workload;
        try {
            workload = WorkloadParser.parseNode(w, at, baseDir);
        } catch (WorkloadException e) {
            throw new ScenarioException(e.getMessage());
        }
        List<Op> ops = new ArrayList<>();
        int i = 0;
        for (Workload.Step step : workload.steps()) ops.add(checked(step.op(), at + "[" + i++ + "] '" + step.text() + "'", ram));
        try {
            WorkloadLimits.check(workload, ram);
        } catch (WorkloadException e) {
            throw new ScenarioException(at + ": " + e.getMessage());
        }
        return ops;
    }

    /**
     * The VM's whole machine: its {@code qemu} options, with {@code memory} as a last {@code -m} and
     * {@code mem_merge} overriding the RAM's merge (the backend's, or {@code -machine mem-merge}); QEMU's default
     * 128 MiB without either.
     */
    private static MachineConfig machine(JsonNode v, String at) {
        List<String> words = v.has("qemu") ? qemuWords(v.get("qemu")) : new ArrayList<>();
        if (v.has("memory")) {
            long ram = size(v.get("memory"), at + ".memory");
            checkRam(ram, at);
            words.add("-m");
            words.add((ram >> 10) + "K");
        }
        MachineConfig m;
        try {
            m = QemuArgs.parse(words);
        } catch (ConfigException e) {
            throw new ScenarioException(at + (v.has("qemu") ? ".qemu" : ".memory") + ": " + e.getMessage());
        }
        checkRam(m.layout().ramSize(), at);
        if (!v.has("mem_merge")) return m;
        boolean merge = bool(v.get("mem_merge"), at + ".mem_merge");
        MemoryBackend b = m.backend();
        MemoryBackend backend = b == null ? null : new MemoryBackend(b.id(), b.kind(), b.size(), b.share(), b.prealloc(),
                b.reserve(), merge, b.memPath(), b.hugetlb());
        return new MachineConfig(m.layout(), backend, merge, m.smp(), m.warnings());
    }

    private static void checkRam(long ram, String at) {
        if (ram < (4L << 20) || ram % 4096 != 0) {
            throw new ScenarioException(at + ".memory: must be a multiple of 4 KiB and at least 4 MiB");
        }
    }

    /**
     * The memory options of a QEMU command line (a string or a list of words), for {@link QemuArgs}: {@code -m},
     * {@code -machine} (mem-merge), {@code -object memory-backend-*}, {@code -mem-path}, {@code -mem-prealloc},
     * {@code -smp}, {@code -cpu}. Other options (disks, {@code -enable-kvm}, {@code -daemonize}) are skipped.
     */
    private static List<String> qemuWords(JsonNode n) {
        List<String> words = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode x : n) words.add(x.asText());
        } else {
            words.addAll(List.of(n.asText().trim().split("\\s+")));
        }
        List<String> memory = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (QemuArgs.FLAGS.contains(w)) {
                memory.add(w);
            } else if (QemuArgs.WITH_VALUE.contains(w) && i + 1 < words.size()) {
                memory.add(w);
                memory.add(words.get(++i));
            }
        }
        return memory;
    }

    /** Ranges must lie inside the guest's RAM-sized workload region. */
    private static Op checked(Op op, String at, long ram) {
        long end = switch (op) {
            case Op.Touch t -> t.offset() + t.bytes();
            case Op.Read r -> r.offset() + r.bytes();
            case Op.Fill f -> f.offset() + f.bytes();
            case Op.Random r -> r.over();
            case Op.Repeat r -> {
                for (Op o : r.body()) checked(o, at, ram);
                yield 0;
            }
            case Op.Unmap u -> u.offset() + u.bytes();
            case Op.Remap r -> r.offset() + r.bytes();
            case Op.Free f -> f.offset() + f.bytes();
            case Op.Balloon b -> b.bytes();
            default -> 0;
        };
        if (end > ram) throw new ScenarioException(at + ": range ends at " + end + " bytes, beyond the VM's " + ram + " bytes of memory");
        return op;
    }

    // ---------------------------------------------------------------- field helpers

    private static void fields(JsonNode n, String prefix, String... allowed) {
        if (!n.isObject()) throw new ScenarioException((prefix.isEmpty() ? "scenario" : prefix.substring(0, prefix.length() - 1)) + ": expected a mapping");
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!ok.contains(f)) throw new ScenarioException(prefix + f + ": unknown field (expected one of " + String.join(", ", allowed) + ")");
        }
    }

    /** A size in QEMU's grammar; a bare number is MiB, as for {@code -m} and in workloads. */
    static long size(JsonNode n, String field) {
        try {
            return WorkloadUnits.parseSize(n.asText());
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(field + ": invalid size '" + n.asText() + "' (e.g. 512M, 4G)");
        }
    }

    /** A duration with its unit ({@code 500ms}, {@code 10s}, {@code 10m}), as in workloads. */
    static long duration(JsonNode n, String field) {
        try {
            return WorkloadUnits.parseDuration(n.asText());
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(field + ": invalid duration '" + n.asText() + "' (e.g. 500ms, 10s, 10m)");
        }
    }

    private static int intIn(JsonNode n, String field, int lo, int hi) {
        if (!n.canConvertToInt() || !n.isIntegralNumber()) throw new ScenarioException(field + ": expected an integer, got '" + n.asText() + "'");
        int v = n.asInt();
        if (v < lo || v > hi) throw new ScenarioException(field + ": " + v + " is out of range [" + lo + ", " + hi + "]");
        return v;
    }

    private static boolean bool(JsonNode n, String field) {
        if (n.isBoolean()) return n.asBoolean();
        String s = n.asText().toLowerCase(Locale.ROOT);
        if (s.equals("on") || s.equals("yes")) return true;
        if (s.equals("off") || s.equals("no")) return false;
        throw new ScenarioException(field + ": expected true/false or on/off, got '" + n.asText() + "'");
    }
}
