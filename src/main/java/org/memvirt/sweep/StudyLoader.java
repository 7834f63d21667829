package org.memvirt.sweep;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.memvirt.TextFile;
import org.memvirt.engine.HostSpec;
import org.memvirt.scenario.ScenarioLoader;
import org.memvirt.workload.DocumentLoader;
import org.memvirt.workload.LocatedTree;
import org.memvirt.workload.WorkloadUnits;

/**
 * Reads a study file (YAML or JSON, through the one {@link DocumentLoader}) with the base scenario and fleet CSVs it
 * names into a {@link Study}; every error is one line, {@code FILE:LINE:COLUMN: FIELD: PROBLEM}. The format is in
 * docs/commands/sweep.md.
 */
public final class StudyLoader {
    static final Set<String> FIELDS = Set.of("name", "scenario", "seed", "hosts", "engine", "parameters", "mix", "mixes",
            "metrics");
    static final Set<String> MIX_FIELDS = Set.of("count", "memory", "working_set", "identical", "freed", "idle",
            "accesses", "writes", "start_stagger", "balloon", "csv");
    static final int MAX_HOSTS_PER_POINT = 100_000;
    static final int MAX_HOSTS = 10_000_000;
    static final int MAX_VMS = 4096;                                // as a scenario's count:
    static final long MAX_MEMORY = 1L << 40;                        // a drawn VM of more than 1 TiB is cut to 1 TiB
    static final long DEFAULT_ACCESSES = 100_000;
    static final int DEFAULT_WRITES = 20;

    private final LocatedTree doc;
    private final String file;
    private StudySource source;

    private StudyLoader(LocatedTree doc, String file) {
        this.doc = doc;
        this.file = file;
    }

    /** Reads {@code file} and the files it names. */
    public static Study load(Path file) {
        String text = TextFile.read(file, "study");
        LocatedTree doc = DocumentLoader.parse(text, file.toString(), file.toString().toLowerCase(Locale.ROOT).endsWith(".json"));
        StudyLoader loader = new StudyLoader(doc, file.toString());
        Path dir = file.toAbsolutePath().getParent();
        Path scenario = dir.resolve(loader.requiredText("scenario"));
        String scenarioText = TextFile.read(scenario, "scenario");
        HostSpec base = ScenarioLoader.load(scenario);              // errors point into the scenario file
        Map<String, String> fleets = new TreeMap<>();
        for (Map.Entry<String, String> csv : loader.fleetPaths().entrySet()) {
            fleets.put(csv.getValue(), TextFile.read(dir.resolve(csv.getValue()), "fleet CSV"));
        }
        return loader.study(new StudySource(file.toString(), text, scenario.toString(), scenarioText, fleets), base);
    }

    /** Reads a study from its texts (what a Spark executor does with the driver's {@link StudySource}). */
    public static Study parse(StudySource source) {
        LocatedTree doc = DocumentLoader.parse(source.studyText(), source.studyFile(), source.json());
        Path scenario = Path.of(source.scenarioFile());
        String name = scenario.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        HostSpec base = ScenarioLoader.parse(source.scenarioText(), name, scenario.toAbsolutePath().getParent());
        return new StudyLoader(doc, source.studyFile()).study(source, base);
    }

    private Study study(StudySource source, HostSpec base) {
        this.source = source;
        LocatedTree.Mapping root = mapping(doc, "");
        fields(root, "", FIELDS);
        String name = root.entries().containsKey("name") ? scalar(root.entries().get("name"), "name").text()
                : Path.of(file).getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        long seed = root.entries().containsKey("seed") ? seed(root.entries().get("seed")) : 0;
        int hosts = root.entries().containsKey("hosts") ? intIn(root.entries().get("hosts"), "hosts", 1, MAX_HOSTS_PER_POINT) : 1;
        String engine = root.entries().containsKey("engine") ? engine(root.entries().get("engine")) : "sim";
        Map<String, VmMix> mixes = mixes(root);
        Grid grid = grid(root, base, mixes);
        List<Metric> metrics = metrics(root);
        if ((long) grid.points().size() * hosts > MAX_HOSTS) {
            throw error("hosts", grid.points().size() + " points x " + hosts + " hosts is more than " + MAX_HOSTS + " hosts");
        }
        checkMixes(grid, mixes, base);
        return new Study(name, seed, hosts, engine, base, grid.parameters(), grid.points(), mixes, metrics, source);
    }

