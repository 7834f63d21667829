/**
 * Owns QEMU processes and QMP: finding and starting qemu-system-x86_64 with a user's command line and memvirt's
 * devices, the QMP client, QEMU's errors as one-line diagnoses, the guest-RAM mapping of a QEMU process. Must not leak
 * processes, sockets or temp files: every QEMU it starts is stopped and its private directory removed on every exit
 * path.
 */
package org.memvirt.qemu;
