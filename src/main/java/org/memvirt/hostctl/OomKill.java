package org.memvirt.hostctl;

import java.time.Instant;

/**
 * A process memvirt started in its memory cgroup that the kernel's OOM killer killed.
 *
 * @param pid the killed process
 * @param command its name as the kernel knows it (comm, at most 15 characters), or "?" when the kernel log was not
 *        readable
 * @param at when it was killed: the kernel log's time of the kill where readable, else when memvirt saw it end
 * @param reason the kernel's own line (linux mm/oom_kill.c __oom_kill_process: "Memory cgroup out of memory: Killed
 *        process PID (COMM) total-vm:..."), or what memvirt saw (SIGKILL, the group's oom_kill counter) without it
 * @param fromKernelLog whether {@code at} and {@code reason} come from the kernel log
 */
public record OomKill(long pid, String command, Instant at, String reason, boolean fromKernelLog) {}
