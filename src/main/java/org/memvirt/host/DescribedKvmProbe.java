package org.memvirt.host;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;

/**
 * The answers of a described host's dev/kvm (a regular file under {@code MEMVIRT_HOST_ROOT}, as in the test
 * fixtures; docs/host-check.md, "Other hosts"): no file means no device; {@code open_errno=13} means open(O_RDWR)
 * fails with that errno; otherwise {@code api_version}, {@code vcpu_mmap_size}, {@code caps=number:value,...} (the
 * KVM_CHECK_EXTENSION answers by cap number) and {@code create_vm_errno} (0: KVM_CREATE_VM works).
 */
public final class DescribedKvmProbe implements KvmProbe {

    @Override
    public Result probe(Path devKvm) {
        if (!Files.exists(devKvm)) {
            return new Result.Absent();
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(devKvm, StandardCharsets.ISO_8859_1)));
        } catch (IOException e) {
            throw new HostException("cannot read " + devKvm + ": " + e.getMessage(), e);
        }
        if (p.containsKey("open_errno")) {
            return new Result.OpenFailed(number(devKvm, p, "open_errno", null));
        }
        Map<KvmCap, Integer> caps = new EnumMap<>(KvmCap.class);
        String list = p.getProperty("caps", "").trim();
        for (String pair : list.isEmpty() ? new String[0] : list.split(",")) {
            String[] nv = pair.split(":");
            if (nv.length != 2) {
                throw new HostException(devKvm + ": caps: '" + pair.trim() + "' is not number:value");
            }
            int number = parse(devKvm, "caps", nv[0]);
            int value = parse(devKvm, "caps", nv[1]);
            for (KvmCap cap : KvmCap.values()) {
                if (cap.number() == number) {
                    caps.put(cap, value);
                }
            }
        }
        return new Result.Opened(number(devKvm, p, "api_version", null), number(devKvm, p, "vcpu_mmap_size", "0"),
                caps, number(devKvm, p, "create_vm_errno", "0"));
    }

    private static int number(Path file, Properties p, String key, String orElse) {
        String v = p.getProperty(key, orElse);
        if (v == null) {
            throw new HostException(file + ": no " + key);
        }
        return parse(file, key, v);
    }

    private static int parse(Path file, String key, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new HostException(file + ": " + key + ": '" + text.trim() + "' is not a number");
        }
    }
}
