package org.memvirt.config;

import java.util.List;
import java.util.Map;

/**
 * {@code -smp [cpus=]n[,maxcpus=,sockets=,dies=,clusters=,cores=,threads=]} as QEMU 7.2 reads it: keyval-parsed into
 * the machine's {@code smp} property (softmmu/vl.c machine_parse_property_opt), read as int64 members, then
 * hw/core/machine-smp.c machine_parse_smp_config (cores preferred over sockets, as for 6.2+ machines) and the KVM
 * vCPU limit of accel/kvm/kvm-all.c. Only the vCPU count is kept: memvirt does not model topology.
 */
final class SmpOptions {
    static final List<String> KEYS = List.of("cpus", "sockets", "dies", "clusters", "cores", "threads", "maxcpus");

    private SmpOptions() {}

    /** Parse time: keyval syntax only; the last value of a key wins. */
    static void add(Map<String, String> smp, String arg) {
        for (QemuOpts.Opt opt : QemuOpts.keyval(arg, "cpus")) {
            smp.remove(opt.name());
            smp.put(opt.name(), opt.value());
        }
    }

    /** The vCPU count of the machine, or QEMU's error. */
    static int resolve(MachineType machine, Map<String, String> smp, int recommendedVcpus, int hostMaxVcpus,
            List<String> warnings) {
        long[] v = new long[KEYS.size()];                          // 0 = omitted
        boolean zero = false;
        for (int i = 0; i < KEYS.size(); i++) {
            String text = smp.get(KEYS.get(i));
            if (text == null) continue;
            CNumber.Ull n = MemoryOptions.strtou64(text);
            if (n == null || n.outOfRange() || !fitsInt64(text, n)) {
                throw new ConfigException("Parameter 'smp." + KEYS.get(i) + "' expects integer");
            }
            v[i] = n.value() & 0xFFFF_FFFFL;                         // machine-smp.c: unsigned (32-bit) locals
            zero |= n.value() == 0;
        }
        for (String key : smp.keySet()) {
            if (!KEYS.contains(key)) throw new ConfigException("Parameter 'smp." + key + "' is unexpected");
        }
        if (zero) {
            warnings.add("warning: Deprecated CPU topology (considered invalid): CPU topology parameters must be"
                    + " greater than zero");
        }
        long cpus = v[0], sockets = v[1], dies = v[2], clusters = v[3], cores = v[4], threads = v[5], maxcpus = v[6];
        if (clusters > 1) throw new ConfigException("clusters not supported by this machine's CPU topology");
        dies = dies > 0 ? dies : 1;                                  // x86 pc machines support dies
        clusters = 1;
        if (cpus == 0 && maxcpus == 0) {
            sockets = sockets > 0 ? sockets : 1;
            cores = cores > 0 ? cores : 1;
            threads = threads > 0 ? threads : 1;
        } else {
            maxcpus = maxcpus > 0 ? maxcpus : cpus;
            if (cores == 0) {
                sockets = sockets > 0 ? sockets : 1;
                threads = threads > 0 ? threads : 1;
                cores = maxcpus / (sockets * dies * threads);
            } else if (sockets == 0) {
                threads = threads > 0 ? threads : 1;
                sockets = maxcpus / (dies * cores * threads);
            }
            if (threads == 0) threads = maxcpus / (sockets * dies * cores);
        }
        long product = (sockets * dies * cores * threads) & 0xFFFF_FFFFL;
        maxcpus = maxcpus > 0 ? maxcpus : product;
        cpus = cpus > 0 ? cpus : maxcpus;
        String topo = "sockets (" + sockets + ") * dies (" + dies + ") * cores (" + cores + ") * threads (" + threads + ")";
        if (product != maxcpus) {
            throw new ConfigException("Invalid CPU topology: product of the hierarchy must match maxcpus: " + topo
                    + " != maxcpus (" + maxcpus + ")");
        }
        if (maxcpus < cpus) {
            throw new ConfigException("Invalid CPU topology: maxcpus must be equal to or greater than smp: " + topo
                    + " == maxcpus (" + maxcpus + ") < smp_cpus (" + cpus + ")");
        }
        if (maxcpus > machine.maxCpus()) {
            throw new ConfigException("Invalid SMP CPUs " + (int) maxcpus + ". The max CPUs supported by machine '"
                    + machine.name() + "' is " + machine.maxCpus());
        }
        kvmLimit("SMP", cpus, recommendedVcpus, hostMaxVcpus, warnings);
        kvmLimit("hotpluggable", maxcpus, recommendedVcpus, hostMaxVcpus, warnings);
        return (int) cpus;
    }

    /** kvm-all.c kvm_init: above KVM_CAP_NR_VCPUS a warning, above KVM_CAP_MAX_VCPUS an error. */
    private static void kvmLimit(String name, long n, int soft, int hard, List<String> warnings) {
        if (n <= soft) return;
        warnings.add("warning: Number of " + name + " cpus requested (" + n
                + ") exceeds the recommended cpus supported by KVM (" + soft + ")");
        if (n > hard) {
            throw new ConfigException("Number of " + name + " cpus requested (" + n
                    + ") exceeds the maximum cpus supported by KVM (" + hard + ")");
        }
    }

    /** {@code qemu_strtoi64}: a leading '-' is allowed, values beyond int64 are ERANGE. */
    private static boolean fitsInt64(String text, CNumber.Ull n) {
        boolean negative = text.strip().startsWith("-");
        return negative ? n.value() <= 0 || text.strip().equals("-0") : n.value() >= 0;
    }
}
