package org.memvirt.kvm;

import org.memvirt.hostctl.KsmSettings;

/**
 * What the kvm engine does to the host beyond running the VM; the defaults leave the host alone.
 *
 * @param ksm run ksmd with these settings for the run (restored afterwards); null: leave KSM as it is
 * @param residentLimitBytes the VMM keeps at most this much guest RAM resident, evicting the rest to its own swap
 *        file and faulting it back with userfaultfd (ESX-style hypervisor swap); 0: no limit
 */
public record KvmOptions(KsmSettings ksm, long residentLimitBytes) {
    public static final KvmOptions DEFAULT = new KvmOptions(null, 0);

    public KvmOptions {
        if (residentLimitBytes < 0 || residentLimitBytes % 4096 != 0) {
            throw new KvmException("resident limit must be a multiple of 4 KiB, not " + residentLimitBytes);
        }
    }
}
