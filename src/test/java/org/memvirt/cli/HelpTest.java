package org.memvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/** Every command's {@code --help}: no word cut in two, no line past 80 columns, placeholders as QEMU writes them. */
class HelpTest {
    @Test
    void noDescriptionWordIsCutInTwo() {
        for (CommandLine cl : commands()) {
            String help = cl.getUsageMessage();
            Set<String> printed = new HashSet<>(List.of(help.split("\\s+")));
            for (String word : words(cl.getCommandSpec())) {
                assertThat(printed).as(cl.getCommandSpec().qualifiedName() + " --help has '" + word + "' whole")
                        .contains(word);
            }
        }
    }

    @Test
    void noLineIsWiderThan80ColumnsUnlessOneWordIs() {
        for (CommandLine cl : commands()) {
            for (String line : cl.getUsageMessage().split("\n")) {
                if (line.strip().contains(" ")) {
                    assertThat(line.length()).as(cl.getCommandSpec().qualifiedName() + ": " + line)
                            .isLessThanOrEqualTo(HelpLayout.WIDTH);
                }
            }
        }
    }

    @Test
    void optionsTakeTheirValueAfterASpaceAndNameItInCapitalsOrTheWordsAllowed() {
        for (CommandLine cl : commands()) {
            String help = cl.getUsageMessage();
            assertThat(help).as(cl.getCommandSpec().qualifiedName()).doesNotContainPattern("--[a-z-]+=")
                    .doesNotContainPattern("<[a-zA-Z-]+>").doesNotContain("\u00a0");
        }
        String translate = Main.commandLine().getSubcommands().get("translate").getUsageMessage();
        assertThat(translate).contains("--gva GVA ").contains("      --gva GVA               Guest virtual (linear) "
                + "address, hex 0x... or\n");
        String run = Main.commandLine().getSubcommands().get("run").getUsageMessage();
        assertThat(run).contains(" -m [size=]megs[,slots=n,maxmem=size],\n", " -object memory-backend-*, ");   // never cut
    }

    @Test
    void anAttachedValueIsStillTaken() {
        assertThat(Main.splitAttached(Main.commandLine(), new String[] {"run", "--report=r.html", "--compare",
                "--mmu=ept", "--compare=--vpid=off", "-name", "--json=x", "--json", "--", "--seed=2"}))
                .containsExactly("run", "--report", "r.html", "--compare", "--mmu=ept", "--compare", "--vpid=off",
                        "-name", "--json=x", "--json", "--", "--seed=2");
    }

    @Test
    void valueListsOfErrorsAreInTheWordsTyped() {
        MainTest.CliRun unit = MainTest.CliRun.of("host-check", "--unit", "x");
        assertThat(unit.rc()).isEqualTo(2);
        assertThat(unit.err()).isEqualTo("memvirt: --unit must be bytes, kibi, mebi, gibi, tebi, pebi, kilo, mega, giga,"
                + " tera or peta, not 'x'\n");
        MainTest.CliRun engine = MainTest.CliRun.of("scenario", "--engine", "x", "no-such.yaml");
        assertThat(engine.rc()).isEqualTo(2);
        assertThat(engine.err()).isEqualTo("memvirt: --engine must be sim, kvm, qemu or auto, not 'x'\n");
    }

    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(Main.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        into.add(cl);
        for (CommandLine sub : cl.getSubcommands().values()) collect(sub, into);
    }

    /** The words of every description of {@code spec}, its options' and its parameters', split at spaces. */
    private static List<String> words(CommandSpec spec) {
        List<String> text = new ArrayList<>(List.of(spec.usageMessage().description()));
        List<ArgSpec> args = new ArrayList<>(spec.options());
        args.addAll(spec.positionalParameters());
        for (ArgSpec a : args) {
            if (!a.hidden()) text.addAll(List.of(a.description()));
        }
        List<String> words = new ArrayList<>();
        for (String t : text) {
            for (String w : t.replace("%n", " ").replace('\u00a0', ' ').split("\\s+")) {
                if (!w.isEmpty() && !w.contains("${")) words.add(w);
            }
        }
        return words;
    }
}
