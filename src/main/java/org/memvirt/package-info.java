/**
 * memvirt: KVM memory virtualization, real (a micro-VMM on /dev/kvm through the FFM API) and modelled (a page-exact
 * simulator), reporting the same counters under KVM's own names. Sub-packages own one concept each (docs/ARCHITECTURE.md).
 */
package org.memvirt;
