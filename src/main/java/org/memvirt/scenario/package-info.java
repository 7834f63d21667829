/**
 * Owns the scenario file: YAML read into an engine-neutral {@link org.memvirt.engine.HostSpec} (each VM with its whole
 * QEMU machine), every error naming the file's field. Must not import an engine (each engine maps the host and the
 * VMs onto what it models or has) or print (the cli does).
 */
package org.memvirt.scenario;
