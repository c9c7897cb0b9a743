package io.tessera.redis.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The base of the multi-process tests of the Redis face: a fresh {@link ServerProcesses} per test, named after the
 * test (its logs go to {@code target/server-processes/<class>-<test>-<time>/}), and every node killed afterwards.
 */
public abstract class ServerProcessesTestBase {
    /** The processes of the running test. */
    protected ServerProcesses processes;

    @BeforeEach
    void startProcesses(TestInfo info) {
        processes = new ServerProcesses(getClass().getSimpleName() + "-" + info.getTestMethod().orElseThrow()
                .getName());
    }

    @AfterEach
    void killProcesses() {
        processes.close();
    }
}
