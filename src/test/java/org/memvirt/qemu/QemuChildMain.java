package org.memvirt.qemu;

import java.nio.file.Path;
import java.util.List;

import org.memvirt.config.QemuArgs;

/**
 * A JVM that starts one QEMU and waits to be signalled: QemuProcessTest sends it SIGINT (as Ctrl-C does) or SIGKILL
 * and checks that QEMU went with it. Prints {@code pid PID dir DIR} once QEMU is up.
 */
public final class QemuChildMain {
    public static void main(String[] args) throws Exception {
        QemuLaunch launch = QemuLaunch.of(QemuArgs.parse(List.of("-M", "microvm", "-nodefaults", "-S", "-m", "64M")))
                .withAccel(AccelChoice.given(AccelChoice.TCG, "test")).withRuntimeParent(Path.of(args[0]));
        QemuProcess qemu = QemuProcess.start(launch);
        System.out.println("pid " + qemu.pid() + " dir " + qemu.command().qmpSocket().getParent());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private QemuChildMain() {}
}
