/**
 * Changes the host settings memvirt owns — its own memory cgroup, its own swap file, its KSM session — and restores
 * them on every exit path; never touches what memvirt did not create. Imports no engine, scenario, report or cli, so
 * every engine that realises a host's limits (kvm, qemu) uses the same pieces.
 */
package org.memvirt.hostctl;
