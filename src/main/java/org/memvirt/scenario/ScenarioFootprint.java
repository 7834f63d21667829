package org.memvirt.scenario;

import org.memvirt.sim.ModelFootprint;
import org.memvirt.workload.Footprint;
import org.memvirt.workload.Op;

/** The heap a scenario's simulated host will need, checked before any VM is built ({@link ModelFootprint}). */
final class ScenarioFootprint {

    /** Estimated model bytes: every VM's per-page arrays and what its workload and boot can touch. */
    static long bytes(Scenario s) {
        long bytes = 0;
        for (Scenario.Vm vm : s.vms()) {
            long end = 0;
            for (Op op : vm.workload()) end = Math.max(end, Footprint.regionEnd(op));
            long touched = (end + 4095) / 4096 + vm.bootTouchBytes() / 4096;
            bytes = Math.addExact(bytes, ModelFootprint.scenarioVmBytes(vm.ramBytes() / 4096, touched, vm.memMerge(),
                    GuestDriver.hasVerify(vm.workload())));
        }
        return bytes;
    }

    /** Refuses a scenario whose model this JVM cannot hold. */
    static void check(Scenario s) {
        ModelFootprint.check(bytes(s), "scenario " + s.name());
    }

    private ScenarioFootprint() {}
}
