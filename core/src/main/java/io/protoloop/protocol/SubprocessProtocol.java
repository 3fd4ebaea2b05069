package io.protoloop.protocol;

import io.protoloop.transport.SubprocessTransport;

import java.nio.ByteBuffer;

/**
 * The callbacks of a child process; asyncio's {@code asyncio.SubprocessProtocol}.
 *
 * <p>Order: {@code connectionMade} first; then {@code pipeDataReceived}, {@code pipeConnectionLost}
 * (once for every piped fd, stdin included) and {@code processExited} in any order, since the exit
 * may be noticed before the last output is read; {@code connectionLost(null)} last, after the exit
 * and after every pipe closed. {@code pauseWriting}/{@code resumeWriting} follow the stdin pipe's
 * write buffer. (In practice protoloop reports the exit after the output the child wrote before
 * exiting, unless reading is paused or a grandchild keeps a pipe open; code should not rely on it,
 * as asyncio does not promise it.)
 *
 * <p>As in asyncio (whose subprocess callbacks are scheduled with {@code call_soon}), an exception
 * thrown by any of these callbacks goes to the loop's exception handler and closes nothing.
 */
public interface SubprocessProtocol extends BaseProtocol<SubprocessTransport> {

    /**
     * Called when the child wrote to its stdout or stderr pipe.
     *
     * @param fd   1 for stdout, 2 for stderr
     * @param data the bytes, never empty: read-only and valid only until this method returns
     */
    default void pipeDataReceived(int fd, ByteBuffer data) {
    }

    /**
     * Called when one of the child's pipes is closed.
     *
     * @param fd  0, 1 or 2
     * @param exc {@code null} for an EOF or a close, otherwise the error (for stdin, an
     *            {@link java.io.IOException} naming the broken pipe when the child went away with
     *            bytes still unwritten)
     */
    default void pipeConnectionLost(int fd, Throwable exc) {
    }

    /** Called when the child has exited; {@code transport.getReturncode()} is set by then. */
    default void processExited() {
    }
}
