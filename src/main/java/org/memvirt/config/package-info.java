/**
 * Owns the QEMU size grammar, {@code -m}/{@code -machine}/{@code -object} parsing with QEMU's exact errors, and the guest RAM layout (pc, q35, microvm split, e820, device-memory window). Must not touch the host.
 */
package org.memvirt.config;
