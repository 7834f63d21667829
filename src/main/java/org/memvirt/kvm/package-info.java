/**
 * Owns everything native: FFM bindings, KVM objects, guest RAM, the guest runtime loader, real KSM/balloon/uffd swap and the stats readers. Must not leak native handles outside the package.
 */
package org.memvirt.kvm;