    // ---------------------------------------------------------------- parameters

    /** The varied parameters (lists) and the fixed ones (single values), and the points they make. */
    private record Grid(List<String> parameters, List<Point> points) {}

    private Grid grid(LocatedTree.Mapping root, HostSpec base, Map<String, VmMix> mixes) {
        String defaultMix = mixes.containsKey("default") ? "default" : mixes.keySet().iterator().next();
        Point.Settings settings = new Point.Settings(Double.NaN, base.host().ramBytes(),
                new SwapSize.Fixed(base.host().swapBytes()), base.host().ksm().run(), base.ksmPolicy(),
                base.policy().kind(), false, defaultMix);
        List<String> names = new ArrayList<>();
        List<List<Setting>> axes = new ArrayList<>();
        LocatedTree p = root.entries().get("parameters");
        if (p != null) {
            for (Map.Entry<String, LocatedTree> e : mapping(p, "parameters").entries().entrySet()) {
                String at = "parameters." + e.getKey();
                if (e.getValue() instanceof LocatedTree.Sequence list) {
                    if (list.items().isEmpty()) throw error(at, "an empty list (give one value or several)");
                    List<Setting> values = new ArrayList<>();
                    Set<String> seen = new LinkedHashSet<>();
                    for (int i = 0; i < list.items().size(); i++) {
                        Setting s = setting(e.getKey(), list.items().get(i), at + "[" + i + "]", mixes);
                        if (!seen.add(s.label())) throw error(at + "[" + i + "]", "'" + s.label() + "' is in the list twice");
                        values.add(s);
                    }
                    names.add(e.getKey());
                    axes.add(values);
                } else {
                    settings = setting(e.getKey(), e.getValue(), at, mixes).apply(settings);
                }
            }
        }
        List<Point> points = new ArrayList<>();
        addPoints(points, axes, 0, new ArrayList<>(), settings);
        if (mixes.size() > 1 && !names.contains("mix") && !mixes.containsKey(settings.mix())) {
            throw error("parameters", "several mixes but no 'mix' parameter to choose one");
        }
        return new Grid(names, points);
    }

    private static void addPoints(List<Point> out, List<List<Setting>> axes, int axis, List<Setting> chosen,
            Point.Settings settings) {
        if (axis == axes.size()) {
            out.add(new Point(out.size(), chosen, settings));
            return;
        }
        for (Setting s : axes.get(axis)) {
            List<Setting> next = new ArrayList<>(chosen);
            next.add(s);
            addPoints(out, axes, axis + 1, next, s.apply(settings));
        }
    }

    private Setting setting(String key, LocatedTree node, String at, Map<String, VmMix> mixes) {
        return switch (key) {
            case "overcommit" -> {
                double r = number(node, at);
                if (!(r > 0 && r <= 100)) throw error(at, "an overcommit ratio must be above 0 and at most 100, not " + text(node, at));
                yield new Setting.Overcommit(r);
            }
            case "host_ram" -> {
                long b = size(node, at);
                if (b < VmProfile.MIN_MEMORY_BYTES || b % 4096 != 0) throw error(at, "host RAM must be a multiple of 4 KiB and at least 4 MiB");
                yield new Setting.HostRam(b);
            }
            case "swap" -> new Setting.Swap(swap(node, at));
            case "ksm" -> new Setting.Ksm(bool(node, at));
            case "free_page_reporting" -> new Setting.FreePageReporting(bool(node, at));
            case "ksm_policy" -> new Setting.KsmPolicy(word(node, at, HostSpec.KsmPolicy.class, "none, ksmtuned, mom"));
            case "balloon_policy" -> {
                HostSpec.PolicyKind k = word(node, at, HostSpec.PolicyKind.class, "none, mom, proxmox");
                if (k == HostSpec.PolicyKind.FIXED) throw error(at, "'fixed' needs each VM's target; a sweep's VMs have none (none, mom, proxmox)");
                yield new Setting.BalloonPolicy(k);
            }
            case "mix" -> {
                String m = text(node, at);
                if (!mixes.containsKey(m)) throw error(at, "no mix '" + m + "' (the study has " + String.join(", ", mixes.keySet()) + ")");
                yield new Setting.Mix(m);
            }
            default -> throw error(at, "unknown parameter (expected one of overcommit, host_ram, swap, ksm, ksm_policy,"
                    + " balloon_policy, free_page_reporting, mix)");
        };
    }

