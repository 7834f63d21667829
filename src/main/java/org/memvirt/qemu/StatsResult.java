package org.memvirt.qemu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One provider's statistics for one target from QMP {@code query-stats} (qapi/stats.json StatsResult, QEMU 7.1+):
 * KVM's binary statistics under their KVM names ({@code exits}, {@code pf_fixed}, ...). QEMU registers the {@code kvm}
 * provider only under {@code -accel kvm}; under TCG {@code query-stats} returns no results.
 *
 * @param provider {@code kvm}
 * @param qomPath the vCPU's QOM path for target {@code vcpu}; empty for target {@code vm}
 * @param scalars cumulative and instant values (StatsValue {@code scalar}; a {@code boolean} is 0 or 1); unsigned
 * @param histograms bucketed values (StatsValue {@code list})
 */
public record StatsResult(String provider, String qomPath, Map<String, Long> scalars,
        Map<String, List<Long>> histograms) {
    public StatsResult {
        scalars = Map.copyOf(scalars);
        histograms = Map.copyOf(histograms);
    }

    static List<StatsResult> listOf(JsonNode results) {
        List<StatsResult> out = new ArrayList<>();
        for (JsonNode r : results) {
            Map<String, Long> scalars = new LinkedHashMap<>();
            Map<String, List<Long>> histograms = new LinkedHashMap<>();
            for (JsonNode s : r.path("stats")) {
                JsonNode v = s.path("value");
                String name = s.path("name").asText();
                if (v.isArray()) {
                    List<Long> buckets = new ArrayList<>();
                    v.forEach(b -> buckets.add(b.bigIntegerValue().longValue()));
                    histograms.put(name, List.copyOf(buckets));
                } else if (v.isBoolean()) {
                    scalars.put(name, v.asBoolean() ? 1L : 0L);
                } else {
                    scalars.put(name, v.bigIntegerValue().longValue());
                }
            }
            out.add(new StatsResult(r.path("provider").asText(), r.path("qom-path").asText(""), scalars, histograms));
        }
        return List.copyOf(out);
    }
}
