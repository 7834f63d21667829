package org.memvirt.hostctl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

/** {@link KernelLog} over dmesg output as this kind of host printed it for a memory cgroup OOM kill. */
class KernelLogTest {
    private static final String KILLED = "Memory cgroup out of memory: Killed process 2619 (tail) total-vm:68148kB, "
            + "anon-rss:65152kB, file-rss:1584kB, shmem-rss:0kB, UID:0 pgtables:180kB oom_score_adj:0";
    /** dmesg after `tail /dev/zero` hit a 64 MiB v1 limit (dump_header's lines shortened), with an older kill of 2619. */
    private static final String DMESG = "[ 9135.673310] __vm_enough_memory: pid: 13813, comm: qemu-system-x86, bytes: "
            + "26843545600 not enough memory for the allocation\n"
            + "[ 9990.000001] Memory cgroup out of memory: Killed process 2619 (old) total-vm:1kB, anon-rss:1kB, "
            + "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n"
            + "[10041.909215] tail invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n"
            + "[10041.909359] Tasks state (memory values in pages):\n"
            + "[10041.909362] [   2619]     0  2619    17037    16684    16288      396         0   184320        0"
            + "             0 tail\n"
            + "[10041.909377] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg="
            + "/process_api/17158ebefdb6/memvirt-1-2-3,task_memcg=/process_api/17158ebefdb6/memvirt-1-2-3,task=tail,"
            + "pid=2619,uid=0\n"
            + "[10041.909456] " + KILLED + "\n"
            + "continuation line without a time\n"
            + "[10042.000000] Out of memory: Killed process 3000 (big) total-vm:1kB, anon-rss:1kB, file-rss:0kB, "
            + "shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n";

    @Test
    void theLastMemcgKillOfThePidSinceTheGroupWasMadeIsFound() {
        KernelLog log = KernelLog.parse(DMESG);
        assertThat(log.memcgOomKill(2619, 10000.0)).contains(new KernelLog.Line(10041.909456, KILLED));
        assertThat(log.memcgOomKill(2619, 10041.91)).isEmpty();         // the group was made after that kill
        assertThat(log.memcgOomKill(2619, 0).orElseThrow().seconds()).isEqualTo(10041.909456);
        assertThat(log.memcgOomKill(261, 0)).isEmpty();                 // a prefix of the PID is another process
        assertThat(log.memcgOomKill(3000, 0)).isEmpty();                // a global OOM kill is not the group's
        assertThat(KernelLog.command(KILLED)).isEqualTo("tail");
        assertThat(KernelLog.command("Memory cgroup out of memory: Killed process 7 (a) b) total-vm:1kB"))
                .isEqualTo("a) b");
    }

    @Test
    void aLogTimeBecomesWallClockBackFromNow() {
        Instant now = Instant.parse("2026-12-07T22:30:00Z");
        assertThat(KernelLog.wallClock(10041.909456, 10100.25, now)).isEqualTo(Instant.parse("2026-12-07T22:29:01.659456Z"));
    }
}
