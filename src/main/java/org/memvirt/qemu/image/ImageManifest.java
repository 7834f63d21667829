package org.memvirt.qemu.image;

import java.util.List;

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
    public ImageManifest {
        modules = List.copyOf(modules);
    }
}
