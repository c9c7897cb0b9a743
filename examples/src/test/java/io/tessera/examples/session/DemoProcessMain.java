package io.tessera.examples.session;

import java.io.IOException;
import java.io.InputStream;

/**
 * {@link SessionDemo} as the multi-process tests fork it: the same main, plus a watchdog that halts the JVM when its
 * stdin reaches end of file, i.e. when the test JVM holding the other end of the pipe is gone (even after
 * {@code kill -9}), so that no demo node outlives its test.
 */
public final class DemoProcessMain {
    /** The exit code of a node halted because its test JVM went away. */
    public static final int ORPHANED = 99;

    private DemoProcessMain() {
    }

    /** Starts the watchdog, then {@link SessionDemo#main}. */
    public static void main(String[] args) {
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
        SessionDemo.main(args);
    }
}
