package org.memvirt.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * QEMU's first pass over a command line (softmmu/vl.c qemu_init, "first pass of option parsing", and
 * {@code lookup_opt}): every word is an option of {@link QemuOption}'s table, the value of the option before it, or a
 * disk image. It runs over the whole line before any option is acted on, so an unknown option or a missing argument
 * anywhere is the first error, whatever comes before it.
 */
public final class QemuCommandLine {
    /** Program names a pasted line may start with: QEMU's own and RHEL's {@code /usr/libexec/qemu-kvm}. */
    public static final Set<String> PROGRAM_NAMES = Set.of("qemu-system-x86_64", "qemu-kvm");

    /**
     * Splits {@code words} (with or without a leading program name) into arguments.
     *
     * @throws ConfigException {@code -foo: invalid option} or {@code -m: requires an argument}, QEMU's text
     */
    public static List<QemuArg> split(List<String> words) {
        int start = !words.isEmpty() && isProgramName(words.get(0)) ? 1 : 0;
        List<QemuArg> args = new ArrayList<>();
        for (int i = start; i < words.size(); i++) {
            String word = words.get(i);
            if (!word.startsWith("-")) {                            // argv[optind][0] != '-': a disk image
                args.add(QemuArg.diskImage(word));
                continue;
            }
            QemuOption option = QemuOption.lookup(word);
            if (option == null) throw ConfigException.usage(word + ": invalid option");
            if (!option.takesArgument()) {
                args.add(new QemuArg(option.name(), word, null));
                continue;
            }
            if (i + 1 >= words.size()) throw ConfigException.usage(word + ": requires an argument");
            args.add(new QemuArg(option.name(), word, words.get(++i)));
        }
        return List.copyOf(args);
    }

    /** Whether a word is the path of a QEMU binary memvirt accepts at the start of a line. */
    static boolean isProgramName(String word) {
        return PROGRAM_NAMES.contains(word.substring(word.lastIndexOf('/') + 1));
    }

    private QemuCommandLine() {}
}
