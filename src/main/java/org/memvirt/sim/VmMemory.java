package org.memvirt.sim;

/**
 * One VM's guest RAM as the host sees it, in 4 KiB pages. Every guest page is in exactly one of untouched,
 * resident (private), shared (KSM page or KSM zero page), swapped and ballooned.
 *
 * @param name the VM
 * @param configuredPages guest RAM
 * @param residentPages private host frames
 * @param ksmPages mappings of KSM pages
 * @param zeroPages mappings of the zero page made by KSM
 * @param swappedPages in swap
 * @param balloonedPages discarded by the balloon and not touched since
 * @param untouchedPages never backed
 * @param peakRssPages the highest RSS (resident + KSM mappings)
 * @param peakSwappedPages the most pages in swap at once
 * @param swapIns pages read back from swap
 * @param cowBreaks writes that broke KSM sharing
 * @param killed OOM-killed
 * @param killedAtNanos virtual time of the kill, or -1
 */
public record VmMemory(String name, long configuredPages, long residentPages, long ksmPages, long zeroPages,
        long swappedPages, long balloonedPages, long untouchedPages, long peakRssPages, long peakSwappedPages,
        long swapIns, long cowBreaks, boolean killed, long killedAtNanos) {
    public long rssPages() {
        return residentPages + ksmPages;
    }
}
