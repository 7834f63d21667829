/**
 * Owns everything native, an {@link org.memvirt.engine.Engine} for one VM and for a host of many: FFM bindings, KVM
 * objects, guest RAM, the guest runtime loader, real KSM/balloon/uffd swap and the stats readers. Must not leak
 * native handles outside the package, or import another engine, the scenario file, the report or the cli.
 */
package org.memvirt.kvm;
