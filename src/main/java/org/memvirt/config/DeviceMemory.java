package org.memvirt.config;

/** The hotplug device-memory window (qemu hw/i386/pc.c pc_memory_init, "device-memory" container). */
public record DeviceMemory(long base, long size) {}
