package org.memvirt.image;

import java.util.List;

/**
 * The guest's {@code /init}, a busybox sh script: mounts proc, sysfs and devtmpfs (Debian's kernel has DEVTMPFS but
 * not DEVTMPFS_MOUNT), loads the modules with insmod in dependency order (a module built into the kernel instead is
 * skipped), sets the transparent huge page policy from {@code memvirt.thp=} on the kernel command line ({@code never}
 * unless said otherwise, so that 4 KiB means 4 KiB), and executes the agent as PID 1.
 */
final class InitScript {
    static final String AGENT_PATH = "/memvirt-agent";
    static final String MODULE_DIR = "/lib/memvirt";
    static final String DEFAULT_THP = "never";

    /** The script for modules loaded in {@code modules} order (each from MODULE_DIR/NAME.ko). */
    static String text(List<String> modules) {
        return """
                #!/bin/busybox sh
                # memvirt guest init (written by 'memvirt image build'): mount, load modules, set THP, run the agent.
                /bin/busybox --install -s /bin
                export PATH=/bin
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                for m in %s; do
                  insmod %s/$m.ko 2>/dev/null || [ -d /sys/module/$m ] || echo "memvirt-init: insmod $m failed"
                done
                thp=%s
                for w in $(cat /proc/cmdline); do
                  case "$w" in memvirt.thp=*) thp="${w#memvirt.thp=}";; esac
                done
                echo "$thp" > /sys/kernel/mm/transparent_hugepage/enabled || echo "memvirt-init: cannot set THP '$thp'"
                exec %s
                """.formatted(String.join(" ", modules), MODULE_DIR, DEFAULT_THP, AGENT_PATH);
    }

    private InitScript() {}
}
