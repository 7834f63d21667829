package org.memvirt.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The registered engines, and the one place an engine is chosen, with the reason that is printed.
 *
 * <p>Engines register in {@code META-INF/services/org.memvirt.engine.Engine}, one line each, in the order
 * {@code --engine auto} prefers them: the first that is usable here and accepts the request runs it (the sim, last,
 * runs everything a machine-independent model can). An engine whose kind is not {@link EngineKind#auto()} (the qemu
 * engine) is never auto's choice: it runs only when named.
 */
public final class Engines {
    private static final List<Engine> ALL = load();
    private static final List<Engine> AUTO = ALL.stream().filter(e -> e.kind().auto()).toList();

    private Engines() {}

    private static List<Engine> load() {
        List<Engine> out = new ArrayList<>();
        for (Engine e : ServiceLoader.load(Engine.class, Engines.class.getClassLoader())) out.add(e);
        for (EngineKind k : EngineKind.values()) {
            if (out.stream().noneMatch(e -> e.kind() == k)) throw new IllegalStateException("no engine registered for " + k);
        }
        return List.copyOf(out);
    }

    /** Every registered engine, in the order of registration ({@code --engine auto}'s preference among its own). */
    public static List<Engine> all() {
        return ALL;
    }

    /** The engines {@code --engine auto} chooses from, in its order of preference. */
    public static List<Engine> auto() {
        return AUTO;
    }

    /** The registered engine of {@code kind}. */
    public static Engine of(EngineKind kind) {
        for (Engine e : ALL) if (e.kind() == kind) return e;
        throw new IllegalStateException("no engine registered for " + kind);
    }

    /** What {@code --engine} asked for: one engine, or {@code auto} ({@code kind} null). */
    public record Request(EngineKind kind) {
        public static final Request AUTO = new Request(null);

        /**
         * {@code sim}, {@code kvm}, ... or {@code auto}, in any case; anything else is refused, as a usage error or
         * (for a scenario) an error naming the option.
         */
        public static Request parse(String word) {
            if (word.equalsIgnoreCase("auto")) return AUTO;
            EngineKind k = EngineKind.byKey(word);
            if (k == null) throw EngineException.usage("--engine must be " + words() + " or auto, not '" + word + "'");
            return new Request(k);
        }

        /** The words {@code --engine} takes besides {@code auto}: {@code sim, kvm, qemu}. */
        public static String words() {
            StringBuilder sb = new StringBuilder();
            for (EngineKind k : EngineKind.values()) sb.append(sb.isEmpty() ? "" : ", ").append(k.key());
            return sb.toString();
        }

        @Override
        public String toString() {
            return kind == null ? "auto" : kind.key();
        }
    }

    /**
     * The engine that will run and why.
     *
     * @param engine the engine
     * @param reason why, as reports print it: {@code --engine auto: /dev/kvm does not exist, so the simulator}
     * @param passedOver the engine {@code auto} preferred but could not use, or null
     * @param why the chosen engine's availability, or why {@code passedOver} could not be used
     */
    public record Choice(Engine engine, String reason, Engine passedOver, String why) {}

    /**
     * The engine {@code request} names, or for {@code auto} the first registered engine usable here, before any
     * spec is known (what the machine's options are checked against); {@link #forRun} makes the choice.
     *
     * @throws EngineException (exit status 3) if the engine asked for by name cannot run here
     */
    public static Engine candidate(Request request) {
        if (request.kind() != null) {
            Engine e = of(request.kind());
            Availability a = e.availability();
            if (!a.usable()) throw EngineException.host("--engine " + e.kind().key() + ": " + a.reason());
            return e;
        }
        for (Engine e : AUTO) if (e.availability().usable()) return e;
        return AUTO.getLast();
    }

    /**
     * Chooses the engine for one VM. An engine asked for by name must be usable here and accept {@code spec}; with
     * {@code auto} the first registered engine that does is chosen, and the reason says why the others were not.
     * An engine that cannot run here is a host error (exit status 3); refusals keep the engine's own status.
     */
    public static Choice forRun(Request request, RunSpec spec) {
        return choose(request, new Phrases(k -> k.description() + " cannot run it (%s)", "", null),
                (e, reason) -> e.check(spec, reason));
    }