    /** {@code plan}, {@code plan/N} or a size. */
    private SwapSize swap(LocatedTree node, String at) {
        String t = text(node, at);
        if (t.equals("plan")) return new SwapSize.Plan(1);
        if (t.startsWith("plan/")) {
            try {
                double d = Double.parseDouble(t.substring(5));
                if (d >= 1 && d <= 1000) return new SwapSize.Plan(d);
            } catch (NumberFormatException e) {
                // refused below
            }
            throw error(at, "expected plan/N with N from 1 to 1000, not '" + t + "'");
        }
        return new SwapSize.Fixed(size(node, at));
    }

    // ---------------------------------------------------------------- mixes

    private Map<String, VmMix> mixes(LocatedTree.Mapping root) {
        boolean one = root.entries().containsKey("mix");
        boolean many = root.entries().containsKey("mixes");
        if (one == many) throw error("", one ? "both 'mix' and 'mixes'; give one" : "no VM mix: give 'mix' (or 'mixes')");
        Map<String, VmMix> out = new LinkedHashMap<>();
        if (one) {
            out.put("default", mix("default", root.entries().get("mix"), "mix"));
        } else {
            LocatedTree.Mapping m = mapping(root.entries().get("mixes"), "mixes");
            if (m.entries().isEmpty()) throw error("mixes", "no mixes");
            for (Map.Entry<String, LocatedTree> e : m.entries().entrySet()) {
                out.put(e.getKey(), mix(e.getKey(), e.getValue(), "mixes." + e.getKey()));
            }
        }
        return out;
    }

    /** The CSV paths the mixes name, by field path. */
    private Map<String, String> fleetPaths() {
        Map<String, String> out = new LinkedHashMap<>();
        LocatedTree.Mapping root = mapping(doc, "");
        if (root.entries().get("mix") instanceof LocatedTree.Mapping m && m.entries().containsKey("csv")) {
            out.put("mix.csv", text(m.entries().get("csv"), "mix.csv"));
        }
        if (root.entries().get("mixes") instanceof LocatedTree.Mapping all) {
            for (Map.Entry<String, LocatedTree> e : all.entries().entrySet()) {
                if (e.getValue() instanceof LocatedTree.Mapping m && m.entries().containsKey("csv")) {
                    String at = "mixes." + e.getKey() + ".csv";
                    out.put(at, text(m.entries().get("csv"), at));
                }
            }
        }
        return out;
    }

    private VmMix mix(String name, LocatedTree node, String at) {
        LocatedTree.Mapping m = mapping(node, at);
        fields(m, at + ".", MIX_FIELDS);
        Map<String, LocatedTree> e = m.entries();
        FleetCsv fleet = null;
        if (e.containsKey("csv")) {
            for (String f : List.of("memory", "working_set", "identical", "freed", "idle")) {
                if (e.containsKey(f)) throw error(at + "." + f, "comes from the CSV's column; remove it or the csv");
            }
            String path = text(e.get("csv"), at + ".csv");
            String csv = fleetText(path);
            if (csv == null) throw error(at + ".csv", "no such file in the study's sources: " + path);
            fleet = FleetCsv.parse(csv, path);
        } else if (!e.containsKey("memory")) {
            throw error(at + ".memory", "missing (or give csv: with a fleet's VMs)");
        }
        int count = e.containsKey("count") ? intIn(e.get("count"), at + ".count", 1, MAX_VMS) : 0;
        Distribution memory = fleet != null ? null : distribution(e.get("memory"), at + ".memory", this::sizeValue, false);
        if (memory != null && memory.min() < VmProfile.MIN_MEMORY_BYTES) throw error(at + ".memory", "a VM needs at least 4 MiB");
        Distribution ws = share(e, "working_set", at, 1);
        Distribution identical = share(e, "identical", at, 0);
        Distribution freed = share(e, "freed", at, 0);
        Distribution idle = e.containsKey("idle") ? distribution(e.get("idle"), at + ".idle", this::durationValue, false)
                : new Distribution.Constant(0);
        if (idle.min() < 0) throw error(at + ".idle", "a duration must not be negative");
        long accesses = e.containsKey("accesses") ? count(e.get("accesses"), at + ".accesses") : DEFAULT_ACCESSES;
        int writes = e.containsKey("writes") ? percent(e.get("writes"), at + ".writes") : DEFAULT_WRITES;
        double stagger = e.containsKey("start_stagger") ? durationValue(text(e.get("start_stagger"), at + ".start_stagger"), at + ".start_stagger") : 0;
        boolean deflate = true;
        double min = 0;
        if (e.containsKey("balloon")) {
            LocatedTree.Mapping b = mapping(e.get("balloon"), at + ".balloon");
            fields(b, at + ".balloon.", Set.of("deflate_on_oom", "min"));
            if (b.entries().containsKey("deflate_on_oom")) deflate = bool(b.entries().get("deflate_on_oom"), at + ".balloon.deflate_on_oom");
            if (b.entries().containsKey("min")) min = shareValue(text(b.entries().get("min"), at + ".balloon.min"), at + ".balloon.min");
        }
        return new VmMix(name, count, memory, ws, identical, freed, idle, fleet, accesses, writes, (long) stagger, deflate, min);
    }

