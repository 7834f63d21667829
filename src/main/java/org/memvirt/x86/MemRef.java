package org.memvirt.x86;

/**
 * One paging-structure reference of a walk, in order. {@code dim} is "guest" (or "native"/"shadow") for an entry of the
 * linear-address tables and "ept"/"npt" for a nested entry; {@code gpa} is the guest-physical address being read
 * (guest refs) or translated (nested refs); {@code hpa} is where the entry itself lives.
 */
public record MemRef(int step, String dim, int level, String table, long gpa, long hpa, long entry) {}
