/**
 * Owns the x86-64 architecture: entry codecs (PTE, EPT entry, EPTP, CR3/PCID), 1D and 2D walkers, fault and violation codes, TLBs and page-walk caches with PCID/VPID tags and every invalidation instruction. Must not know about VMs or engines.
 */
package org.memvirt.x86;
