package org.memvirt.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

/**
 * The counter table is the one list of counters: docs/counters.md shows it as generated here (run this test with
 * {@code -Dmemvirt.docs.write=true} to rewrite that part of the page), and {@link Counters} takes no other name.
 */
class CounterTableTest {
    static final Path DOC = Path.of("docs/counters.md");
    static final String BEGIN = "<!-- counter table: generated from engine/Counter.java by CounterTableTest; "
            + "edit the table there, then run the test with -Dmemvirt.docs.write=true -->";
    static final String END = "<!-- end of the counter table -->";

    @Test
    void docsShowTheTable() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as("%s has the marker line %s", DOC, BEGIN).isNotNegative();
        assertThat(end).as("%s has the marker line %s", DOC, END).isGreaterThan(begin);
        String shown = doc.substring(begin + BEGIN.length(), end);
        String generated = "\n" + markdown();
        if (Boolean.getBoolean("memvirt.docs.write") && !shown.equals(generated)) {
            Files.writeString(DOC, doc.substring(0, begin + BEGIN.length()) + generated + doc.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(shown).as("docs/counters.md differs from engine.Counter; rerun with -Dmemvirt.docs.write=true")
                .isEqualTo(generated);
    }

    /** One table per group, one row per counter, in the table's order. */
    static String markdown() {
        StringBuilder sb = new StringBuilder();
        for (Counter.Group g : Counter.Group.values()) {
            sb.append("\n### ").append(g.heading()).append("\n\n");
            sb.append("| counter | scope | kind | engines | meaning | source |\n|---|---|---|---|---|---|\n");
            for (Counter c : Counter.values()) {
                if (c.group() != g) continue;
                sb.append("| `").append(c.key()).append("` | ").append(c.scope().name().toLowerCase(java.util.Locale.ROOT))
                        .append(" | ").append(c.kind().name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                        .append(c.engines().text()).append(" | ").append(cell(c.meaning())).append(" | ")
                        .append(cell(c.source())).append(" |\n");
            }
        }
        return sb.append('\n').toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    @Test
    void keysAreSnakeCaseAndUnique() {
        List<String> keys = new ArrayList<>();
        for (Counter c : Counter.values()) {
            assertThat(c.key()).matches("[a-z][a-z0-9_]*");
            assertThat(c.meaning()).as(c.key()).isNotBlank().doesNotContain("\n");
            assertThat(c.source()).as(c.key()).isNotBlank();
            keys.add(c.key());
        }
        assertThat(keys).doesNotHaveDuplicates().contains("pf_fixed", "verify_mismatches", "host_mem_used_kb");
        assertThat(Counter.of("pf_fixed")).isEqualTo(Counter.PF_FIXED);
        assertThat(Counter.find("verify_errors")).isEmpty();
    }

    /** KVM's statistics keep KVM's scope: the VM statistics of x86.c kvm_vm_stats_desc and KVM_GENERIC_VM_STATS. */
    @Test
    void kvmVmStatisticsAreVmScoped() {
        List<Counter> vm = new ArrayList<>();
        for (Counter c : Counter.values()) {
            if (c.group() == Counter.Group.KVM_STATS && c.scope() == Counter.Scope.VM) vm.add(c);
        }
        assertThat(vm).containsExactlyInAnyOrder(Counter.MMU_SHADOW_ZAPPED, Counter.MMU_PTE_WRITE,
                Counter.MMU_PDE_ZAPPED, Counter.MMU_FLOODED, Counter.MMU_RECYCLED, Counter.MMU_CACHE_MISS,
                Counter.MMU_UNSYNC, Counter.PAGES_4K, Counter.PAGES_2M, Counter.PAGES_1G, Counter.REMOTE_TLB_FLUSH,
                Counter.REMOTE_TLB_FLUSH_REQUESTS, Counter.NX_LPAGE_SPLITS, Counter.MAX_MMU_RMAP_SIZE,
                Counter.MAX_MMU_PAGE_HASH_COLLISIONS, Counter.MMU_KICKS_SPARED);   // 16 on the kvm_pvm hosts
    }

    @Test
    void anUnknownNameIsRefused() {
        assertThatThrownBy(() -> new Counters(Map.of("verify_errors", 0L))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no counter named 'verify_errors' (engine.Counter lists them all)");
    }

    @Test
    void aCounterTheSnapshotDoesNotHaveIsAnErrorNotZero() {
        Counters c = Counters.of(Map.of(Counter.EXITS, 7L));
        assertThat(c.get(Counter.EXITS)).isEqualTo(7);
        assertThat(c.has(Counter.WALK_REFS)).isFalse();
        assertThat(c.find(Counter.WALK_REFS)).isEqualTo(OptionalLong.empty());
        assertThatThrownBy(() -> c.get(Counter.WALK_REFS)).isInstanceOf(NoSuchElementException.class)
                .hasMessage("counter walk_refs is not in this snapshot (reported by: sim)");
    }

    @Test
    void minusAndPlusGoNameByName() {
        Map<Counter, Long> a = new LinkedHashMap<>();
        a.put(Counter.EXITS, 10L);
        a.put(Counter.PAGES_4K, 5L);
        Counters later = Counters.of(a);
        Counters earlier = Counters.of(Map.of(Counter.EXITS, 4L, Counter.WALKS, 2L));
        assertThat(later.minus(earlier).values()).containsExactly(Map.entry("exits", 6L), Map.entry("pages_4k", 5L),
                Map.entry("walks", -2L));
        assertThat(later.plus(earlier).values()).containsExactly(Map.entry("exits", 14L), Map.entry("pages_4k", 5L),
                Map.entry("walks", 2L));
    }
}
