package org.memvirt.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The two environment variables that decide what memvirt takes for "this host" (docs/host-check.md, "Other hosts"):
 * {@value #HOST_ROOT} reads /proc, /sys and /dev under another directory (a described host, such as the test
 * fixtures), {@value #KVM} ({@code off} or {@code denied}) makes this machine's /dev/kvm look absent or
 * unopenable, whatever the device would answer, and {@value #QEMU} ({@code off}) makes its QEMU look absent. Every command reads them here and nowhere else. In-process callers (the docs examples) run a
 * command as if exactly the variables of a map were set with {@link #with}.
 */
public final class HostEnv {
    public static final String HOST_ROOT = "MEMVIRT_HOST_ROOT";
    public static final String KVM = "MEMVIRT_KVM";
    public static final String KVM_OFF = "off";
    public static final String KVM_DENIED = "denied";
    public static final String QEMU = "MEMVIRT_QEMU";
    public static final String QEMU_OFF = "off";
    private static final ScopedValue<Map<String, String>> SCOPED = ScopedValue.newInstance();

    /** Runs {@code op} with {@code vars} as the only memvirt environment variables (the real ones are ignored). */
    public static <T, X extends Throwable> T with(Map<String, String> vars, ScopedValue.CallableOp<T, X> op) throws X {
        return ScopedValue.where(SCOPED, Map.copyOf(vars)).call(op);
    }

    /** The host to read: {@value #HOST_ROOT} when set, else the real one. */
    public static HostRoot root() {
        String dir = get(HOST_ROOT);
        if (dir == null) {
            return HostRoot.REAL;
        }
        if (!Files.isDirectory(Path.of(dir))) {
            throw new HostException(HOST_ROOT + "=" + dir + ": not a directory", HostException.USAGE);
        }
        return new HostRoot(Path.of(dir));
    }

    /** Whether a described host is read instead of this machine. */
    public static boolean described() {
        return get(HOST_ROOT) != null;
    }

    /**
     * What answers for {@code root}'s /dev/kvm. On this machine: the switch when {@value #KVM} is set, else the device.
     * On a described host: its dev/kvm file ({@link DescribedKvmProbe}), or the device when it is a real node; the
     * switch does not apply there (the description says itself whether its KVM works).
     */
    public static KvmProbe kvmProbe(HostRoot root) {
        Optional<KvmProbe.Result> forced = kvmSwitch();                 // refused when malformed, wherever it applies
        if (root.equals(HostRoot.REAL)) {
            return forced.<KvmProbe>map(r -> devKvm -> r).orElseGet(DevKvmProbe::new);
        }
        return devKvm -> Files.isRegularFile(devKvm) ? new DescribedKvmProbe().probe(devKvm)
                : new DevKvmProbe().probe(devKvm);
    }

    /** The answer {@value #KVM} forces on this machine: absent for {@code off}, EACCES for {@code denied}. */
    public static Optional<KvmProbe.Result> kvmSwitch() {
        String v = get(KVM);
        if (v == null) {
            return Optional.empty();
        }
        return switch (v) {
            case KVM_OFF -> Optional.of(new KvmProbe.Result.Absent());
            case KVM_DENIED -> Optional.of(new KvmProbe.Result.OpenFailed(Errno.EACCES));
            default -> throw new HostException(KVM + " must be " + KVM_OFF + " or " + KVM_DENIED + " (or unset), not '"
                    + v + "'", HostException.USAGE);
        };
    }

    /**
     * Why the kvm engine must not open this machine's /dev/kvm when a variable says so: a described host is read (its
     * dev/kvm is a description, not a device), or the switch hides or denies the device. Empty when the device decides.
     */
    public static Optional<String> kvmEngineVeto() {
        String because;
        if (described()) {
            because = HOST_ROOT + "=" + get(HOST_ROOT);
        } else if (kvmSwitch().isPresent()) {
            because = KVM + "=" + get(KVM);
        } else {
            return Optional.empty();
        }
        HostRoot root = root();
        KvmStatus status = KvmStatus.of(kvmProbe(root).probe(root.resolve(KvmStatus.DEV_KVM)));
        if (!status.exists()) {
            return Optional.of(KvmStatus.DEV_KVM + " does not exist (" + because + ")");
        }
        if (!status.accessible()) {
            return Optional.of("open " + KvmStatus.DEV_KVM + " failed: " + status.openError() + " (" + because + ")");
        }
        return Optional.of("the kvm engine runs on this machine's " + KvmStatus.DEV_KVM + ", not on a described host ("
                + because + ")");
    }

    /**
     * Why an engine must not run this machine's QEMU when a variable says so: a described host is read (it has no
     * QEMU of its own that memvirt could start: a described host runs the models only, as it runs no kvm engine), or
     * {@value #QEMU}={@value #QEMU_OFF} hides QEMU. Empty when what is installed decides.
     */
    public static Optional<String> qemuVeto() {
        String q = get(QEMU);
        if (q != null && !q.equals(QEMU_OFF)) {
            throw new HostException(QEMU + " must be " + QEMU_OFF + " (or unset), not '" + q + "'", HostException.USAGE);
        }
        if (described()) {
            return Optional.of("a described host runs no QEMU (" + HOST_ROOT + "=" + get(HOST_ROOT) + ")");
        }
        return q == null ? Optional.empty() : Optional.of("qemu-system-x86_64 hidden (" + QEMU + "=" + QEMU_OFF + ")");
    }

    private static String get(String name) {
        String v = SCOPED.isBound() ? SCOPED.get().get(name) : System.getenv(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private HostEnv() {}
}
