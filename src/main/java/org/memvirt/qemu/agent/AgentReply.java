package org.memvirt.qemu.agent;

import java.util.Map;

/** One message from the guest agent (docs/agent-protocol.md): the four kinds it sends. */
public sealed interface AgentReply {
    long seq();

    /**
     * The agent is up (sequence 0, sent once the host opened the port).
     *
     * @param uptimeNanos the guest's CLOCK_BOOTTIME when the agent started: the guest's own boot time
     * @param thp the guest's THP policy as /init set it
     */
    record Ready(long seq, int protocol, String kernel, long uptimeNanos, String thp, int cpus) implements AgentReply {}

    /**
     * A request finished.
     *
     * @param nanos the guest's CLOCK_MONOTONIC time the request took
     * @param running the workload process ops run in afterwards
     * @param result the op's own figures (pages, accesses, processes, running, handoffs, mismatches)
     * @param first the first verify mismatch, or empty
     * @param vmstat the changes of /proc/vmstat over the op (non-zero ones only), by the kernel's names
     * @param stat the changes of /proc/stat's ctxt and processes
     * @param meminfo /proc/meminfo after the op: bytes where the kernel prints kB, else the number (HugePages_*)
     */
    record Done(long seq, String op, long nanos, int running, Map<String, Long> result, String first,
            Map<String, Long> vmstat, Map<String, Long> stat, Map<String, Long> meminfo) implements AgentReply {
        public Done {
            result = ordered(result);
            vmstat = ordered(vmstat);
            stat = ordered(stat);
            meminfo = ordered(meminfo);
        }

        private static Map<String, Long> ordered(Map<String, Long> m) {   // kept in the kernel's order
            return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(m));
        }
    }

    /** A request failed (or could not be read); the agent goes on with the next one. */
    record Failure(long seq, String message) implements AgentReply {}

    /** The answer to {@code exit}: the agent stops its processes and powers the guest off. */
    record Bye(long seq) implements AgentReply {}
}
