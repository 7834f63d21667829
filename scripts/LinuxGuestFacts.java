import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.memvirt.config.QemuArgs;
import org.memvirt.engine.RunListener;
import org.memvirt.host.ProcessMemory;
import org.memvirt.image.GuestImage;
import org.memvirt.image.ImageBuilder;
import org.memvirt.qemu.AccelChoice;
import org.memvirt.qemu.GuestRamMapping;
import org.memvirt.qemu.QemuLaunch;
import org.memvirt.qemu.QemuProcess;
import org.memvirt.qemu.VirtioBalloon;
import org.memvirt.qemu.agent.AgentOpResult;
import org.memvirt.qemu.agent.AgentPort;
import org.memvirt.qemu.agent.AgentSession;
import org.memvirt.workload.Workload;
import org.memvirt.workload.WorkloadParser;

/**
 * Measures what a Linux guest (memvirt's image: Debian's kernel, busybox, the agent) costs its host, the figures the
 * sim's "linux" guest profile is calibrated with (docs/linux-guest.md). Run by scripts/linux-guest-facts; prints one
 * line per figure. Each boot is the machine `memvirt run -m SIZE` describes (the pc machine, one vCPU), under the
 * accelerator QEMU gets here, with the image's boot arguments at loglevel 7 (not quiet) so that the kernel's "Memory:" line
 * reaches the console log.
 */
public final class LinuxGuestFacts {
    static final long MIB = 1L << 20;
    static final Duration T = Duration.ofMinutes(5);

