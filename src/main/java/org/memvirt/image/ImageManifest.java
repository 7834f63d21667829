package org.memvirt.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * What a cached guest image was built from ({@code manifest.json} beside its files): the exact Debian package
 * versions, the agent's source hash and the recipe version, which together make its key.
 *
 * @param recipe {@link ImageBuilder#RECIPE}: the layout of the initramfs and its /init
 * @param kernelRelease the kernel's release string, e.g. {@code 6.1.0-57-amd64}
 * @param kernelFile {@code vmlinux} (the uncompressed kernel, booted through PVH) or {@code vmlinuz} (the bzImage,
 *                   where the vmlinux could not be unpacked)
 * @param modules the modules /init loads, in load order
 */
public record ImageManifest(int recipe, String key, String kernelPackage, String kernelVersion, String kernelRelease,
        String kernelFile, String busyboxPackage, String busyboxVersion, String agentSha256, List<String> modules, long kernelBytes,
        long initrdBytes) {
    /** manifest.json's form: snake_case fields, indented (the same form as memvirt's --json output). */
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public ImageManifest {
        modules = List.copyOf(modules);
    }

    /** This manifest as manifest.json's text. */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write an image manifest", e);
        }
    }

    /** Reads a manifest.json. */
    static ImageManifest read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ImageManifest.class);
    }
}
