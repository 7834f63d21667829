/**
 * Owns the host side of the guest agent's protocol: workload ops encoded as the agent's requests, its replies decoded,
 * the guest's counters summed per op, and one-line diagnoses when the agent errs, dies, panics or goes silent. Must not
 * parse the workload language (the workload package does) or start QEMU (the qemu package does).
 */
package org.memvirt.qemu.agent;
