package org.memvirt.host;

import java.nio.file.Path;
import java.util.Map;

/**
 * Asks the KVM device what it offers: open O_RDWR, KVM_GET_API_VERSION, KVM_CHECK_EXTENSION, KVM_CREATE_VM.
 * {@link DevKvmProbe} asks the real device; tests supply canned answers.
 */
public interface KvmProbe {

    /** Probes the device node at {@code devKvm} (normally /dev/kvm). */
    Result probe(Path devKvm);

    /** What one probe found. */
    sealed interface Result {
        /** open() gave ENOENT: no device node. */
        record Absent() implements Result {}

        /** open(O_RDWR) failed with {@code errno} (EACCES when this user may not use the node). */
        record OpenFailed(int errno) implements Result {}

        /**
         * The device opened. {@code caps} maps each probed cap to KVM_CHECK_EXTENSION's value (0 = absent);
         * {@code createVmErrno} is 0 when KVM_CREATE_VM gave a VM fd (closed again at once).
         */
        record Opened(int apiVersion, int vcpuMmapSize, Map<KvmCap, Integer> caps, int createVmErrno)
                implements Result {
            public Opened {
                caps = Map.copyOf(caps);
            }

            public int cap(KvmCap cap) {
                return caps.getOrDefault(cap, 0);
            }
        }
    }
}
