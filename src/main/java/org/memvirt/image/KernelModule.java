package org.memvirt.image;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A kernel module file and what its {@code .modinfo} section says: its name and the modules it depends on
 * ({@code depends=}, written by modpost: linux scripts/mod/modpost.c add_depends). A {@code .ko} is an ELF64
 * relocatable object (elf(5)); the section holds NUL-separated {@code key=value} strings (linux
 * include/linux/moduleparam.h MODULE_INFO), read with {@link Elf64}. Read here because the kernel package carries
 * no modules.dep (depmod writes it at install time) and this host need not have modinfo.
 */
record KernelModule(Path file, String name, List<String> depends) {
    KernelModule {
        depends = List.copyOf(depends);
    }

    /** Reads {@code file}'s .modinfo. */
    static KernelModule read(Path file) {
        Elf64 elf = Elf64.open(file);
        String modinfo = elf.string(elf.section(".modinfo")
                .orElseThrow(() -> new ImageException("kernel module " + file + " has no .modinfo section")));
        String name = null;
        List<String> depends = new ArrayList<>();
        for (String entry : modinfo.split("\0")) {
            if (entry.startsWith("name=")) name = entry.substring(5);
            if (entry.startsWith("depends=")) {
                for (String d : entry.substring(8).split(",")) if (!d.isEmpty()) depends.add(normalize(d));
            }
        }
        if (name == null) throw new ImageException("kernel module " + file + " has no name= in its .modinfo section");
        return new KernelModule(file, normalize(name), depends);
    }

    /** Module names treat '-' and '_' alike (kmod libkmod/libkmod-util.c modname_normalize). */
    static String normalize(String name) {
        return name.replace('-', '_');
    }
}