    /**
     * Chooses the engine for one VM preferring a measurement to a model: the first registered engine with wall time
     * (a real VM: kvm, qemu) that is usable here and accepts {@code spec}, else the first model that does (the sim).
     * The reason is one sentence: {@code kvm engine: /dev/kvm usable (...)}, or the engine chosen and why each real
     * one before it could not be used: {@code sim engine: the kvm engine cannot run here (/dev/kvm does not exist)}.
     *
     * @throws EngineException when no engine accepts {@code spec} (the last refusal)
     */
    public static Choice preferReal(RunSpec spec) {
        return preferReal(ALL, spec);
    }

    /** {@link #preferReal(RunSpec)} among {@code engines}, in their order. */
    static Choice preferReal(List<Engine> engines, RunSpec spec) {
        List<String> passed = new ArrayList<>();
        Engine first = null;
        String firstWhy = null;
        EngineException refused = null;
        for (boolean real : new boolean[] {true, false}) {
            for (Engine e : engines) {
                if (e.kind().virtualTime() == real) continue;
                Availability a = e.availability();
                String why;
                if (a.usable()) {
                    String reason = e.kind().key() + " engine: " + String.join("; ", passed)
                            + (passed.isEmpty() || a.reason().isEmpty() ? "" : "; ") + a.reason();
                    try {
                        e.check(spec, reason);
                        return new Choice(e, reason, first, first == null ? a.reason() : firstWhy);
                    } catch (EngineException x) {
                        refused = x;
                        why = e.kind().description() + " cannot run it (" + x.getMessage() + ")";
                    }
                } else {
                    why = e.kind().description() + " cannot run here (" + a.reason() + ")";
                }
                if (!real) continue;                           // a model that refuses is not worth explaining
                passed.add(why);
                if (first == null) {
                    first = e;
                    firstWhy = a.usable() ? refused.getMessage() : a.reason();
                }
            }
        }
        if (refused != null) throw refused;
        throw new IllegalStateException("no engine registered");
    }

    /**
     * Chooses the engine for a host of many VMs, as {@link #forRun} does; refusals name the scenario's field, and
     * {@code auto} takes its first choice only where the whole scenario fits it.
     */
    public static Choice forHost(Request request, HostSpec spec) {
        return choose(request, new Phrases(k -> "the " + k.key() + " path cannot run it (%s)",
                " and the scenario fits this host", "%s; --engine auto cannot use %s: %s"),
                (e, reason) -> e.check(spec));
    }

    /** A check of one engine, given the reason it would be chosen for; throws {@link EngineException} to refuse. */
    private interface Check {
        void accept(Engine e, String reason);
    }

    /**
     * How reasons are worded for one kind of request.
     *
     * @param cannot why an engine passed over by auto was not used: a format for its refusal
     * @param fits added to auto's reason when its first choice runs
     * @param lastRefused when every engine refused: a format for the last one's refusal, the engine passed over and
     *        why; null to report the last refusal as it is
     */
    private record Phrases(Function<EngineKind, String> cannot, String fits, String lastRefused) {}

    private static Choice choose(Request request, Phrases words, Check check) {
        if (request.kind() != null) {
            Engine e = of(request.kind());
            Availability a = e.availability();
            String reason = "--engine " + e.kind().key() + (a.reason().isEmpty() ? "" : ": " + a.reason());
            if (!a.usable()) throw EngineException.host(reason);
            check.accept(e, reason);
            return new Choice(e, reason, null, a.reason());
        }
        String why = null;
        Engine passedOver = null;
        for (int i = 0; i < AUTO.size(); i++) {
            Engine e = AUTO.get(i);
            Availability a = e.availability();
            boolean last = i == AUTO.size() - 1;
            if (!a.usable() && !last) {
                why = a.reason();
                passedOver = e;
                continue;
            }
            String reason = "--engine auto: " + (why == null ? a.reason() + words.fits()
                    : why + ", so " + e.kind().description());
            try {
                check.accept(e, reason);
                return why == null ? new Choice(e, reason, null, a.reason()) : new Choice(e, reason, passedOver, why);
            } catch (EngineException refused) {
                if (last && (why == null || words.lastRefused() == null)) throw refused;
                if (last) {
                    throw new EngineException(String.format(words.lastRefused(), refused.getMessage(),
                            passedOver.kind().key(), why));
                }
                why = String.format(words.cannot().apply(e.kind()), refused.getMessage());
                passedOver = e;
            }
        }
        throw new IllegalStateException("no engine registered");
    }
}
