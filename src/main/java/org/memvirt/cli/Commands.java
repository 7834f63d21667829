package org.memvirt.cli;

import java.util.List;

/** The sub-commands of {@code memvirt}, one line each, in the order {@code --help} lists them. */
final class Commands {
    static List<Object> all() {
        return List.of(
                new VersionCommand(),
                new ConfigCommand(),
                new HostCheckCommand(),
                new PlanCommand(),
                new TranslateCommand(),
                new RunCommand(),
                new ScenarioCommand(),
                new SweepCommand(),
                new DemoCommand(),
                new ImageCommand()
        );
    }

    private Commands() {}
}
