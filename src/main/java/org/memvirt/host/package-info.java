/**
 * Owns reading this host's facts, once, for every other package: capabilities (/dev/kvm, cpuinfo, module parameters,
 * the MMU guests get, KSM, THP, huge pages, swap), memory (meminfo and the {@code free} numbers computed from it) and
 * one process's memory (/proc/PID smaps, status, ksm_stat). Must not change host settings, and imports no report.
 */
package org.memvirt.host;
