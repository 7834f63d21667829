package org.memvirt.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.memvirt.config.QemuArgs;
import org.memvirt.engine.HostSpec;
import org.memvirt.engine.KsmConfig;
import org.memvirt.engine.SwapKind;
import org.memvirt.host.MmuMode;
import org.memvirt.workload.Op;

/**
 * Small random hosts and host-model scripts drawn from a seed, the same for a seed on every run and JVM (they use
 * {@link SplittableRandom} only): what {@link HostGoldenTest} runs against outputs recorded from an earlier model.
 * Each host is overcommitted (a few MiB of RAM for several VMs), with swap, KSM, balloons and every op a scenario VM
 * runs, so reclaim, CoW breaks, swap-in of KSM pages, OOM kills, guest OOM and balloon deflation all happen.
 */
final class RandomHosts {
    private static final long MIB = 1L << 20;

    private RandomHosts() {}

    /** Host number {@code seed}. */
    static HostSpec host(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E37_79B9_7F4A_7C15L + 17);
        long ram = (8 + r.nextInt(41)) * MIB;
        long reserve = r.nextInt(5) * MIB;
        long swap = r.nextInt(6) == 0 ? 0 : (1 + r.nextInt(32)) * MIB;
        SwapKind kind = SwapKind.values()[r.nextInt(SwapKind.values().length)];
        KsmConfig ksm = new KsmConfig(r.nextInt(10) < 8, 50 + r.nextInt(3000), 1 + r.nextInt(20), 2 + r.nextInt(255),
                r.nextBoolean(), r.nextBoolean(), true);
        int wsf = r.nextBoolean() ? 10 : 100 + r.nextInt(900);
        HostSpec.Host host = new HostSpec.Host(ram, reserve, swap, kind, ksm, wsf);
        int count = 1 + r.nextInt(5);
        List<HostSpec.Vm> vms = new ArrayList<>();
        for (int i = 0; i < count; i++) vms.add(vm(r, i));
        HostSpec.PolicyKind policy = HostSpec.PolicyKind.values()[r.nextInt(HostSpec.PolicyKind.values().length)];
        HostSpec.KsmPolicy ksmPolicy = HostSpec.KsmPolicy.values()[r.nextInt(HostSpec.KsmPolicy.values().length)];
        long duration = r.nextInt(3) == 0 ? -1 : (2 + r.nextInt(19)) * 1_000_000_000L;
        long sample = (1 + r.nextInt(10)) * 100_000_000L;
        long quantum = (1 + r.nextInt(10)) * 1_000_000L;
        return new HostSpec("random-" + seed, duration, sample, quantum, host,
                new HostSpec.Policy(policy, (1 + r.nextInt(10)) * 1_000_000_000L, 50 + r.nextInt(50)), ksmPolicy, vms);
    }

    private static HostSpec.Vm vm(SplittableRandom r, int i) {
        long ramMib = 4 + r.nextInt(13);
        List<String> qemu = new ArrayList<>(List.of("-m", ramMib + "M"));
        if (r.nextBoolean()) qemu.addAll(List.of("-machine", "mem-merge=off"));
        int adj = new int[] {0, 0, 0, -1000, 500, -500}[r.nextInt(6)];
        long start = r.nextInt(4) == 0 ? 0 : r.nextInt(2000) * 1_000_000L;
        long boot = r.nextInt(3) == 0 ? r.nextInt((int) ramMib) * MIB : 0;
        HostSpec.Balloon balloon = r.nextInt(3) == 0 ? null : new HostSpec.Balloon(r.nextBoolean(),
                r.nextInt((int) ramMib) * MIB, 100 + r.nextInt(2000),
                r.nextInt(3) == 0 ? r.nextInt((int) ramMib) * MIB : 0, r.nextInt(3000) * 1_000_000L, r.nextBoolean());
        return new HostSpec.Vm("vm" + i, QemuArgs.parse(qemu), MmuMode.EPT, adj, start, boot, balloon,
                workload(r, ramMib * MIB, 3 + r.nextInt(13), 2), 0);
    }

    private static List<Op> workload(SplittableRandom r, long ram, int n, int depth) {
        List<Op> ops = new ArrayList<>();
        for (int k = 0; k < n; k++) ops.add(op(r, ram, depth));
        if (r.nextInt(4) != 0) ops.add(new Op.Verify());
        return ops;
    }

    private static Op op(SplittableRandom r, long ram, int depth) {
        long offset = r.nextInt((int) (ram / MIB)) * MIB;
        long bytes = Math.max(4096, Math.min(ram - offset, (1 + r.nextInt(6)) * MIB - r.nextInt(3) * 4096L));
        return switch (r.nextInt(depth > 0 ? 18 : 17)) {
            case 0, 1, 2 -> new Op.Touch(bytes, offset);
            case 3 -> new Op.Read(bytes, offset);
            case 4, 5 -> new Op.Fill(bytes, offset, switch (r.nextInt(4)) {
                case 0 -> new Op.Content.Zero();
                case 1 -> new Op.Content.Same(1 + r.nextInt(5));
                case 2 -> new Op.Content.Unique();
                default -> new Op.Content.RandomBytes(r.nextInt(100));
            });
            case 6, 7 -> new Op.Random(1 + r.nextInt(6000), Math.max(4096, r.nextInt((int) (ram / 4096)) * 4096L),
                    r.nextInt(101), r.nextBoolean() ? new Op.Distribution.Uniform() : new Op.Distribution.Zipf(0.5 + r.nextDouble()),
                    r.nextInt(1000));
            case 8 -> new Op.Free(bytes, offset);
            case 9 -> new Op.Balloon(Op.BalloonAction.values()[r.nextInt(3)], r.nextInt((int) (ram / MIB)) * MIB);
            case 10, 11 -> new Op.Sleep((1 + r.nextInt(500)) * 1_000_000L);
            case 12 -> new Op.Verify();
            case 13 -> switch (r.nextInt(4)) {
                case 0 -> new Op.Processes(2);
                case 1 -> new Op.Switch(3, true);
                case 2 -> new Op.Unmap(4096, offset);
                default -> new Op.Demand(true);
            };
            case 14 -> new Op.Fill(bytes, offset, r.nextBoolean() ? new Op.Content.Same(1) : new Op.Content.Zero());
            case 15, 16 -> new Op.Random(1 + r.nextInt(20000), ram, r.nextInt(60), new Op.Distribution.Uniform(), r.nextInt(1000));
            default -> new Op.Repeat(1 + r.nextInt(3), workload(r, ram, 1 + r.nextInt(3), depth - 1));
        };
    }

    /**
     * Host-model script number {@code seed} on {@code model}: three VMs (two mergeable) of 600 pages on a host with
     * room for about 256, random writes (distinct, identical and zero contents), reads, balloon releases, pinning and
     * time steps; returns a trace of every outcome and, after each step, the VMs' memory, ksmd's and vmstat's counters.
     */
    static String script(long seed) {
        SplittableRandom r = new SplittableRandom(seed * 31 + 7);
        KsmConfig ksm = new KsmConfig(true, 20 + r.nextInt(200), 20, 2 + r.nextInt(6), r.nextBoolean(), r.nextBoolean(), true);
        HostConfig config = new HostConfig((256 + 128) * 4096L, 0, (r.nextBoolean() ? 300 : 2000) * 4096L,
                SwapKind.values()[r.nextInt(4)], ksm, 10);
        HostModel h = new HostModel(config);
        StringBuilder out = new StringBuilder();
        boolean[][] pinned = new boolean[3][600];
        for (int i = 0; i < 3; i++) h.addVm("vm" + i, 600, i != 2, i == 1 ? 300 : 0);
        int steps = 50 + r.nextInt(400);
        for (int s = 0; s < steps; s++) {
            int vm = r.nextInt(3);
            int gfn = r.nextInt(600);
            int kind = r.nextInt(12);
            switch (kind) {
                case 0, 1, 2, 3 -> {
                    long value = kind == 3 ? 0xABCDL + r.nextInt(2) : r.nextInt(8) == 0 ? 0 : ((long) gfn << 8) + r.nextInt(6);
                    for (int g = gfn; g < Math.min(600, gfn + 40); g++) out.append(h.access(vm, g, true, value));
                }
                case 4, 5 -> {
                    for (int g = gfn; g < Math.min(600, gfn + 40); g++) out.append(h.access(vm, g, false, 0));
                }
                case 6 -> {
                    if (!pinned[vm][gfn]) h.balloonRelease(vm, gfn);
                }
                case 7 -> {
                    pinned[vm][gfn] = r.nextBoolean();
                    h.pin(vm, gfn, pinned[vm][gfn]);
                }
                default -> h.advance((1 + r.nextInt(6)) * 20_000_000L);
            }
            h.verify();
            out.append('\n');
            for (int v = 0; v < 3; v++) out.append(h.vmMemory(v)).append(' ').append(h.residentPages(v)).append('\n');
            out.append(h.ksmSysfs()).append(h.vmstat()).append(h.usedPages()).append(' ').append(h.swapUsedPages()).append('\n');
        }
        for (int v = 0; v < 3; v++) {
            for (int g = 0; g < 600; g++) out.append(h.state(v, g).ordinal()).append(':').append(h.content(v, g)).append(' ');
            out.append('\n');
        }
        return out.toString();
    }
}
