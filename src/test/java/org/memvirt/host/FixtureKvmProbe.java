package org.memvirt.host;

import java.nio.file.Path;

/** The fixture trees' dev/kvm, read as a described host's ({@link DescribedKvmProbe}), and canned answers. */
public final class FixtureKvmProbe implements KvmProbe {

    @Override
    public Result probe(Path devKvm) {
        return new DescribedKvmProbe().probe(devKvm);
    }

    /** A probe that answers {@code result} whatever the path. */
    public static KvmProbe answering(Result result) {
        return devKvm -> result;
    }
}
