package org.memvirt.qemu;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.engine.Counter;
import org.memvirt.host.ProcessMemory;

/**
 * What the host sees of a running QEMU at one moment, by the names users know: the guest-RAM mapping's smaps entry
 * (Rss, Pss, AnonHugePages, Swap, KSM), QEMU's VmRSS (/proc/PID/status), its ksm_stat, the balloon
 * ({@code query-balloon}) and, under KVM, every statistic of {@code query-stats} (KVM's binary statistics, KVM's names;
 * vCPU statistics per vCPU).
 *
 * @param ram the guest-RAM mapping's smaps entry
 * @param vmRssBytes QEMU's VmRSS
 * @param ksm /proc/PID/ksm_stat's numeric lines (empty before Linux 6.1)
 * @param balloonActualBytes {@code query-balloon}'s {@code actual}: the guest's memory as the balloon leaves it
 * @param kvmVm KVM's VM statistics by table counter (empty under TCG)
 * @param kvmVcpus KVM's statistics of each vCPU by table counter (empty under TCG)
 */
record HostReading(ProcessMemory.Mapping ram, long vmRssBytes, Map<String, Long> ksm, long balloonActualBytes,
        Map<Counter, Long> kvmVm, List<Map<Counter, Long>> kvmVcpus) {

    /** Reads it all now; KVM's statistics only where {@code kvm}. */
    static HostReading take(QemuProcess qemu, long mappingStart, boolean kvm) {
        ProcessMemory p = ProcessMemory.of(qemu.pid());
        ProcessMemory.Mapping ram = p.mapping(mappingStart);
        long vmRss = p.status().vmRss();
        Map<String, Long> ksm = p.ksmStat().fields();
        long actual = qemu.qmp().balloonActualBytes();
        Map<Counter, Long> vm = Map.of();
        List<Map<Counter, Long>> vcpus = List.of();
        if (kvm) {
            List<StatsResult> v = qemu.qmp().queryStats("vm");
            vm = v.isEmpty() ? Map.of() : known(v.getFirst());
            vcpus = qemu.qmp().queryStats("vcpu").stream().map(HostReading::known).toList();
        }
        return new HostReading(ram, vmRss, ksm, actual, vm, vcpus);
    }

    /**
     * The statistics of one {@code query-stats} result the table lists (a histogram as its buckets summed, as the
     * table says); a statistic a newer kernel adds and the table lacks is left out, as the kvm engine does.
     */
    static Map<Counter, Long> known(StatsResult r) {
        Map<Counter, Long> out = new LinkedHashMap<>();
        r.scalars().forEach((name, v) -> Counter.find(name).ifPresent(c -> out.put(c, v)));
        r.histograms().forEach((name, buckets) -> Counter.find(name).ifPresent(c -> {
            long sum = 0;
            for (long b : buckets) sum += b;
            out.put(c, sum);
        }));
        return out;
    }

    /** The guest-RAM gauges of this reading, KiB as smaps prints them, and the balloon in pages. */
    Map<Counter, Long> gauges(long ramBytes) {
        Map<Counter, Long> out = new LinkedHashMap<>();
        out.put(Counter.GUEST_RAM_RSS_KB, ram.resident() / 1024);
        out.put(Counter.GUEST_RAM_PSS_KB, ram.pss() / 1024);
        out.put(Counter.GUEST_RAM_ANON_HUGE_KB, ram.anonHugePages() / 1024);
        out.put(Counter.GUEST_RAM_SWAP_KB, ram.swap() / 1024);
        out.put(Counter.GUEST_RAM_KSM_KB, ram.ksm() / 1024);
        out.put(Counter.BALLOON_ACTUAL_PAGES, (ramBytes - balloonActualBytes) / BalloonOp.PAGE);
        return out;
    }

    /** KVM's VM statistics and its vCPU statistics summed over the vCPUs. */
    Map<Counter, Long> kvmSummed() {
        Map<Counter, Long> out = new LinkedHashMap<>(kvmVm);
        for (Map<Counter, Long> cpu : kvmVcpus) cpu.forEach((c, v) -> out.merge(c, v, Long::sum));
        return out;
    }
}
