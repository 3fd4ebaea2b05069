package io.protoloop.internal.selector;

import io.protoloop.internal.loop.MemberLoop;

import java.nio.channels.SelectableChannel;
import java.util.concurrent.CompletableFuture;

/**
 * One {@code loop.sock_*()} call: asyncio's pattern of "try the syscall; if it would block, wait for
 * readiness and try again", as an object the {@link ReadinessSelector} queues per channel and
 * direction. {@link #attempt()} always runs on {@link #loop}'s thread, so the future completes there.
 */
abstract class SockOp<T> {

    final MemberLoop loop;
    final SelectableChannel watched;
    /** Which readiness it waits for: read (recv, recvfrom, accept) or write (send, connect, sendfile). */
    final boolean read;
    final CompletableFuture<T> future;

    SockOp(MemberLoop loop, SelectableChannel channel, boolean read) {
        this.loop = loop;
        this.watched = channel;
        this.read = read;
        this.future = loop.createFuture();
    }

    private T result;

    /**
     * Tries the operation once, on the loop thread, without blocking; on success it calls
     * {@link #succeed} (the selector completes the future after taking the operation off its queue,
     * so that what the future's callbacks do next sees the channel free).
     *
     * @return true when finished, false when it would block
     * @throws Exception the operation's failure, which fails the future
     */
    abstract boolean attempt() throws Exception;

    /** Records the result {@link #finish()} completes the future with. */
    final void succeed(T value) {
        this.result = value;
    }

    /** Completes the future with the result, on the loop thread; false when it was cancelled first. */
    boolean finish() {
        return future.complete(result);
    }

    /** Called once when the future was cancelled while queued (after {@link #attempt()} may have run). */
    void cancelled() {
    }

    /** The asyncio-style name of the operation, for messages. */
    abstract String name();

    @Override
    public String toString() {
        return name() + "(" + watched + ")";
    }
}
