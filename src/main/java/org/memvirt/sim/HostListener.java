package org.memvirt.sim;

/** Told about host memory events as they happen in virtual time; every method has an empty default. */
public interface HostListener {
    HostListener NONE = new HostListener() {};

    /** The OOM killer chose and killed a VM. */
    default void oomKilled(OomKill kill) {}

    /** ksmd finished full scan number {@code fullScans}. */
    default void ksmFullScan(long fullScans, long nanos) {}

    /**
     * One OOM kill, with the victim's oom_badness inputs (linux mm/oom_kill.c) at the moment of the kill.
     *
     * @param vm the victim's id
     * @param name the victim's name
     * @param atNanos virtual time of the kill
     * @param points the badness score that won
     * @param rssPages resident pages (private plus KSM mappings)
     * @param swapPages swap entries
     * @param pageTablePages page-table pages (estimated)
     * @param requester the VM whose allocation failed
     */
    record OomKill(int vm, String name, long atNanos, long points, long rssPages, long swapPages, long pageTablePages,
            String requester) {}
}
