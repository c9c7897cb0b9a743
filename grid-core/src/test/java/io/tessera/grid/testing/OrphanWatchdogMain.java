package io.tessera.grid.testing;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Runs another main class in a forked test process, plus a watchdog that halts the JVM when its stdin reaches end of
 * file, i.e. when the test JVM holding the other end of the pipe is gone (even after {@code kill -9}), so that no
 * forked node outlives its test. Usage: {@code java -cp ... OrphanWatchdogMain <main class> <its args>...}.
 */
public final class OrphanWatchdogMain {
    /** The exit code of a process halted because its test JVM went away. */
    public static final int ORPHANED = 99;

    private OrphanWatchdogMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: OrphanWatchdogMain <main class> [args...]");
        }
        Thread watchdog = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // the test JVM never writes; anything read is ignored
                }
            } catch (IOException e) {
                // the same as end of file
            }
            Runtime.getRuntime().halt(ORPHANED);
        }, "orphan-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
