package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.SubprocessOptions;
import io.protoloop.testsupport.ProcFs;
import io.protoloop.testsupport.RecordingSubprocessProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the subprocess suites share: a two-member loop (real child processes do not depend on the
 * network engine, so one engine is enough), an exception handler that records, and /proc checks.
 */
abstract class SubprocessTestBase {

    protected EventLoop loop;
    protected final List<Map<String, Object>> handled = new CopyOnWriteArrayList<>();

    @BeforeEach
    void createLoop() {
        loop = EventLoop.create(LoopOptions.builder().threads(2).build());
        loop.setExceptionHandler((l, context) -> handled.add(context));
    }

    @AfterEach
    void closeLoop() {
        loop.close();
    }

    protected <P extends RecordingSubprocessProtocol> P exec(Supplier<P> factory, SubprocessOptions options,
                                                               String... argv) throws Exception {
        Connection<SubprocessTransport, P> c = loop.subprocessExec(factory, List.of(argv), options)
                .get(10, TimeUnit.SECONDS);
        assertThat(c.protocol().transport).isSameAs(c.transport());
        return c.protocol();
    }

    protected RecordingSubprocessProtocol exec(String... argv) throws Exception {
        return exec(RecordingSubprocessProtocol::new, SubprocessOptions.DEFAULT, argv);
    }

    protected RecordingSubprocessProtocol shell(String command) throws Exception {
        return loop.subprocessShell(RecordingSubprocessProtocol::new, command).get(10, TimeUnit.SECONDS).protocol();
    }

    /** Asserts the child of {@code p} is reaped and none of its pipe threads is alive. */
    protected static void assertNothingLeft(RecordingSubprocessProtocol p) throws Exception {
        long pid = p.transport.getPid();
        ProcFs.awaitReaped(pid);
        ProcFs.awaitNoThreads("protoloop-pipe-" + pid + "-");
    }
}
