package io.protoloop.transport;

/**
 * A child process and its pipes; asyncio's {@code asyncio.SubprocessTransport}, returned by
 * {@code EventLoop.subprocessExec} and {@code subprocessShell}.
 *
 * <p>The protocol hears {@code connectionMade}, then {@code pipeDataReceived},
 * {@code pipeConnectionLost} (once for every piped fd, stdin included) and {@code processExited} in
 * any order (as asyncio documents: the exit may come before the last output), and
 * {@code connectionLost(null)} last, once the process has exited <em>and</em> every pipe is closed.
 *
 * <p>{@link #getReturncode()} is {@code -N} for a child killed by signal {@code N}. The JDK only
 * reports {@code 128 + N} for such a child, which a child exiting normally with that status also
 * gives; the transport turns {@code 128 + N} into {@code -N} when it sent signal {@code N} itself
 * (through {@link #kill()}, {@link #terminate()}, {@link #sendSignal(int)} or {@link #close()}).
 * A child killed by someone else's signal therefore reports {@code 128 + N}, as a shell would, and a
 * child that catches a signal the transport sent and then exits with {@code 128 + N} reports
 * {@code -N}.
 *
 * <p>Extra info: {@code "subprocess"}, the child's {@link ProcessHandle}.
 *
 * <p>Threads: the JDK gives every child a reaper thread; protoloop adds one daemon thread per piped
 * output ({@code protoloop-pipe-<pid>-1} and {@code -2}) and one for stdin from its first write
 * ({@code -0}). They end when their pipe reaches EOF, which killing the child or closing the
 * transport causes. Limits of the JDK's {@link Process}: after the child exits the JDK itself may
 * drain and close the output pipes, so a grandchild still writing to them is cut off; and while a
 * grandchild keeps a pipe open and silent, the thread reading it stays blocked until the grandchild
 * closes it (the transport still reports {@code connectionLost} on {@code close()}).
 */
public interface SubprocessTransport extends BaseTransport {

    /** The child's process id. */
    long getPid();

    /**
     * The transport of a piped standard stream: a {@link WriteTransport} for 0 (stdin), a
     * {@link ReadTransport} for 1 (stdout) and 2 (stderr); {@code null} for an fd that was not
     * created with {@code Redirect.PIPE}, and for any other fd.
     */
    BaseTransport getPipeTransport(int fd);

    /**
     * The exit status: {@code null} while the child runs (or its exit has not been processed yet),
     * its exit code once it exited, {@code -N} when it was killed by signal {@code N} this transport
     * sent (see the class comment for the limit).
     */
    Integer getReturncode();

    /**
     * Sends SIGKILL. Does nothing when the child has already exited.
     *
     * @throws IllegalStateException after {@code connectionLost} (asyncio's {@code ProcessLookupError})
     */
    void kill();

    /**
     * Sends signal number {@code signal} (SIGTERM and SIGKILL natively, others through the
     * {@code kill} utility, which is slower). Does nothing when the child has already exited.
     *
     * @throws IllegalArgumentException when {@code signal} is not in 0..64
     * @throws IllegalStateException    after {@code connectionLost}, or when the signal could not be sent
     */
    void sendSignal(int signal);

    /**
     * Sends SIGTERM. Does nothing when the child has already exited.
     *
     * @throws IllegalStateException after {@code connectionLost}
     */
    void terminate();

    /**
     * Closes every pipe and, when the child is still running, kills it with SIGKILL; the protocol
     * still hears {@code processExited} and then {@code connectionLost(null)}. Calling it again does
     * nothing.
     */
    @Override
    void close();
}
