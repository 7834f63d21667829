package org.memvirt.cli;

import picocli.CommandLine;

/** The version string; kept in step with pom.xml by {@code VersionTest}. */
public final class Version implements CommandLine.IVersionProvider {
    public static final String VERSION = "0.1.0";

    /** The runtime facts {@code memvirt version --json} prints. */
    public record Info(String version, String java, String arch) {}

    @Override
    public String[] getVersion() {
        return new String[] {"memvirt " + VERSION};
    }
}
