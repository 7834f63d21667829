package org.memvirt.host;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parameters of the loaded KVM modules as sysfs prints them, module by module (kvm, kvm_intel, kvm_amd,
 * kvm_pvm); modules that are not loaded are left out. kvm_pvm's names come from a vendor build: kept opaque.
 */
public record KvmModules(Map<String, Map<String, String>> parameters) {
    static final String[] MODULES = {"kvm", "kvm_intel", "kvm_amd", Virtualization.PVM_MODULE};

    public static KvmModules read(HostRoot root) {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        for (String module : MODULES) {
            if (!root.moduleLoaded(module)) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            for (String name : root.list("/sys/module/" + module + "/parameters")) {
                root.moduleParameter(module, name).ifPresent(v -> params.put(name, v));
            }
            all.put(module, params);
        }
        return new KvmModules(all);
    }
}
