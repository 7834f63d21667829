package org.memvirt.bench;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Loads one build of memvirt's classes beside another in the same JVM, so that a benchmark measures the code before
 * and after a change in one run: "current" is this build ({@code target/classes}); "baseline" is the classes
 * directory named by the system property {@value #BASELINE} (another commit, compiled). Each gets its own child-first
 * loader over [its classes, this build's test classes], so the test-side driver is the same and the memvirt classes
 * it calls are the build's own.
 */
final class SimBuilds {
    static final String BASELINE = "memvirt.baseline.classes";

    /** A new instance of test class {@code driver} (a LongSupplier with a public no-argument constructor) in {@code build}. */
    static LongSupplier load(String build, String driver) {
        try {
            ClassLoader loader = new ChildFirst(new URL[] {classes(build).toUri().toURL(), location(SimBuilds.class)});
            return (LongSupplier) Class.forName(driver, true, loader).getConstructor().newInstance();
        } catch (ReflectiveOperationException | MalformedURLException e) {
            throw new IllegalStateException("cannot load " + driver + " from the " + build + " build: " + e, e);
        }
    }

    private static Path classes(String build) throws MalformedURLException {
        if (build.equals("current")) return Path.of(location(org.memvirt.sim.SimEngine.class).getPath());
        if (!build.equals("baseline")) throw new IllegalArgumentException("build must be current or baseline: " + build);
        String dir = System.getProperty(BASELINE);
        if (dir == null || !Files.isDirectory(Path.of(dir))) {
            throw new IllegalStateException("-D" + BASELINE + " must name the compiled classes of the baseline build, not "
                    + dir);
        }
        return Path.of(dir).toAbsolutePath();
    }

    private static URL location(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** Finds org.memvirt classes in its own directories first; everything else (JDK, libraries) from the parent. */
    private static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL[] urls) {
            super(urls, SimBuilds.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("org.memvirt.")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) c = findClass(name);
                if (resolve) resolveClass(c);
                return c;
            }
        }
    }

    private SimBuilds() {}
}
