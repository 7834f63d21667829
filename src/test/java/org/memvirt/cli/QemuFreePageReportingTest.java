package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Free page reporting on the real device (one boot): with {@code --balloon free-page-reporting=on} and no balloon op,
 * the guest hands the GiB it freed back to the host by itself (linux mm/page_reporting.c reports free blocks of
 * {@code page_reporting_order}, 2 MiB here, after a 2 s delay; QEMU discards each reported range:
 * hw/virtio/virtio-balloon.c virtio_balloon_handle_report). Required: resident falls by at least 0.7 GiB within 20 s
 * of the free. Read from the run's timeline, sampled every 200 ms.
 */
@Tag("qemu")
class QemuFreePageReportingTest {
    private static final long MIB = 1L << 20, GIB = 1L << 30;

    @BeforeAll
    static void bootable() {
        RealGuests.assumeBootable();
    }

    @Test
    void theGuestReturnsWhatItFreedWithin20Seconds() {
        JsonNode j = RealGuests.json("run", "-M", "microvm", "-m", "2G", "--engine", "qemu", "--balloon",
                "free-page-reporting=on", "--workload", "touch 1G; free 1G; sleep 20s", "--json");
        JsonNode marks = j.at("/timeline/marks");
        assertThat(marks.get(1).get("label").asText()).isEqualTo("free 1G");
        double free = marks.get(1).get("t").asDouble();
        long before = -1;
        double fell = -1;
        for (JsonNode s : j.at("/timeline/samples")) {
            double t = s.get("t").asDouble();
            long rss = s.get("resident_bytes").asLong();
            if (t <= free) before = rss;
            else if (fell < 0 && rss <= before - 7 * GIB / 10) fell = t;
        }
        System.out.printf("free page reporting: %d MiB when the free began, -0.7 GiB %.1f s after it; at the end %d MiB%n",
                before / MIB, fell - free, j.at("/memory/resident_bytes").asLong() / MIB);
        assertThat(before).isGreaterThanOrEqualTo(GIB);
        assertThat(fell).as("a sample 0.7 GiB below the resident at the free").isPositive();
        assertThat(fell - free).isLessThanOrEqualTo(20);
        assertThat(j.at("/counters/balloon_actual_pages").asLong()).isZero();      // no balloon op ran
    }
}
