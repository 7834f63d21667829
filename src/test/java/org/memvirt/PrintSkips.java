package org.memvirt;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints every skipped (aborted) test with its reason on stdout, {@code SKIPPED Class.method: reason}: surefire keeps
 * a skip's reason only in its report files. Registered for every test class (META-INF/services, autodetection in
 * junit-platform.properties); dynamic tests print their own (DocsExamplesTest).
 */
public final class PrintSkips implements TestWatcher {

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        String test = context.getRequiredTestClass().getSimpleName() + "."
                + context.getTestMethod().map(m -> m.getName()).orElse(context.getDisplayName());
        System.out.println("SKIPPED " + test + ": " + cause.getMessage());
    }
}
