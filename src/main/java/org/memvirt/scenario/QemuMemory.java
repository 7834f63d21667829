package org.memvirt.scenario;

/**
 * The memory options of a QEMU command line that a scenario VM needs: {@code -m SIZE} (MiB without a suffix,
 * QEMU's default unit) and {@code -machine ...,mem-merge=on|off}. Other options are ignored here.
 */
record QemuMemory(long ramBytes, boolean memMerge) {
    static QemuMemory parse(String args, String field) {
        String[] w = args.trim().split("\\s+");
        long ram = ScenarioLoader.QEMU_DEFAULT_RAM;
        boolean merge = true;   // qemu-options: mem-merge "enabled by default"
        for (int i = 0; i < w.length; i++) {
            if ((w[i].equals("-m") || w[i].equals("--m")) && i + 1 < w.length) {
                String v = w[++i].replaceFirst("^size=", "").split(",")[0];
                long bytes = Units.size(v.matches("\\d+(\\.\\d+)?") ? v + "M" : v);
                if (bytes <= 0) throw new ScenarioException(field + ": -m: invalid RAM size '" + v + "'");
                ram = bytes;
            } else if ((w[i].equals("-machine") || w[i].equals("-M")) && i + 1 < w.length) {
                for (String opt : w[++i].split(",")) {
                    if (opt.equals("mem-merge=off")) merge = false;
                    else if (opt.equals("mem-merge=on")) merge = true;
                    else if (opt.startsWith("mem-merge=")) throw new ScenarioException(field + ": -machine mem-merge: expected on or off");
                }
            }
        }
        return new QemuMemory(ram, merge);
    }
}
