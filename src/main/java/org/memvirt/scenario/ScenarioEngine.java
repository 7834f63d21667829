package org.memvirt.scenario;

import java.util.List;
import java.util.Locale;

import org.memvirt.host.HostEnv;
import org.memvirt.host.KsmState;
import org.memvirt.host.MemInfo;
import org.memvirt.kvm.KvmEngine;

/**
 * Which engine runs a scenario, and why: {@code sim}, {@code kvm}, or {@code auto} (kvm when /dev/kvm is usable and
 * the scenario fits this host, else sim). Runs it and returns the report with the reason.
 *
 * @param kvm true for the kvm engine
 * @param reason which engine and why, for the report
 * @param notes the kvm path's notes (what it does not enforce), empty for sim
 */
public record ScenarioEngine(boolean kvm, String reason, List<String> notes) {
    public ScenarioEngine {
        notes = List.copyOf(notes);
    }

    /** Chooses for {@code requested} ({@code sim}, {@code kvm} or {@code auto}); refusals name the scenario's field. */
    public static ScenarioEngine choose(Scenario s, String requested) {
        return switch (requested.toLowerCase(Locale.ROOT)) {
            case "sim" -> {
                simOnly(s);
                yield new ScenarioEngine(false, "--engine sim", List.of());
            }
            case "kvm" -> {
                KvmEngine.Usability u = KvmEngine.usable();
                if (!u.usable()) throw org.memvirt.kvm.KvmException.host("--engine kvm: " + u.reason());
                yield new ScenarioEngine(true, "--engine kvm: " + u.reason(), KvmFit.check(s, hostMemory(), ksm()));
            }
            case "auto" -> auto(s);
            default -> throw new ScenarioException("--engine must be sim, kvm or auto, not '" + requested + "'");
        };
    }

    private static ScenarioEngine auto(Scenario s) {
        KvmEngine.Usability u = KvmEngine.usable();
        String why;
        if (u.usable()) {
            try {
                return new ScenarioEngine(true, "--engine auto: " + u.reason() + " and the scenario fits this host",
                        KvmFit.check(s, hostMemory(), ksm()));
            } catch (ScenarioException e) {
                why = "the kvm path cannot run it (" + e.getMessage() + ")";
            }
        } else {
            why = u.reason();
        }
        try {
            simOnly(s);
        } catch (ScenarioException e) {
            throw new ScenarioException(e.getMessage() + "; --engine auto cannot use kvm: " + why);
        }
        return new ScenarioEngine(false, "--engine auto: " + why + ", so the simulator", List.of());
    }

    /** The sim engine refuses what only the kvm engine does. */
    private static void simOnly(Scenario s) {
        for (Scenario.Vm vm : s.vms()) {
            if (vm.residentLimitBytes() > 0) {
                throw new ScenarioException("vms[" + vm.name() + "].resident_limit: hypervisor-level swap runs on the kvm"
                        + " engine only (--engine kvm)");
            }
        }
    }

    /** Runs the scenario on this engine. */
    public ScenarioReport run(Scenario s) {
        return run(s, org.memvirt.engine.RunListener.NONE);
    }

    /** Runs the scenario on this engine, telling {@code listener} how far the sim engine has got. */
    public ScenarioReport run(Scenario s, org.memvirt.engine.RunListener listener) {
        ScenarioReport r = kvm ? KvmScenario.run(s, notes) : new ScenarioRunner(s).run(listener);
        return r.withEngineReason(reason);
    }

    private static MemInfo hostMemory() {
        return MemInfo.read(HostEnv.root());
    }

    private static KsmState ksm() {
        return KsmState.read(HostEnv.root());
    }
}
