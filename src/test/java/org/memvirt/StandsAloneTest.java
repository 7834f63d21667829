package org.memvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The project stands alone: no tracked file (sources, docs, README, examples, guest/, scripts/, the build) cites a file
 * outside the repository. A Markdown file named anywhere must exist in the repository (relative to the citing file or
 * to the root; names inside URLs are other repositories' files, and a string literal that is just a file name is a file
 * the code itself makes, like a test's {@code Path.of("x.md")}), and nothing names the development machines' /work,
 * the private notes beside the repository or the private task description. Facts the code relies on belong in
 * docs/HOST-FACTS.md with the command that measures them; published figures cite their public source.
 */
class StandsAloneTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    /** This file names the patterns it forbids. */
    static final String SELF = "src/test/java/org/memvirt/StandsAloneTest.java";

    /** A Markdown file name or path, not preceded by a path or word character. */
    static final Pattern MARKDOWN = Pattern.compile("(?<![\\w/.-])((?:\\.{1,2}/)*\\w[\\w./-]*\\.md)\\b");
    static final Pattern URL = Pattern.compile("https?://\\S+");

    /** What a reference to something outside the repository looks like, and what it is. */
    record Forbidden(Pattern pattern, String what) {}

    private static final String WORK = "/wo" + "rk/";

    static final List<Forbidden> FORBIDDEN = List.of(
            // the machine's directory is spelt in two parts so that this file does not name it itself
            new Forbidden(Pattern.compile("\\.\\./shared\\b|" + WORK + "shared\\b"), "the private notes beside the repository"),
            new Forbidden(Pattern.compile("(?<![\\w.~-])" + WORK), "a directory of the development machines"),
            new Forbidden(Pattern.compile("(?i)\\bseed's\\b"), "the private task description (\"the seed\")"),
            new Forbidden(Pattern.compile("\\bfarm-(?:bench|studio)\\b|(?i)\\bhelper sessions?\\b"), "the team's own tools"));

    /** One offending place. */
    record Finding(String file, int line, String text, String why) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + why + ": " + text.strip();
        }
    }

    @Test
    void noTrackedFileCitesAFileOutsideTheRepository() throws IOException {
        List<String> files = trackedFiles();
        assertThat(files).as("tracked files").contains("README.md", "docs/HOST-FACTS.md", "pom.xml");
        Set<String> present = new TreeSet<>(files);
        List<Finding> findings = new ArrayList<>();
        int scanned = 0;
        for (String f : files) {
            if (f.equals(SELF)) continue;
            String text = textOf(ROOT.resolve(f));
            if (text == null) continue;
            scanned++;
            findings.addAll(check(f, text, present));
        }
        assertThat(scanned).as("text files scanned").isGreaterThan(100);
        assertThat(findings).as("citations of files outside the repository (cite a public source, or move the fact "
                + "into docs/HOST-FACTS.md with the command that measures it)").isEmpty();
    }

    @Test
    void theRulesCatchEachKindOfOutsideReference() {
        Set<String> present = Set.of("README.md", "docs/README.md", "docs/sim-engine.md", "docs/commands/run.md");
        assertThat(check("docs/x.md", "see HOST.md for the timings", present)).hasSize(1);
        assertThat(check("src/A.java", "// Zen 5 (reference/" + "mmu.md §7)", present)).hasSize(1);
        assertThat(check("docs/x.md", "| 7 | Zen 5 (reference mmu.md §7) |", present)).hasSize(1);
        assertThat(check("src/A.java", "(STYLE.md §10 naming)", present)).hasSize(1);
        assertThat(check("docs/x.md", "notes in ../sha" + "red/reference", present)).hasSize(1);
        assertThat(check("scripts/x", "cd " + WORK + "wt/standalone && make", present)).hasSize(1);
        assertThat(check("README.md", "Run the seed's story", present)).hasSize(1);
        assertThat(check("docs/x.md", "measured with farm-bench", present)).hasSize(1);
        assertThat(check("src/A.java", "skip(\"kvm_pvm is not loaded: not a HOST.md machine\")", present)).hasSize(1);
        assertThat(check("docs/x.md", "two lines\nthen HOST.md", present)).singleElement()
                .extracting(Finding::line).isEqualTo(2);
    }

    @Test
    void referencesInsideTheRepositoryAndToOtherRepositoriesPass() {
        Set<String> present = Set.of("README.md", "docs/README.md", "docs/sim-engine.md", "docs/commands/run.md");
        assertThat(check("docs/commands/demo.md", "as [run.md](run.md) and [../sim-engine.md](../sim-engine.md)", present))
                .isEmpty();
        assertThat(check("src/A.java", "docs/sim-engine.md gives each source; README.md too", present)).isEmpty();
        assertThat(check("docs/x.md", "https://github.com/o/r/blob/abc/docs/notes/HOST.md, \"L1 DTLB\"", present))
                .isEmpty();
        assertThat(check("docs/x.md", "--seed 7; random:SEED; the seed for everything random", present)).isEmpty();
        assertThat(check("src/T.java", "examples(Path.of(\"x.md\"), List.of(\"```console\"))", present)).isEmpty();
        assertThat(check("docs/x.md", "ls /sys/fs/cgroup/memory; cat /proc/self/cgroup; ~/" + "work/x", present)).isEmpty();
        assertThat(check("src/T.java", "Map.of(\"HOME\", \"/home/u\") -> /home/u/.cache/memvirt", present)).isEmpty();
    }

    /** Every finding in {@code text}, the content of repository file {@code file}. */
    static List<Finding> check(String file, String text, Set<String> present) {
        List<Finding> out = new ArrayList<>();
        Path dir = Path.of(file).getParent();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String cited = URL.matcher(line).replaceAll(" ");
            Matcher m = MARKDOWN.matcher(cited);
            while (m.find()) {
                String name = m.group(1);
                if (!resolves(name, dir, present) && !isWholeStringLiteral(cited, m.start(1), m.end(1))) {
                    out.add(new Finding(file, i + 1, line, name + " is not a file of this repository"));
                }
            }
            for (Forbidden f : FORBIDDEN) {
                if (f.pattern().matcher(line).find()) out.add(new Finding(file, i + 1, line, f.what()));
            }
        }
        return out;
    }

    /** Whether {@code [start, end)} of {@code line} is all of a double-quoted literal: {@code "x.md"}. */
    static boolean isWholeStringLiteral(String line, int start, int end) {
        return start > 0 && end < line.length() && line.charAt(start - 1) == '"' && line.charAt(end) == '"';
    }

    static boolean resolves(String name, Path dir, Set<String> present) {
        Path fromFile = dir == null ? Path.of(name) : dir.resolve(name);
        return present.contains(fromFile.normalize().toString()) || present.contains(Path.of(name).normalize().toString());
    }

    /** The repository's files: git's list where git is at hand, else every file outside .git and target. */
    static List<String> trackedFiles() throws IOException {
        List<String> git = gitLsFiles();
        if (git != null) return git;
        try (Stream<Path> walk = Files.walk(ROOT)) {
            return walk.filter(Files::isRegularFile).map(p -> ROOT.relativize(p).toString())
                    .filter(p -> !p.startsWith(".git/") && !p.startsWith("target/")).sorted().toList();
        }
    }

    private static List<String> gitLsFiles() {
        try {
            Process p = new ProcessBuilder("git", "ls-files", "-z").directory(ROOT.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.length == 0) return null;
            return Stream.of(new String(out, StandardCharsets.UTF_8).split("\0"))
                    .filter(f -> !f.isEmpty() && Files.isRegularFile(ROOT.resolve(f))).sorted().toList();
        } catch (IOException e) {
            return null;                                            // no git on this machine: walk the tree instead
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The file as UTF-8 text, or null for a binary file (a NUL byte, or not UTF-8). */
    static String textOf(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (byte b : bytes) if (b == 0) return null;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
