package io.tessera.grid.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The lifecycle every multi-process IT shares: a fresh {@link MemberProcesses} per test, its logs named after the
 * test, and every forked member killed afterwards, whatever the test did.
 */
public abstract class MemberProcessesTestBase {
    /** The member processes of the running test. */
    protected MemberProcesses processes;

    @BeforeEach
    void startProcesses(TestInfo info) {
        processes = new MemberProcesses(getClass().getSimpleName() + "-"
                + info.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void killProcesses() {
        processes.close();
    }
}
