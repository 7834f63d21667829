package org.memvirt.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.memvirt.report.Json;

/** {@code memvirt version}: the version, and with {@code --json} the runtime it runs on. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version of memvirt and its runtime.")
final class VersionCommand implements Runnable {
    @Option(names = "--json", description = "Print as JSON.")
    boolean json;

    @Override
    public void run() {
        if (json) {
            System.out.println(Json.write(new Version.Info(Version.VERSION, Runtime.version().toString(),
                    System.getProperty("os.arch"))));
        } else {
            System.out.println("memvirt " + Version.VERSION + " (Java " + Runtime.version() + ")");
        }
    }
}
