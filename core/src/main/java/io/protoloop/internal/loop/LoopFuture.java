package io.protoloop.internal.loop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A {@link CompletableFuture} whose {@code *Async} continuations run on its loop by default, like an
 * asyncio future's done-callbacks.
 */
final class LoopFuture<T> extends CompletableFuture<T> {

    private final Executor loop;

    LoopFuture(Executor loop) {
        this.loop = loop;
    }

    @Override
    public Executor defaultExecutor() {
        return loop;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new LoopFuture<>(loop);
    }
}
