package org.memvirt.kvm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.memvirt.host.MmuMode;

/** Which MMU virtualization this host's KVM uses: EPT, NPT or shadow paging (PVM and hosts without TDP). */
record HostMmu(MmuMode mode, boolean vpid, String description) {
    static HostMmu detect() {
        String flags = read("/proc/cpuinfo");
        if (flags.contains(" vmx")) {
            boolean ept = yes(read("/sys/module/kvm_intel/parameters/ept"));
            boolean vpid = yes(read("/sys/module/kvm_intel/parameters/vpid"));
            return new HostMmu(ept ? MmuMode.EPT : MmuMode.SHADOW, vpid, ept ? "Intel EPT" : "Intel VMX, shadow paging");
        }
        if (flags.contains(" svm")) {
            boolean npt = yes(read("/sys/module/kvm_amd/parameters/npt"));
            return new HostMmu(npt ? MmuMode.NPT : MmuMode.SHADOW, true, npt ? "AMD NPT" : "AMD SVM, shadow paging");
        }
        if (Files.exists(Path.of("/sys/module/kvm_pvm"))) return new HostMmu(MmuMode.SHADOW, false, "kvm_pvm, shadow paging");
        return new HostMmu(MmuMode.SHADOW, false, "no VMX/SVM flag, shadow paging");
    }

    private static boolean yes(String v) {
        String t = v.trim();
        return t.equals("Y") || t.equals("1");
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
