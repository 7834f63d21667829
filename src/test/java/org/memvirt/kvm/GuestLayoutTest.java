package org.memvirt.kvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** guest/layout.h and GuestLayout agree value for value; the KVM ABI layouts have the kernel's sizes. */
class GuestLayoutTest {
    @Test
    void javaMirrorsEveryDefineOfLayoutH() throws IOException, IllegalAccessException {
        Map<String, Long> defines = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(0x[0-9A-Fa-f]+|\\d+)\\b")
                .matcher(Files.readString(Path.of("guest/layout.h")));
        while (m.find()) defines.put(m.group(1), Long.decode(m.group(2)));
        int compared = 0;
        for (Field f : GuestLayout.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != long.class) continue;
            f.setAccessible(true);
            assertThat(defines).as(f.getName()).containsEntry(f.getName(), f.getLong(null));
            compared++;
        }
        assertThat(compared).isGreaterThan(50);
    }

    @Test
    void kvmAbiLayoutsMatchTheKernel() {
        KvmAbi.check();
        assertThat(KvmAbi.SREGS.byteSize()).isEqualTo(312);
        assertThat(KvmAbi.GET_SREGS).isEqualTo(0x8138AE83L);
    }
}