    private Distribution share(Map<String, LocatedTree> e, String field, String at, double otherwise) {
        if (!e.containsKey(field)) return new Distribution.Constant(otherwise);
        return distribution(e.get(field), at + "." + field, this::shareValue, true);
    }

    private String fleetText(String path) {
        return source == null ? null : source.fleetTexts().get(path);
    }

    /** The mixes fit the grid: counts or an overcommit ratio, and no point needing more than {@link #MAX_VMS} VMs. */
    private void checkMixes(Grid grid, Map<String, VmMix> mixes, HostSpec base) {
        for (Point p : grid.points()) {
            Point.Settings s = p.settings();
            VmMix mix = mixes.get(s.mix());
            String at = mixes.size() == 1 && mixes.containsKey("default") ? "mix" : "mixes." + mix.name();
            if (s.hostRamBytes() <= base.host().reserveBytes()) {
                throw error("parameters.host_ram", "host RAM " + org.memvirt.engine.Units.human(s.hostRamBytes())
                        + " is not more than the base scenario's reserve");
            }
            if (Double.isNaN(s.overcommit())) {
                if (mix.count() == 0) throw error(at + ".count", "missing: without an overcommit parameter, the mix says how many VMs a host gets");
                continue;
            }
            if (mix.count() != 0) throw error(at + ".count", "the study sets overcommit, which decides how many VMs a host gets");
            double smallest = mix.fleet() != null ? smallestRow(mix.fleet()) : Math.max(VmProfile.MIN_MEMORY_BYTES, mix.memory().min());
            if (s.overcommit() * s.hostRamBytes() / smallest > MAX_VMS) {
                throw error("parameters.overcommit", "at " + p.label() + " a host could get more than " + MAX_VMS
                        + " VMs of " + org.memvirt.engine.Units.human((long) smallest));
            }
        }
    }

    private static double smallestRow(FleetCsv fleet) {
        double m = Double.POSITIVE_INFINITY;
        for (int i = 0; i < fleet.rows().size(); i++) if (fleet.weights()[i] > 0) m = Math.min(m, fleet.rows().get(i).memoryBytes());
        return m;
    }

    // ---------------------------------------------------------------- distributions

    /** A value of a field's unit from text; throws {@link SweepException} naming {@code at}. */
    private interface Unit {
        double parse(String text, String at);
    }

