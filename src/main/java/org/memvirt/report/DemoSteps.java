package org.memvirt.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.memvirt.config.MemoryLayout;
import org.memvirt.config.SwapPlan;
import org.memvirt.engine.Availability;
import org.memvirt.engine.Counter;
import org.memvirt.engine.HostResult;
import org.memvirt.engine.RunResult;
import org.memvirt.host.FreeMemory;
import org.memvirt.host.HostCapabilities;

/**
 * The figures of {@code memvirt demo}'s steps, as plain values: the command fills them, {@link DemoText} and
 * {@link DemoHtml} render them, and {@link Document} is the command's {@code --json}.
 */
public final class DemoSteps {
    private DemoSteps() {}

    /** Step 1: is KVM usable, and what MMU do guests get. */
    public record Host(boolean kvmUsable, String kvm, String mmuMode, String mmuSource, boolean pvm, String mmuNote,
            long memTotalBytes, long swapTotalBytes) {
        public static Host of(Availability kvm, HostCapabilities host) {
            String mode = host.mmuMode().word();
            boolean pvm = host.virtualization().pvm();
            String note = pvm ? "kvm_pvm is software virtualization (PVM, nested): no EPT/NPT, so KVM runs guests on "
                    + "shadow page tables" : host.mmuMode().twoDimensional()
                    ? "two-dimensional paging: the CPU walks guest and " + mode.toUpperCase(Locale.ROOT) + " tables itself"
                    : "no EPT/NPT: KVM shadows the guest page tables";
            return new Host(kvm.usable(), kvm.reason(), mode, host.mmu().source(), pvm, note, host.memTotalBytes(),
                    host.swapTotalBytes());
        }
    }

    /** Step 2: the guest's QEMU options and the memory layout they give. */
    public record Guest(List<String> qemu, MemoryLayout layout) {}

    /** Step 3: the lazy guest; host {@code free} before and while the guest runs (real engine) or modelled (sim). */
    public record Lazy(String engine, String engineReason, String workload, long configuredBytes, long residentBytes,
            double seconds, FreeMemory hostBefore, FreeMemory hostDuring, Map<String, Long> counters) {
        /** The counters step 3 shows, those the run reports. */
        static final List<Counter> COUNTERS = List.of(Counter.EXITS, Counter.PF_FIXED, Counter.PAGES_4K,
                Counter.USER_EXITS, Counter.GUEST_RAM_RSS_KB, Counter.HOST_PAGES_ZEROED);

        public static Lazy of(RunResult r, String engineReason, String workload, double seconds, FreeMemory before) {
            Map<String, Long> shown = new LinkedHashMap<>();
            for (Counter counter : COUNTERS) {
                if (r.counters().has(counter)) shown.put(counter.key(), r.counters().get(counter));
            }
            return new Lazy(r.engine().key(), engineReason, workload, r.memory().configuredBytes(),
                    r.memory().residentBytes(), seconds, before, r.hostFreeDuring(before), shown);
        }
    }

    /** Step 4: one column of the comparison. */
    public record MmuColumn(String mmu, Map<String, Long> counters, long pageTablePages, RunResult.Cost cost) {
        public static MmuColumn of(RunResult r) {
            Map<String, Long> values = new LinkedHashMap<>();
            for (MmuRow row : MmuRow.ALL) values.put(row.counter().key(), r.counters().get(row.counter()));
            return new MmuColumn(r.mmu().word(), values,
                    r.counters().get(Counter.SHADOW_PAGES) + r.counters().get(Counter.TDP_PAGES), r.cost());
        }
    }

    /** A row of the step 4 table: a counter, and what it shows. */
    record MmuRow(Counter counter, String shows) {
        static final List<MmuRow> ALL = List.of(
                new MmuRow(Counter.EXITS, "VM exits"),
                new MmuRow(Counter.PF_FIXED, "sptes installed by KVM's fault handler"),
                new MmuRow(Counter.PF_GUEST, "#PFs KVM reflected into the guest"),
                new MmuRow(Counter.INVLPG, "INVLPGs KVM handled"),
                new MmuRow(Counter.EXIT_CR_ACCESS, "MOV CR3 exits"),
                new MmuRow(Counter.EPT_VIOLATIONS, "EPT violation exits"),
                new MmuRow(Counter.TLB_FLUSH, "TLB flushes KVM requested"),
                new MmuRow(Counter.WALK_REFS, "page-walk memory references"),
                new MmuRow(Counter.SHADOW_PAGES, "shadow-table pages"),
                new MmuRow(Counter.TDP_PAGES, "EPT-table pages"));
    }

    /** Step 4: shadow paging against EPT, the same workload. */
    public record Mmu(String workload, List<MmuColumn> modes) {}

    /** Step 5: the swap plan. */
    public record Plan(long guestTotalBytes, long hostRamBytes, long hostReserveBytes, long swapForGuestsBytes,
            long recommendedHostSwapBytes, long totalSwapBytes, double overcommitRatio) {
        public static Plan of(SwapPlan p) {
            return new Plan(p.guestTotal(), p.hostRam(), p.hostReserve(), p.swapForGuests(),
                    p.recommendedHostSwap(), p.totalSwap(), p.overcommitRatio());
        }
    }

    /** The JSON document of {@code memvirt demo --json}. */
    public record Document(Host host, Guest guest, Lazy lazy, Mmu mmu, Plan plan, HostResult.Summary scenario,
            String report) {}
}
