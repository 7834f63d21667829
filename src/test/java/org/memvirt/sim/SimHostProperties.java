package org.memvirt.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import org.memvirt.config.QemuArgs;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.SwapKind;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/**
 * Whole scenarios of random ops on an overcommitted host (touch, fill, random, balloon inflate/deflate, sleep) with
 * KSM, swap and the OOM killer: no surviving VM ever reads back a wrong page, and the host's invariants hold.
 */
class SimHostProperties {
    private static final long MIB = 1L << 20;
    private static final long VM_BYTES = 8 * MIB;

    @Provide
    Arbitrary<List<Op>> workloads() {
        Arbitrary<Long> offset = Arbitraries.longs().between(0, 7).map(m -> m * MIB);
        Arbitrary<Op> touch = offset.map(o -> new Op.Touch(MIB, o));
        Arbitrary<Op> fill = Arbitraries.integers().between(0, 2).flatMap(kind -> offset.map(o -> new Op.Fill(MIB, o,
                switch (kind) {
                    case 0 -> new Op.Content.Zero();
                    case 1 -> new Op.Content.Same(3);
                    default -> new Op.Content.Unique();
                })));
        Arbitrary<Op> random = Arbitraries.longs().between(1, 5000).map(n -> new Op.Random(n, VM_BYTES, 50,
                new Op.Distribution.Uniform(), n));
        Arbitrary<Op> balloon = Arbitraries.integers().between(0, 2).flatMap(a -> Arbitraries.longs().between(0, 6)
                .map(m -> new Op.Balloon(Op.BalloonAction.values()[a], m * MIB)));
        Arbitrary<Op> sleep = Arbitraries.longs().between(1, 300).map(ms -> new Op.Sleep(ms * 1_000_000L));
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, touch), net.jqwik.api.Tuple.of(3, fill), net.jqwik.api.Tuple.of(2, random),
                net.jqwik.api.Tuple.of(2, balloon), net.jqwik.api.Tuple.of(2, sleep));
        return op.list().ofMinSize(3).ofMaxSize(20).map(l -> {
            List<Op> w = new ArrayList<>(l);
            w.add(new Op.Verify());
            return w;
        });
    }

    @Property(tries = 25)
    void survivingGuestsNeverReadAWrongPage(@ForAll("workloads") List<Op> a, @ForAll("workloads") List<Op> b,
            @ForAll("workloads") List<Op> c, @ForAll boolean deflateOnOom) {
        KsmConfig ksm = new KsmConfig(true, 500, 20, 8, true, true, true);
        HostSpec.Host host = new HostSpec.Host(16 * MIB, 2 * MIB, 6 * MIB, SwapKind.NVME, ksm, 10);
        HostSpec.Balloon balloon = new HostSpec.Balloon(deflateOnOom, 0, 1000, 0, 0);
        List<HostSpec.Vm> vms = new ArrayList<>();
        int i = 0;
        for (List<Op> w : List.of(a, b, c)) {
            String merge = i != 1 ? "on" : "off";
            vms.add(new HostSpec.Vm("vm" + i, QemuArgs.parse(List.of("-m", "8M", "-machine", "mem-merge=" + merge)),
                    MmuMode.EPT, 0, i * 3_000_000L, 0, balloon, w, 0));
            i++;
        }
        HostSpec s = new HostSpec("prop", -1, 100_000_000L, 1_000_000L, host,
                new HostSpec.Policy(HostSpec.PolicyKind.NONE, 10_000_000_000L, 80), HostSpec.KsmPolicy.NONE, vms);
        SimHost runner = new SimHost(s);
        HostResult r = runner.run();
        runner.host().verify();
        for (HostResult.Vm vm : r.vms()) {
            assertThat(vm.verifyMismatches()).as(vm.name()).isZero();
            if (!vm.killed()) assertThat(vm.residentBytes() + vm.swappedBytes()).isLessThanOrEqualTo(VM_BYTES);
        }
        assertThat(r.host().swapUsedBytes()).isLessThanOrEqualTo(6 * MIB);
    }
}
