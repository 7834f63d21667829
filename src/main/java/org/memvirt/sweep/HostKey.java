package org.memvirt.sweep;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One host of a study: its point and its index within the point; Spark's task input.
 *
 * @param point the point's index
 * @param host the host's index within the point
 */
public record HostKey(int point, int host) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Every host of {@code study}, host-major (host 0 of every point, then host 1, ...), so that a contiguous slice of
     * the list, which is what a Spark partition or a thread's next task gets, mixes cheap and costly points.
     */
    public static List<HostKey> all(Study study) {
        List<HostKey> keys = new ArrayList<>(study.hosts());
        for (int h = 0; h < study.hostsPerPoint(); h++) {
            for (int p = 0; p < study.points().size(); p++) keys.add(new HostKey(p, h));
        }
        return keys;
    }
}
