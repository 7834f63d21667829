/**
 * Owns the simulated hypervisor, an {@link org.memvirt.engine.Engine} for one VM and for a host of many: guest OS
 * model, KVM-faithful shadow MMU and TDP MMU, host memory with swap, KSM, balloon and OOM, the host-side balloon and
 * KSM managers, virtual time. Must not call native code or import another engine, the scenario file, the report or
 * the cli.
 */
package org.memvirt.sim;
