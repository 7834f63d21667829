package org.memvirt;

/** An error that knows the process exit status it stands for. */
public sealed interface ExitCoded permits MemvirtException {
    int exitCode();
}