    /**
     * A constant, or a mapping with one of {@code uniform: [LO, HI]}, {@code choice: [...]} (with an optional
     * {@code weights: [...]}), {@code exponential: MEAN}, {@code lognormal: [MEDIAN, SIGMA]}; a share allows only the
     * bounded ones, within [0, 1].
     */
    private Distribution distribution(LocatedTree node, String at, Unit unit, boolean share) {
        if (node instanceof LocatedTree.Scalar s) return check(new Distribution.Constant(unit.parse(s.text(), at)), at, share);
        LocatedTree.Mapping m = mapping(node, at);
        Set<String> kinds = new LinkedHashSet<>(m.entries().keySet());
        kinds.remove("weights");
        if (kinds.size() != 1) throw error(at, "expected a value or one of uniform, choice, exponential, lognormal");
        String kind = kinds.iterator().next();
        LocatedTree v = m.entries().get(kind);
        String vat = at + "." + kind;
        if (m.entries().containsKey("weights") && !kind.equals("choice")) throw error(at + ".weights", "only a choice has weights");
        Distribution d;
        try {
            d = switch (kind) {
                case "uniform" -> {
                    List<LocatedTree> two = list(v, vat, 2);
                    yield new Distribution.Uniform(unit.parse(text(two.get(0), vat + "[0]"), vat + "[0]"),
                            unit.parse(text(two.get(1), vat + "[1]"), vat + "[1]"));
                }
                case "choice" -> choice(m, v, vat, unit);
                case "exponential" -> {
                    if (share) throw error(vat, "a share needs a bounded distribution (a value, uniform or choice)");
                    yield new Distribution.Exponential(unit.parse(text(v, vat), vat));
                }
                case "lognormal" -> {
                    if (share) throw error(vat, "a share needs a bounded distribution (a value, uniform or choice)");
                    List<LocatedTree> two = list(v, vat, 2);
                    yield new Distribution.LogNormal(unit.parse(text(two.get(0), vat + "[0]"), vat + "[0]"),
                            number(two.get(1), vat + "[1]"));
                }
                default -> throw error(at + "." + kind, "unknown distribution (expected uniform, choice, exponential, lognormal)");
            };
        } catch (IllegalArgumentException e) {
            throw error(vat, e.getMessage());
        }
        return check(d, at, share);
    }

