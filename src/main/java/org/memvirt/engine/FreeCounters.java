package org.memvirt.engine;

import java.util.LinkedHashMap;
import java.util.Map;

import org.memvirt.host.FreeMemory;

/** {@code free}'s figures as counters, KiB: the host's ({@code host_mem_*}) and a real guest's ({@code guest_mem_*}). */
public final class FreeCounters {
    private FreeCounters() {}

    /** The host's {@code free}: {@code host_mem_total_kb}, used, free, buff/cache, available. */
    public static Map<Counter, Long> host(FreeMemory f) {
        return of(f, Counter.HOST_MEM_TOTAL_KB, Counter.HOST_MEM_USED_KB, Counter.HOST_MEM_FREE_KB,
                Counter.HOST_MEM_BUFF_CACHE_KB, Counter.HOST_MEM_AVAILABLE_KB);
    }

    /** The guest's own {@code free}: {@code guest_mem_total_kb}, used, free, buff/cache, available. */
    public static Map<Counter, Long> guest(FreeMemory f) {
        return of(f, Counter.GUEST_MEM_TOTAL_KB, Counter.GUEST_MEM_USED_KB, Counter.GUEST_MEM_FREE_KB,
                Counter.GUEST_MEM_BUFF_CACHE_KB, Counter.GUEST_MEM_AVAILABLE_KB);
    }

    private static Map<Counter, Long> of(FreeMemory f, Counter total, Counter used, Counter free, Counter buffCache,
            Counter available) {
        Map<Counter, Long> out = new LinkedHashMap<>();
        out.put(total, f.total() / 1024);
        out.put(used, f.used() / 1024);
        out.put(free, f.free() / 1024);
        out.put(buffCache, f.buffCache() / 1024);
        out.put(available, f.available() / 1024);
        return out;
    }
}
