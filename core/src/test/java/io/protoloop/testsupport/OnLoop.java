package io.protoloop.testsupport;

import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.TransportSnapshot;
import io.protoloop.transport.TransportStatistics;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Runs test code on a transport's own loop thread, where its state is exact, and waits for it. */
public final class OnLoop {

    private OnLoop() {
    }

    /** Runs {@code action} on the transport's loop and returns what it returned (or throws what it threw). */
    public static <T> T run(BaseTransport transport, Supplier<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        transport.loop().callSoon(() -> {
            try {
                result.complete(action.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result.get(20, TimeUnit.SECONDS);
    }

    /** The transport's snapshot, taken on its loop: exact. */
    public static TransportSnapshot snapshot(BaseTransport transport) throws Exception {
        return run(transport, () -> ((TransportStatistics) transport).snapshot());
    }
}
