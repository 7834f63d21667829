package org.memvirt.kvm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.memvirt.config.QemuArgs;
import org.memvirt.engine.Counter;
import org.memvirt.engine.RunListener;
import org.memvirt.engine.RunResult;
import org.memvirt.engine.RunSpec;
import org.memvirt.host.MmuMode;
import org.memvirt.host.ProcessMemory;
import org.memvirt.workload.WorkloadParser;

/** A VMM process for {@link HostSwapTest}: waits for "go" on stdin (its cgroup is set by then), runs, prints counters. */
final class HostSwapChild {
    public static void main(String[] args) throws Exception {
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        RunResult r = new KvmEngine().run(new RunSpec(QemuArgs.parse(List.of("-m", args[0])),
                WorkloadParser.parseShorthand(args[1]), MmuMode.SHADOW, false, "zen5", Duration.ofMinutes(3), 1),
                RunListener.NONE);
        StringBuilder out = new StringBuilder();
        for (Counter c : List.of(Counter.GUEST_RAM_SWAP_KB, Counter.GUEST_RAM_RSS_KB, Counter.VERIFY_PAGES,
                Counter.VERIFY_MISMATCHES)) {
            out.append(c.key()).append('=').append(r.counters().get(c)).append(' ');
        }
        out.append("vm_swap_kb=").append(ProcessMemory.self().status().vmSwap() / 1024);
        System.out.println(out);
    }

    static Map<String, Long> parse(String line) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String kv : line.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
        }
        return m;
    }

    private HostSwapChild() {}
}
