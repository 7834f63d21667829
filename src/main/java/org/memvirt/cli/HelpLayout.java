package org.memvirt.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The {@code --help} layout: picocli's sections, wrapped at spaces only. picocli wraps with the JDK's line
 * {@link java.text.BreakIterator}, which also breaks after a hyphen, a dot or a comma, so that {@code -m} or
 * {@code memory-backend-*} could be cut in two; here a word (anything between spaces) is never split, and a line is
 * at most {@link #WIDTH} columns unless one word is longer. A no-break space ({@link #NBSP}) in a description keeps
 * its two sides on one line ({@code -m [size=]megs}) and prints as a space.
 */
final class HelpLayout {
    static final int WIDTH = 80;
    static final char NBSP = '\u00a0';
    /** Where descriptions start at most; longer names put their description on the next line. */
    static final int MAX_NAMES = 30;

    private HelpLayout() {}

    /** Installs the layout on {@code cl} and every sub-command. */
    static void install(CommandLine cl) {
        var sections = cl.getHelpSectionMap();
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, help -> synopsis(help.commandSpec()));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION,
                help -> wrap(text(help.commandSpec().usageMessage().description()), 0, 0));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, help -> "");   // in the option list
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, help -> arguments(help.commandSpec()));
        sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, help -> commands(help.commandSpec()));
        for (CommandLine sub : cl.getSubcommands().values()) install(sub);
    }

    /**
     * {@code memvirt run [-hV] [--engine sim|kvm|auto] ... [QEMU-OPTION...]} after picocli's {@code Usage: } heading,
     * wrapped between items.
     */
    static String synopsis(CommandSpec spec) {
        List<String> items = new ArrayList<>();
        StringBuilder flags = new StringBuilder();
        for (OptionSpec o : options(spec, true)) {
            if (o.usageHelp() || o.versionHelp()) flags.append(o.shortestName().substring(1));
        }
        if (!flags.isEmpty()) items.add("[-" + flags + "]");
        for (OptionSpec o : options(spec, true)) {
            if (o.usageHelp() || o.versionHelp()) continue;
            String item = o.longestName() + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
            if (o.isMultiValue()) item = o.required() ? item + " [" + item + "]..." : "[" + item + "]...";
            else if (!o.required()) item = "[" + item + "]";
            items.add(item);
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            String item = p.paramLabel() + (p.isMultiValue() ? "..." : "");
            items.add(p.arity().min() == 0 ? "[" + item + "]" : item);
        }
        if (!spec.subcommands().isEmpty()) items.add("[COMMAND]");
        String head = "Usage: " + spec.qualifiedName() + " ";           // the heading is picocli's
        StringBuilder out = new StringBuilder(spec.qualifiedName()).append(' ');
        int col = head.length();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            if (i > 0 && col + 1 + item.length() > WIDTH) {
                out.append('\n').append(" ".repeat(head.length()));
                col = head.length();
            } else if (i > 0) {
                out.append(' ');
                col++;
            }
            out.append(item);
            col += item.length();
        }
        return out.append('\n').toString();
    }

    /** The positional parameters, then the options, in one two-column table. */
    static String arguments(CommandSpec spec) {
        List<String[]> rows = new ArrayList<>();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            String label = p.paramLabel() + (p.isMultiValue() ? "..." : "");
            rows.add(new String[] {"      " + (p.arity().min() == 0 ? "[" + label + "]" : label), description(p)});
        }
        for (OptionSpec o : options(spec, spec.usageMessage().sortOptions())) {
            String shortName = o.shortestName().length() == 2 ? o.shortestName() : null;
            String names = (shortName != null ? "  " + shortName + ", " : "      ")
                    + o.longestName() + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
            rows.add(new String[] {names, description(o)});
        }
        return table(rows);
    }

    static String commands(CommandSpec spec) {
        List<String[]> rows = new ArrayList<>();
        for (var e : spec.subcommands().entrySet()) {
            if (e.getValue().getCommandSpec().usageMessage().hidden()) continue;
            var usage = e.getValue().getCommandSpec().usageMessage();
            rows.add(new String[] {"  " + e.getKey(), text(usage.header().length > 0 ? usage.header() : usage.description())});
        }
        return table(rows);
    }

    /** The options in help order: declaration order, or by name (case-insensitive, without dashes) if sorted. */
    private static List<OptionSpec> options(CommandSpec spec, boolean sorted) {
        List<OptionSpec> out = new ArrayList<>();
        for (OptionSpec o : spec.options()) if (!o.hidden()) out.add(o);
        if (sorted) {
            out.sort(Comparator.comparing(o -> o.shortestName().replaceFirst("^-+", "").toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    private static String description(CommandLine.Model.ArgSpec a) {
        String def = a.defaultValueString();
        return text(a.description()).replace("${DEFAULT-VALUE}", def == null ? "" : def);
    }

    /** Description lines as one text: picocli's {@code %n} is a line break, {@code %%} a per cent sign. */
    private static String text(String[] lines) {
        return String.join(" ", lines).replace("%n", "\n").replace("%%", "%").strip();
    }

    /** Names in the first column, descriptions from column {@code min(widest + 2, MAX_NAMES)} on, wrapped. */
    private static String table(List<String[]> rows) {
        int col = 0;
        for (String[] r : rows) if (r[0].length() + 2 <= MAX_NAMES) col = Math.max(col, r[0].length() + 2);
        col = Math.max(col, 8);
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            if (r[0].length() + 2 > col) {
                out.append(r[0]).append('\n').append(wrap(r[1], col, col + 2));
            } else {
                String body = wrap(r[1], col, col + 2);
                out.append(r[0]).append(" ".repeat(col - r[0].length())).append(body.substring(col));
            }
        }
        return out.toString();
    }

    /**
     * {@code text} in lines of at most {@link #WIDTH} columns, broken at spaces only: the first line indented by
     * {@code first} spaces, the others by {@code rest}; ends with a newline.
     */
    static String wrap(String text, int first, int rest) {
        StringBuilder out = new StringBuilder(" ".repeat(first));
        int col = first;
        boolean lineEmpty = true;
        for (String word : text.strip().split("(?<=\n)|(?=\n)| +")) {
            if (word.isEmpty()) continue;
            if (word.equals("\n")) {
                out.append('\n').append(" ".repeat(rest));
                col = rest;
                lineEmpty = true;
                continue;
            }
            if (!lineEmpty && col + 1 + word.length() > WIDTH) {
                out.append('\n').append(" ".repeat(rest));
                col = rest;
                lineEmpty = true;
            }
            if (!lineEmpty) {
                out.append(' ');
                col++;
            }
            out.append(word);
            col += word.length();
            lineEmpty = false;
        }
        return out.append('\n').toString().replace(NBSP, ' ');
    }
}
