/**
 * Owns the seam between the commands and the engines, for one VM ({@link org.memvirt.engine.RunSpec} to
 * {@link org.memvirt.engine.RunResult}) and for a host of many ({@link org.memvirt.engine.HostSpec} to
 * {@link org.memvirt.engine.HostResult}): the {@link org.memvirt.engine.Engine} contract, the engine kinds, the
 * registry and the one place an engine is chosen ({@link org.memvirt.engine.Engines}), and counters named as KVM's
 * binary stats. Must not contain engine logic or name an implementation.
 */
package org.memvirt.engine;
