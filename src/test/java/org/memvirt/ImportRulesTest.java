package org.memvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allowed dependency directions between memvirt's packages (docs/ARCHITECTURE.md), read from the compiled main
 * classes: every class another class names (import, fully qualified name, field or method type, {@code var}) is in
 * its constant pool, so nothing escapes by leaving out an import line.
 */
class ImportRulesTest {
    static final Path CLASSES = Path.of("target/classes/org/memvirt");
    private static final Pattern REF = Pattern.compile("org/memvirt/([a-z0-9]+)/([A-Za-z0-9_$]+)");
    /** Package -> class (simple name, nested classes folded) -> the project classes it refers to, as pkg.Class. */
    private static final Map<String, Map<String, Set<String>>> DEPS = new TreeMap<>();

    @BeforeAll
    static void readClasses() throws IOException {
        assertThat(CLASSES).as("compiled main classes (mvn compile)").isDirectory();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            files.filter(p -> p.toString().endsWith(".class")).forEach(ImportRulesTest::read);
        }
        assertThat(DEPS).containsKeys("cli", "config", "engine", "host", "hostctl", "image", "kvm", "qemu", "report",
                "scenario", "sim", "workload", "x86");
        ALL.addAll(DEPS.keySet());
    }

    private static void read(Path file) {
        Path rel = CLASSES.relativize(file);
        if (rel.getNameCount() < 2) return;                            // the root package: the common exception
        String pkg = rel.getName(0).toString();
        String cls = rel.getFileName().toString().replaceFirst("(\\$.*)?\\.class$", "");
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> refs = DEPS.computeIfAbsent(pkg, k -> new TreeMap<>()).computeIfAbsent(cls, k -> new TreeSet<>());
        Matcher m = REF.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals(pkg)) refs.add(m.group(1) + "." + m.group(2).replaceFirst("\\$.*", ""));
        }
    }

    /** Every {@code pkg.Class -> other.Class} reference from a class of {@code from} into one of {@code to}. */
    static List<String> references(String from, Set<String> to) {
        List<String> out = new ArrayList<>();
        DEPS.getOrDefault(from, Map.of()).forEach((cls, refs) -> {
            for (String r : refs) if (to.contains(r.substring(0, r.indexOf('.')))) out.add(from + "." + cls + " -> " + r);
        });
        return out;
    }

    /** Every package of the project, as compiled: a new package falls under the rules that name "all". */
    static final Set<String> ALL = new TreeSet<>();

    @Test
    void x86AndConfigImportNothingOfTheProject() {
        assertThat(references("x86", ALL)).isEmpty();
        assertThat(references("config", ALL)).isEmpty();
    }

    @Test
    void workloadDependsOnNoEngine() {
        assertThat(references("workload", Set.of("engine", "sim", "kvm", "host", "scenario", "report", "cli"))).isEmpty();
    }

    @Test
    void enginesNeverImportEachOther() {
        assertThat(references("sim", Set.of("kvm", "qemu"))).isEmpty();
        assertThat(references("kvm", Set.of("sim", "qemu"))).isEmpty();
        assertThat(references("qemu", Set.of("sim", "kvm"))).isEmpty();
    }

    @Test
    void enginesImportNoScenarioCliOrReport() {
        for (String engine : List.of("sim", "kvm", "qemu")) {
            assertThat(references(engine, Set.of("scenario", "cli", "report"))).as(engine).isEmpty();
        }
    }

    @Test
    void theSeamNamesNoEngineAndNothingAboveIt() {
        assertThat(references("engine", Set.of("sim", "kvm", "qemu", "scenario", "report", "cli"))).isEmpty();
    }

    @Test
    void scenarioImportsNeitherSimNorKvm() {
        assertThat(references("scenario", Set.of("sim", "kvm", "qemu", "report", "cli"))).isEmpty();
    }

    @Test
    void nothingBelowCliImportsCli() {
        for (String pkg : ALL) if (!pkg.equals("cli")) assertThat(references(pkg, Set.of("cli"))).as(pkg).isEmpty();
    }

    @Test
    void reportAndCliNameNoEngineImplementation() {
        assertThat(references("report", Set.of("sim", "kvm", "qemu", "scenario", "cli"))).isEmpty();
        assertThat(references("cli", Set.of("sim", "kvm", "qemu"))).isEmpty();
    }

    @Test
    void guestImagesNameNoEngineAndNothingAboveThem() {
        assertThat(references("image", Set.of("sim", "kvm", "qemu", "scenario", "report", "cli"))).isEmpty();
    }

    @Test
    void hostControlImportsNoEngineAndNothingAboveIt() {
        assertThat(references("hostctl", Set.of("engine", "sim", "kvm", "qemu", "scenario", "report", "cli"))).isEmpty();
    }

    @Test
    void hostImportsNoReport() {
        assertThat(references("host", Set.of("report", "engine", "sim", "kvm", "qemu", "scenario", "cli", "hostctl")))
                .isEmpty();
    }
}
