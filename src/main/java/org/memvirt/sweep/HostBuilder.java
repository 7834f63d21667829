package org.memvirt.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.config.MachineConfig;
import org.memvirt.config.QemuArgs;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.workload.Op;

/**
 * Builds host {@code h} of a study's point as a scenario an engine runs: its VMs drawn from the point's mix with host
 * {@code h}'s {@link Draws}, the host set up as the point says, each VM's workload made from its {@link VmProfile}
 * (docs/commands/sweep.md, "What a drawn VM does").
 */
public final class HostBuilder {
    /** Linux reports free pages 2 s after they were freed: mm/page_reporting.c PAGE_REPORTING_DELAY (2*HZ). */
    static final long REPORTING_DELAY_NANOS = 2_000_000_000L;
    static final int DEFAULT_SHARES = 1000;                        // pve-docs qm "Memory": shares default 1000

    private final Study study;
    private final Map<Long, MachineConfig> machines = new HashMap<>();

    public HostBuilder(Study study) {
        this.study = study;
    }

    /** Host {@code host} of point {@code point}. */
    public HostSpec build(int point, int host) {
        Point p = study.points().get(point);
        Point.Settings s = p.settings();
        VmMix mix = study.mixes().get(s.mix());
        Draws draws = Draws.forHost(study.seed(), host);
        List<VmProfile> profiles = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        double target = s.overcommit() * s.hostRamBytes();
        long total = 0;
        while (true) {
            if (Double.isNaN(s.overcommit()) && profiles.size() == mix.count()) break;
            VmProfile vm = mix.draw(draws);
            long seed = draws.nextLong();
            if (!Double.isNaN(s.overcommit()) && !profiles.isEmpty() && total + vm.memoryBytes() > target) break;
            if (profiles.size() == StudyLoader.MAX_VMS) {
                throw new SweepException("point " + (point + 1) + " (" + p.label() + "): host " + host + " would get more"
                        + " than " + StudyLoader.MAX_VMS + " VMs");
            }
            profiles.add(vm);
            seeds.add(seed);
            total += vm.memoryBytes();
        }
        HostSpec base = study.base();
        long[] guests = new long[profiles.size()];
        for (int i = 0; i < guests.length; i++) guests[i] = profiles.get(i).memoryBytes();
        long swap = s.swap().bytes(s.hostRamBytes(), base.host().reserveBytes(), guests);
        KsmConfig ksm = base.host().ksm().withRun(s.ksm());
        HostSpec.Host h = new HostSpec.Host(s.hostRamBytes(), base.host().reserveBytes(), swap, base.host().swapKind(), ksm,
                base.host().watermarkScaleFactor());
        HostSpec.Policy policy = new HostSpec.Policy(s.balloonPolicy(), base.policy().intervalNanos(),
                base.policy().targetPercent());
        boolean balloon = s.balloonPolicy() != HostSpec.PolicyKind.NONE || s.freePageReporting();
        List<HostSpec.Vm> vms = new ArrayList<>(profiles.size());
        for (int i = 0; i < profiles.size(); i++) vms.add(vm(i, profiles.get(i), seeds.get(i), mix, balloon, s.freePageReporting()));
        return new HostSpec(study.name() + " point " + (point + 1) + " host " + host, base.durationNanos(),
                base.sampleNanos(), base.quantumNanos(), h, policy, s.ksm() ? s.ksmPolicy() : HostSpec.KsmPolicy.NONE,
                vms, base.maxWallNanos());
    }

    private HostSpec.Vm vm(int i, VmProfile p, long seed, VmMix mix, boolean balloon, boolean reporting) {
        MachineConfig machine = machines.computeIfAbsent(p.memoryBytes(),
                bytes -> QemuArgs.parse(List.of("-m", (bytes >> 20) + "M")));
        HostSpec.Balloon device = balloon ? new HostSpec.Balloon(mix.deflateOnOom(),
                VmProfile.pages(mix.balloonMin() * p.memoryBytes()), DEFAULT_SHARES, 0, 0) : null;
        return new HostSpec.Vm("vm-" + i, machine, null, 0, i * mix.staggerNanos(), 0, device,
                workload(p, seed, mix, reporting), 0);
    }

    /**
     * The image (identical on every VM), then the guest's own data up to its working set; the top {@code freed} of it
     * freed (and with free page reporting, handed to the host through the balloon 2 s later, as the reporting
     * virtqueue does); idle; then random accesses over what it kept.
     */
    static List<Op> workload(VmProfile p, long seed, VmMix mix, boolean reporting) {
        List<Op> ops = new ArrayList<>();
        long image = p.identicalBytes();
        long ws = p.workingSetBytes();
        if (image > 0) ops.add(new Op.Fill(image, 0, new Op.Content.Same((int) Math.min(Integer.MAX_VALUE, image / VmProfile.PAGE))));
        if (ws > image) ops.add(new Op.Touch(ws - image, image));
        long idle = p.idleNanos();
        if (p.freedBytes() > 0) {
            ops.add(new Op.Free(p.freedBytes(), ws - p.freedBytes()));
            if (reporting) {
                // virtio_balloon's reporting vq: the host discards the reported pages (QEMU
                // virtio_balloon_handle_report -> ram_block_discard_range) and the guest keeps them free
                ops.add(new Op.Sleep(REPORTING_DELAY_NANOS));
                ops.add(new Op.Balloon(Op.BalloonAction.INFLATE, p.freedBytes()));
                ops.add(new Op.Sleep(REPORTING_DELAY_NANOS));
                ops.add(new Op.Balloon(Op.BalloonAction.DEFLATE, p.freedBytes()));
                idle = Math.max(0, idle - 2 * REPORTING_DELAY_NANOS);
            }
        }
        if (idle > 0) ops.add(new Op.Sleep(idle));
        long kept = ws - p.freedBytes();
        if (kept > 0 && mix.accesses() > 0) {
            ops.add(new Op.Random(mix.accesses(), kept, mix.writesPercent(), new Op.Distribution.Uniform(), seed));
        }
        if (ops.isEmpty()) ops.add(new Op.Sleep(1));
        return ops;
    }
}
