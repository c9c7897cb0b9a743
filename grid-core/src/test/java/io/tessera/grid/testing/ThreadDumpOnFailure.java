package io.tessera.grid.testing;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Prints every thread's stack to standard error when a test fails, before the failure propagates: a test that fails
 * because the grid stalled (a read timeout, an operation deadline, a JUnit timeout) is still stalled at that moment,
 * so the dump shows who waits on what. Without it a stall seen once on a loaded CI machine leaves only its symptom.
 *
 * <p>Registered for every module that uses grid-core's test jar through {@code META-INF/services} and
 * {@code junit.jupiter.extensions.autodetection.enabled} (set for surefire and failsafe in the parent pom).
 */
public final class ThreadDumpOnFailure implements TestExecutionExceptionHandler {

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        StringBuilder dump = new StringBuilder(64 * 1024);
        dump.append("=== thread dump at ").append(Instant.now()).append(" after ").append(context.getDisplayName())
                .append(" in ").append(context.getRequiredTestClass().getName()).append(" failed: ")
                .append(failure).append('\n');
        Map<Thread, StackTraceElement[]> stacks = Thread.getAllStackTraces();
        stacks.entrySet().stream().sorted(Comparator.comparing(e -> e.getKey().getName())).forEach(e -> {
            Thread thread = e.getKey();
            dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : e.getValue()) {
                dump.append("    at ").append(frame).append('\n');
            }
        });
        dump.append("=== end of thread dump\n");
        System.err.print(dump);
        throw failure;
    }
}
