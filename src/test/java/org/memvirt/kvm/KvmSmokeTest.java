package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.workload.Op;

@Tag("kvm")
class KvmSmokeTest {
    @Test
    void touchOneGibOfFourGibGuest() {
        Machines.assumeKvm();
        RunResult r = new KvmEngine().run(Machines.spec(Machines.pc(64 * Machines.MIB, 1), new Op.Touch(16 * Machines.MIB, 0)),
                RunListener.NONE);
        System.out.println(r);
        assertThat(r.ops()).hasSize(1);
    }
}
