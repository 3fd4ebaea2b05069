package io.protoloop.protocol;

import io.protoloop.transport.BaseTransport;

/**
 * The callbacks every protocol has; asyncio's {@code asyncio.BaseProtocol}.
 *
 * <p>Contract (asyncio's, exactly): {@link #connectionMade} is called once when the transport is
 * ready, {@link #connectionLost} once when it is gone ({@code null} means a clean EOF or close,
 * otherwise the cause). {@link #pauseWriting} is called synchronously inside the {@code write()} that
 * takes the transport's write buffer strictly over its high-water mark, and {@link #resumeWriting}
 * once the buffer drains to the low-water mark or below; the two always alternate, starting with
 * pause. All callbacks run on the transport's loop thread, never concurrently for one transport.
 *
 * <p>Every method is a no-op by default. An exception thrown by {@code connectionMade},
 * {@code connectionLost}, {@code pauseWriting} or {@code resumeWriting} goes to the loop's exception
 * handler and does not close the transport.
 *
 * @param <T> the transport type this protocol is attached to
 */
public interface BaseProtocol<T extends BaseTransport> {

    /** Called when the connection is made; {@code transport} is the protocol's own transport. */
    default void connectionMade(T transport) {
    }

    /**
     * Called when the connection is lost or closed.
     *
     * @param exc {@code null} for a regular EOF or a close, otherwise the reason (a peer reset, or
     *            the exception a protocol callback threw)
     */
    default void connectionLost(Throwable exc) {
    }

    /** Called when the transport's write buffer goes strictly over the high-water mark. */
    default void pauseWriting() {
    }

    /** Called when the transport's write buffer drains to the low-water mark or below. */
    default void resumeWriting() {
    }
}