    public static void main(String[] args) throws Exception {
        String accel = AccelChoice.forThisHost().accel();
        ImageBuilder builder = ImageBuilder.forThisUser();
        GuestImage image = builder.obtain(RunListener.NONE);
        System.out.printf("image %s, accel %s, host THP %s%n", image.manifest().key(), accel,
                Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).strip());
        List<String> sizes = args.length > 0 ? List.of(args) : List.of("4G", "16G", "64G");
        for (String size : sizes) idleAndTouch(image, size);
        if (args.length > 0) return;
        freeAndBalloon(image, "4G");
        freePageReporting(image, "4G");
    }

    /** The idle guest, then `touch 1G` (half of RAM in a guest smaller than 2 GiB). */
    static void idleAndTouch(GuestImage image, String size) throws Exception {
        try (Guest g = Guest.boot(image, size, false)) {
            g.idle();
            String touch = g.ram >= 2L << 30 ? "touch 1G" : "touch " + (g.ram / 2 / MIB) + "M";
            g.op(touch);
            g.rss("after " + touch);
        }
    }

    /** `touch 1G; free 1G`, 10 s without reporting, then the balloon to 1 GiB and back. */
    static void freeAndBalloon(GuestImage image, String size) throws Exception {
        try (Guest g = Guest.boot(image, size, false)) {
            g.idle();
            g.op("touch 1G");
            g.rss("after touch 1G");
            g.op("free 1G");
            g.samples("free 1G, no reporting", 10);
            g.balloonTo(1L << 30);
            g.op("sleep 1ns");
            g.balloonTo(g.ram);
            g.op("sleep 1ns");
        }
    }

    /** `touch 1G; free 1G` with free-page-reporting=on: guest-RAM Rss every half second for 20 s. */
    static void freePageReporting(GuestImage image, String size) throws Exception {
        try (Guest g = Guest.boot(image, size, true)) {
            g.idle();
            g.op("touch 1G");
            g.rss("after touch 1G");
            g.op("free 1G");
            g.samples("free 1G, free-page-reporting=on", 40);
        }
    }

    /** One booted guest and its agent. */
    static final class Guest implements AutoCloseable {
        final QemuProcess qemu;
        final AgentSession agent;
        final long ram;
        final String label;
        final GuestRamMapping.Mapping mapping;

        private Guest(QemuProcess qemu, AgentSession agent, long ram, String label) {
            this.qemu = qemu;
            this.agent = agent;
            this.ram = ram;
            this.label = label;
            this.mapping = GuestRamMapping.locate(mappings(qemu.pid()), ram);
        }

        static Guest boot(GuestImage image, String size, boolean reporting) throws Exception {
            String smp = System.getenv().getOrDefault("SMP", "1");
            var machine = QemuArgs.parse(List.of("-m", size, "-smp", smp, "-nic", "none", "-no-reboot"));
            QemuLaunch launch = QemuLaunch.of(machine)
                    .withKernel(image.kernel(), image.initrd(), "console=ttyS0 loglevel=7 panic=-1 memvirt.thp=never")
                    .withBalloon(new VirtioBalloon(VirtioBalloon.DEFAULT_ID, reporting, false))
                    .withChannel(AgentPort.channel())
                    .withConsoleLog()
                    .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(30));
            long start = System.nanoTime();
            QemuProcess qemu = QemuProcess.start(launch);
            try {
                AgentSession agent = AgentSession.open(qemu, T);
                String label = "-m " + size + " -smp " + smp + (reporting ? " free-page-reporting=on" : "");
                System.out.printf("%n[%s] agent ready %d ms after start, guest uptime %d ms%n", label,
                        (System.nanoTime() - start) / 1_000_000, agent.ready().uptimeNanos() / 1_000_000);
                Guest g = new Guest(qemu, agent, machine.layout().ramSize(), label);
                g.memoryLine();
                return g;
            } catch (RuntimeException e) {
                qemu.close();
                throw e;
            }
        }

        /** The kernel's "Memory: ...K/...K available (... reserved ...)" line (mm/page_alloc.c mem_init_print_info). */
        void memoryLine() throws Exception {
            for (String line : Files.readAllLines(qemu.command().consoleLog())) {
                if (line.contains("] Memory: ") || line.contains("hash table entries") || line.contains("software IO TLB")) {
                    System.out.println("  dmesg: " + line.substring(line.indexOf(']') + 2).strip());
                }
            }
        }

        void idle() throws Exception {
            AgentOpResult r = agent.region(ram, T);
            Thread.sleep(3_000);
            rss("idle, 3 s after ready");
            meminfo(agent.stats(T));
        }

        void op(String text) {
            Workload.Step step = WorkloadParser.parseShorthand(text).steps().getFirst();
            long t0 = System.nanoTime();
            AgentOpResult r = agent.run(step.op(), text, T);
            System.out.printf("  %-12s %6.2f s wall, %6.2f s guest, pgfault %d, pgfree %d%n", text,
                    (System.nanoTime() - t0) / 1e9, r.guestNanos() / 1e9, r.vmstat("pgfault"), r.vmstat("pgfree"));
            meminfo(r);
        }

        void rss(String when) {
            ProcessMemory.Mapping m = ProcessMemory.of(qemu.pid()).mapping(mapping.start());
            System.out.printf("  guest-RAM Rss %,d kB, AnonHugePages %,d kB (%s)%n", m.rss() >> 10,
                    m.anonHugePages() >> 10, when);
        }

        void samples(String what, int halfSeconds) throws Exception {
            long t0 = System.nanoTime();
            StringBuilder sb = new StringBuilder("  " + what + ": Rss MiB every 0.5 s:");
            for (int i = 0; i < halfSeconds; i++) {
                Thread.sleep(500);
                long rss = ProcessMemory.of(qemu.pid()).mapping(mapping.start()).rss();
                sb.append(String.format(Locale.ROOT, " %.1f:%d", (System.nanoTime() - t0) / 1e9, rss / MIB));
            }
            System.out.println(sb);
        }

        void balloonTo(long bytes) throws Exception {
            long t0 = System.nanoTime();
            qemu.qmp().balloon(bytes);
            long actual;
            while ((actual = qemu.qmp().balloonActualBytes()) != bytes && System.nanoTime() - t0 < T.toNanos()) {
                Thread.sleep(100);
            }
            System.out.printf("  balloon to %d MiB: actual %d MiB after %.1f s%n", bytes / MIB, actual / MIB,
                    (System.nanoTime() - t0) / 1e9);
            rss("after the balloon");
        }

        static void meminfo(AgentOpResult r) {
            Map<String, Long> m = r.meminfo();
            StringBuilder sb = new StringBuilder("  meminfo kB:");
            for (String k : List.of("MemTotal", "MemFree", "MemAvailable", "Cached", "Shmem", "Slab", "KernelStack",
                    "PageTables", "Percpu", "AnonPages")) {
                if (m.containsKey(k)) sb.append(' ').append(k).append(' ').append(String.format("%,d", m.get(k) >> 10));
            }
            System.out.println(sb);
        }

        static List<GuestRamMapping.Mapping> mappings(long pid) {
            List<GuestRamMapping.Mapping> out = new ArrayList<>();
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/maps"))) {
                    String[] f = line.split("\\s+", 6);
                    String[] range = f[0].split("-");
                    long start = Long.parseUnsignedLong(range[0], 16), end = Long.parseUnsignedLong(range[1], 16);
                    out.add(new GuestRamMapping.Mapping(start, end, end - start, f[1], f.length > 5 ? f[5] : ""));
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            return out;
        }

        @Override
        public void close() {
            try {
                agent.close();
            } finally {
                qemu.close();
            }
        }
    }
}
