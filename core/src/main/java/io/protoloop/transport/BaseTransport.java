package io.protoloop.transport;

import io.protoloop.EventLoop;
import io.protoloop.protocol.BaseProtocol;

/**
 * What every transport has; asyncio's {@code asyncio.BaseTransport}.
 *
 * <p>Methods may be called from any thread: calls made off the transport's loop run on the loop, in
 * the order they were made. Reads of state from other threads see a recent value.
 */
public interface BaseTransport {

    /**
     * Closes the transport. Stream transports stop reading, flush what is buffered and then call the
     * protocol's {@code connectionLost(null)}; calling it again does nothing.
     */
    void close();

    /** Whether the transport is closing or closed. */
    boolean isClosing();

    /**
     * Returns transport information such as {@code "peername"}, {@code "sockname"} or
     * {@code "socket"}, or {@code null} when the transport does not know {@code name}.
     */
    <T> T getExtraInfo(String name);

    /** Like {@link #getExtraInfo(String)}, with {@code defaultValue} for unknown names. */
    <T> T getExtraInfo(String name, T defaultValue);

    /** Switches the protocol; later callbacks go to {@code protocol}. */
    void setProtocol(BaseProtocol<?> protocol);

    /** The current protocol, {@code null} after {@code connectionLost}. */
    BaseProtocol<?> getProtocol();

    /** The loop this transport lives on; its protocol's callbacks run on that loop's thread. */
    EventLoop loop();
}
