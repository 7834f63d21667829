package org.memvirt.host;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * Answers for a fixture tree's dev/kvm, a text file: absent means no device; {@code open_errno=13} means open failed;
 * otherwise {@code api_version}, {@code vcpu_mmap_size}, {@code caps=number:value,...}, {@code create_vm_errno}.
 */
public final class FixtureKvmProbe implements KvmProbe {

    @Override
    public Result probe(Path devKvm) {
        if (!Files.exists(devKvm)) {
            return new Result.Absent();
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(devKvm)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (p.containsKey("open_errno")) {
            return new Result.OpenFailed(Integer.parseInt(p.getProperty("open_errno")));
        }
        Map<KvmCap, Integer> caps = new EnumMap<>(KvmCap.class);
        for (String pair : p.getProperty("caps", "").split(",")) {
            String[] nv = pair.split(":");
            for (KvmCap cap : KvmCap.values()) {
                if (nv.length == 2 && cap.number() == Integer.parseInt(nv[0].trim())) {
                    caps.put(cap, Integer.parseInt(nv[1].trim()));
                }
            }
        }
        return new Result.Opened(Integer.parseInt(p.getProperty("api_version")),
                Integer.parseInt(p.getProperty("vcpu_mmap_size", "0")), caps,
                Integer.parseInt(p.getProperty("create_vm_errno", "0")));
    }

    /** A probe that answers {@code result} whatever the path. */
    public static KvmProbe answering(Result result) {
        return devKvm -> result;
    }
}
