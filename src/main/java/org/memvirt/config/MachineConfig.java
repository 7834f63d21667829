package org.memvirt.config;

import java.util.List;

/**
 * A resolved machine memory configuration: what {@code memvirt config} prints and what both engines build.
 *
 * @param layout where RAM lives in guest-physical space
 * @param backend the host backend of the RAM block
 * @param memMerge {@code -machine mem-merge}
 * @param smp number of vCPUs
 * @param warnings QEMU-style warnings produced while resolving (already without the program-name prefix)
 */
public record MachineConfig(MemoryLayout layout, MemoryBackend backend, boolean memMerge, int smp,
        List<String> warnings) {
    public MachineConfig {
        warnings = List.copyOf(warnings);
    }
}
