/**
 * Owns the simulated hypervisor: guest OS model, KVM-faithful shadow MMU and TDP MMU, host memory with swap, KSM, balloon and OOM, virtual time. Must not call native code.
 */
package org.memvirt.sim;
