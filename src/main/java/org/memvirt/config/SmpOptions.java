package org.memvirt.config;

import java.util.List;
import java.util.Map;

/**
 * {@code -smp [cpus=]n[,maxcpus=,sockets=,dies=,clusters=,cores=,threads=]}: QemuOpts {@code smp-opts} (implied
 * {@code cpus}, merged, numbers) and the vCPU count checks of hw/core/machine-smp.c and accel/kvm/kvm-all.c.
 * Only the vCPU count is kept: memvirt does not model topology.
 */
final class SmpOptions {
    static final List<String> KEYS = List.of("cpus", "maxcpus", "sockets", "dies", "clusters", "cores", "threads");

    private SmpOptions() {}

    static void add(Map<String, String> smp, String arg, List<String> rawWarnings) {
        for (QemuOpts.Opt opt : QemuOpts.parse(arg, "cpus", rawWarnings)) {
            if (!KEYS.contains(opt.name())) throw new ConfigException("Invalid parameter '" + opt.name() + "'");
            MemoryOptions.parseNumber(opt.name(), opt.value());
            smp.remove(opt.name());
            smp.put(opt.name(), opt.value());
        }
    }

    /** The vCPU count: {@code cpus}, else the product of the topology, else 1. */
    static int resolve(MachineType machine, Map<String, String> smp, int hostMaxVcpus) {
        for (String v : smp.values()) {
            if (number(v) == 0) {
                // QEMU 7.2 only warns and treats 0 as omitted; 9.0 made it this error, which memvirt adopts
                throw new ConfigException("Invalid CPU topology: CPU topology parameters must be greater than zero");
            }
        }
        long cpus;
        if (smp.containsKey("cpus")) {
            cpus = number(smp.get("cpus"));
        } else {
            long product = 1;
            boolean any = false;
            for (String k : List.of("sockets", "dies", "clusters", "cores", "threads")) {
                if (smp.containsKey(k)) {
                    product *= number(smp.get(k));
                    any = true;
                }
            }
            cpus = any ? product : 1;
        }
        if (cpus < 1) {
            throw new ConfigException("Invalid SMP CPUs " + cpus + ". The min CPUs supported by machine '"
                    + machine.name() + "' is 1");
        }
        if (cpus > machine.maxCpus()) {
            throw new ConfigException("Invalid SMP CPUs " + cpus + ". The max CPUs supported by machine '"
                    + machine.name() + "' is " + machine.maxCpus());
        }
        if (cpus > hostMaxVcpus) {
            throw new ConfigException("Number of SMP cpus requested (" + cpus
                    + ") exceeds the maximum cpus supported by KVM (" + hostMaxVcpus + ")");
        }
        return (int) cpus;
    }

    private static long number(String value) {
        long n = MemoryOptions.parseNumber("cpus", value);
        return n < 0 ? Long.MAX_VALUE : n;
    }
}
