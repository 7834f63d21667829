package org.memvirt.host;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The fake /proc, /sys and /dev trees under src/test/resources/host/. */
public final class Fixtures {
    public static final String INTEL_EPT = "intel-ept";
    public static final String INTEL_EPT_OFF = "intel-ept-off";
    public static final String AMD_NPT = "amd-npt";
    public static final String PVM = "pvm";
    public static final String NO_KVM = "no-kvm";
    public static final String KVM_DENIED = "kvm-denied";

    public static HostRoot root(String name) {
        URL url = Fixtures.class.getResource("/host/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no fixture tree " + name);
        }
        try {
            return new HostRoot(Path.of(url.toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static HostCapabilities host(String name) {
        return HostCapabilities.read(root(name), new FixtureKvmProbe());
    }

    private Fixtures() {}
}
