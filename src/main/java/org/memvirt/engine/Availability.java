package org.memvirt.engine;

/**
 * Whether this host can run an engine, and why (or why not), decided before anything starts.
 *
 * @param usable the engine can run here
 * @param reason what was found, e.g. {@code /dev/kvm usable (API 12, binary stats, kvm_pvm, shadow paging)}
 */
public record Availability(boolean usable, String reason) {}
