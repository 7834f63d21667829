/**
 * Owns reading this host's capabilities and memory state (/dev/kvm, cpuinfo, module parameters, KSM, THP, swap, meminfo). Must not change host settings.
 */
package org.memvirt.host;
