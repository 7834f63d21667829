package org.memvirt.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.memvirt.image.GuestImage;
import org.memvirt.image.ImageBuilder;
import org.memvirt.image.ImageManifest;
import org.memvirt.report.Json;
import org.memvirt.report.Progress;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memvirt image build}: the qemu engine's guest image (kernel + initramfs with memvirt's agent). */
@Command(name = "image", mixinStandardHelpOptions = true,
        description = "The Linux guest image the qemu engine boots: Debian's kernel and busybox with memvirt's agent.",
        subcommands = {ImageCommand.Build.class})
final class ImageCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The JSON document of {@code memvirt image build --json}. */
    record Report(String kernel, String initrd, String origin, boolean cached, long buildMs, String note, String cacheDir,
            ImageManifest manifest) {
        static Report of(GuestImage i, Path cacheDir) {
            return new Report(i.kernel().toString(), i.initrd().toString(), i.origin(), i.cached(), i.buildMillis(), i.note(),
                    cacheDir.toString(), i.manifest());
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Find the cached guest image for today's Debian packages, or build it: resolve linux-image-amd64"
                    + " and busybox-static with apt-cache, fetch them with apt-get download, unpack them with dpkg-deb -x"
                    + " (nothing is installed; no root needed) and write an initramfs with memvirt's guest agent."
                    + " Cached in $XDG_CACHE_HOME/memvirt/images (else ~/.cache/memvirt/images).")
    static final class Build implements Runnable {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--kernel", paramLabel = "FILE", description = "Boot this kernel instead of Debian's (memvirt's initramfs still loads Debian's modules, so virtio must be built in or match).")
        Path kernel;

        @Option(names = "--initrd", paramLabel = "FILE", description = "Boot this initramfs instead of memvirt's (then no agent runs in the guest).")
        Path initrd;

        @Option(names = "--json", description = "Print what was built (or found) as JSON.")
        boolean json;

        @Override
        public void run() {
            ImageBuilder builder = ImageBuilder.forThisUser();
            GuestImage image;
            try (Progress progress = Progress.forStderr(System.err, json)) {
                image = builder.obtain(kernel, initrd, progress);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(Report.of(image, builder.cacheRoot())));
            } else {
                for (String line : human(image)) out.println(line);
            }
            out.flush();
        }

        static List<String> human(GuestImage i) {
            ImageManifest m = i.manifest();
            String how = switch (i.origin()) {
                case "user" -> "your own kernel and initramfs";
                case "memvirt" -> "memvirt's";
                default -> "memvirt's with your own " + i.origin().substring("user ".length());
            };
            String when = m == null ? "" : i.cached() ? String.format(Locale.ROOT, ", from the cache (%.1f s)", i.buildMillis() / 1000.0)
                    : String.format(Locale.ROOT, ", built in %.1f s", i.buildMillis() / 1000.0);
            List<String> lines = new java.util.ArrayList<>(List.of("guest image: " + how + when));
            if (!i.note().isEmpty()) lines.add("note:    " + i.note());
            lines.add("kernel:  " + i.kernel() + (m == null || i.origin().equals("user kernel") ? ""
                    : "  (" + m.kernelPackage() + " " + m.kernelVersion() + ")"));
            lines.add("initrd:  " + i.initrd() + (m == null || i.origin().equals("user initrd") ? ""
                    : "  (" + m.busyboxPackage() + " " + m.busyboxVersion() + ", agent " + m.agentSha256().substring(0, 12)
                    + ", modules " + String.join(" ", m.modules()) + ")"));
            return lines;
        }
    }
}
