package org.memvirt.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A resolved machine memory configuration: what {@code memvirt config} prints and what the engines build.
 *
 * @param layout where RAM lives in guest-physical space
 * @param backend the host backend of the RAM block
 * @param memMerge {@code -machine mem-merge}
 * @param smp number of vCPUs
 * @param warnings QEMU-style warnings produced while resolving (already without the program-name prefix)
 * @param qemuArgs the whole QEMU command line it was resolved from, in order and verbatim (without a program name),
 *        for an engine that runs QEMU itself to pass through
 * @param otherArgs the words of the arguments memvirt did not resolve (options other than the memory options,
 *        {@code -object}s other than memory backends, disk images), in order
 */
public record MachineConfig(MemoryLayout layout, MemoryBackend backend, boolean memMerge, int smp,
        List<String> warnings, List<QemuArg> qemuArgs, List<String> otherArgs) {
    public MachineConfig {
        warnings = List.copyOf(warnings);
        qemuArgs = List.copyOf(qemuArgs);
        otherArgs = List.copyOf(otherArgs);
    }

    /** A configuration built without a QEMU command line (fixtures, the kvm engine's own machines). */
    public MachineConfig(MemoryLayout layout, MemoryBackend backend, boolean memMerge, int smp, List<String> warnings) {
        this(layout, backend, memMerge, smp, warnings, List.of(), List.of());
    }

    /** The words of the whole QEMU command line, in order and verbatim. */
    public List<String> qemuWords() {
        List<String> words = new ArrayList<>();
        for (QemuArg a : qemuArgs) words.addAll(a.words());
        return List.copyOf(words);
    }
}