    private Distribution choice(LocatedTree.Mapping m, LocatedTree v, String vat, Unit unit) {
        if (!(v instanceof LocatedTree.Sequence q) || q.items().isEmpty()) throw error(vat, "expected a non-empty list");
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < q.items().size(); i++) values.add(unit.parse(text(q.items().get(i), vat + "[" + i + "]"), vat + "[" + i + "]"));
        List<Double> weights = new ArrayList<>();
        if (m.entries().containsKey("weights")) {
            String wat = vat.substring(0, vat.lastIndexOf('.')) + ".weights";
            List<LocatedTree> w = list(m.entries().get("weights"), wat, values.size());
            for (int i = 0; i < w.size(); i++) weights.add(number(w.get(i), wat + "[" + i + "]"));
        } else {
            for (int i = 0; i < values.size(); i++) weights.add(1.0);
        }
        return new Distribution.Choice(values, weights);
    }

    private Distribution check(Distribution d, String at, boolean share) {
        if (share && (d.min() < 0 || d.max() > 1)) throw error(at, "a share must lie within 0..1 (or 0%..100%)");
        return d;
    }

    private double sizeValue(String t, String at) {
        try {
            return Math.min(MAX_MEMORY, WorkloadUnits.parseSize(t));
        } catch (IllegalArgumentException e) {
            throw error(at, "invalid size '" + t + "' (e.g. 512M, 4G)");
        }
    }

    private double durationValue(String t, String at) {
        try {
            return WorkloadUnits.parseDuration(t);
        } catch (IllegalArgumentException e) {
            throw error(at, "invalid duration '" + t + "' (e.g. 30m, 6h)");
        }
    }

    /** A share: {@code 0.25} or {@code 25%}. */
    private double shareValue(String t, String at) {
        try {
            double v = t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
            if (v >= 0 && v <= 1) return v;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw error(at, "expected a share such as 0.25 or 25%, not '" + t + "'");
    }

    // ---------------------------------------------------------------- scalars

    private List<Metric> metrics(LocatedTree.Mapping root) {
        LocatedTree m = root.entries().get("metrics");
        if (m == null) return List.of(Metric.values());
        if (!(m instanceof LocatedTree.Sequence q) || q.items().isEmpty()) throw error("metrics", "expected a non-empty list");
        Set<Metric> out = new LinkedHashSet<>();
        for (int i = 0; i < q.items().size(); i++) {
            String k = text(q.items().get(i), "metrics[" + i + "]");
            Metric metric = Metric.byKey(k);
            if (metric == null) {
                List<String> keys = new ArrayList<>();
                for (Metric x : Metric.values()) keys.add(x.key());
                throw error("metrics[" + i + "]", "unknown metric '" + k + "' (" + String.join(", ", keys) + ")");
            }
            out.add(metric);
        }
        return List.copyOf(out);
    }

    private String engine(LocatedTree node) {
        String t = text(node, "engine").toLowerCase(Locale.ROOT);
        if (t.equals("sim") || t.equals("auto")) return t;
        throw error("engine", "a sweep runs on an engine with virtual time: sim (or auto, which picks it), not '" + t + "'");
    }

    private long seed(LocatedTree node) {
        String t = text(node, "seed");
        try {
            BigInteger v = t.startsWith("0x") || t.startsWith("0X") ? new BigInteger(t.substring(2), 16) : new BigInteger(t);
            if (v.signum() >= 0 && v.bitLength() <= 64) return v.longValue();
        } catch (NumberFormatException e) {
            // refused below
        }
        throw error("seed", "expected an unsigned 64-bit integer (decimal or 0x hex), not '" + t + "'");
    }

    private long count(LocatedTree node, String at) {
        String t = text(node, at);
        try {
            return WorkloadUnits.parseCount(t);
        } catch (IllegalArgumentException e) {
            throw error(at, "expected a count such as 200000 or 200K, not '" + t + "'");
        }
    }

    private int percent(LocatedTree node, String at) {
        String t = text(node, at).replaceFirst("%$", "");
        try {
            int v = Integer.parseInt(t);
            if (v >= 0 && v <= 100) return v;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw error(at, "expected a percentage 0..100, not '" + text(node, at) + "'");
    }

    private int intIn(LocatedTree node, String at, int lo, int hi) {
        LocatedTree.Scalar s = scalar(node, at);
        if (s.type() == LocatedTree.Type.INTEGER) {
            try {
                int v = Integer.parseInt(s.text().replaceFirst("^\\+", ""));
                if (v >= lo && v <= hi) return v;
            } catch (NumberFormatException e) {
                // refused below
            }
        }
        throw error(at, "expected an integer from " + lo + " to " + hi + ", not '" + s.text() + "'");
    }

    private double number(LocatedTree node, String at) {
        String t = text(node, at);
        try {
            double v = Double.parseDouble(t);
            if (Double.isFinite(v) && t.matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) return v;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw error(at, "expected a number, not '" + t + "'");
    }

    private long size(LocatedTree node, String at) {
        String t = text(node, at);
        try {
            return WorkloadUnits.parseSize(t);
        } catch (IllegalArgumentException e) {
            throw error(at, "invalid size '" + t + "' (e.g. 512M, 4G)");
        }
    }

    private boolean bool(LocatedTree node, String at) {
        String t = text(node, at).toLowerCase(Locale.ROOT);
        return switch (t) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw error(at, "expected on/off or true/false, not '" + text(node, at) + "'");
        };
    }

    private <E extends Enum<E>> E word(LocatedTree node, String at, Class<E> type, String expected) {
        String t = text(node, at);
        try {
            return Enum.valueOf(type, t.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error(at, "unknown '" + t + "' (" + expected + ")");
        }
    }

    private String requiredText(String field) {
        LocatedTree.Mapping root = mapping(doc, "");
        if (!root.entries().containsKey(field)) throw error(field, "missing");
        return text(root.entries().get(field), field);
    }

    private String text(LocatedTree node, String at) {
        return scalar(node, at).text();
    }

    private LocatedTree.Scalar scalar(LocatedTree node, String at) {
        if (node instanceof LocatedTree.Scalar s && s.type() != LocatedTree.Type.NULL) return s;
        throw error(at, node instanceof LocatedTree.Scalar ? "missing a value" : "expected a single value, not "
                + (node instanceof LocatedTree.Sequence ? "a list" : "a mapping"));
    }

    private List<LocatedTree> list(LocatedTree node, String at, int size) {
        if (node instanceof LocatedTree.Sequence q && q.items().size() == size) return q.items();
        throw error(at, "expected a list of " + size);
    }

    private LocatedTree.Mapping mapping(LocatedTree node, String at) {
        if (node instanceof LocatedTree.Mapping m) return m;
        throw error(at, "expected a mapping");
    }

    private void fields(LocatedTree.Mapping m, String prefix, Set<String> allowed) {
        for (String f : m.entries().keySet()) {
            if (!allowed.contains(f)) {
                throw error(prefix + f, "unknown field (expected one of " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    /** {@code FILE:LINE:COLUMN: FIELD: PROBLEM}, at the node the field path leads to (or the deepest that exists). */
    private SweepException error(String at, String problem) {
        return new SweepException(doc.at(at).where(file) + ": " + (at.isEmpty() ? "study" : at) + ": " + problem);
    }
}
