package io.protoloop.spring;

import java.net.SocketAddress;
import java.util.List;

import io.protoloop.ServerStatistics;
import io.protoloop.transport.BaseTransport;
import org.jspecify.annotations.Nullable;

/**
 * A live view of one endpoint the application runs, as listed by {@link EndpointRegistry}. Every
 * method may be called from any thread and returns a recent snapshot.
 */
public interface ManagedEndpoint {

    /** The endpoint name. */
    String getName();

    /** What the endpoint serves. */
    TransportKind getKind();

    /** Where the endpoint is in its life. */
    State getState();

    /**
     * The bound addresses ({@link java.net.InetSocketAddress} with the real port, or
     * {@link java.net.UnixDomainSocketAddress}); empty while not bound and for subprocesses.
     */
    List<SocketAddress> getAddresses();

    /**
     * The live transports: each open connection of a TCP or Unix server, the one transport of a UDP
     * endpoint, the {@code SubprocessTransport} of the running process.
     */
    List<BaseTransport> getTransports();

    /** The SSL bundle the endpoint serves TLS with, {@code null} for plain text. */
    @Nullable String getSslBundle();

    /** The pid of the running process (SUBPROCESS), {@code null} when none runs. */
    @Nullable Long getPid();

    /** How many times the process was restarted (SUBPROCESS), 0 for other kinds. */
    int getRestarts();

    /**
     * The exit code of the last process that ended (SUBPROCESS), {@code -N} when killed by signal N
     * as asyncio's {@code returncode}; {@code null} when none ended yet.
     */
    @Nullable Integer getLastExitCode();

    /**
     * The server's counters (TCP, UNIX) while it is bound: connections accepted and open, bytes
     * received and sent (closed connections included) and failed TLS handshakes; {@code null} for
     * other kinds and while not bound.
     * @return the counters, or {@code null}
     */
    default @Nullable ServerStatistics getServerStatistics() {
        return null;
    }

    /**
     * How many processes of this endpoint have exited since it started (SUBPROCESS), restarted or
     * not; 0 for other kinds.
     * @return the number of exits
     */
    default long getExitCount() {
        return 0;
    }

    /**
     * Bytes read from the stdout and stderr of this endpoint's processes that have exited
     * (SUBPROCESS), since the endpoint started; the running process's are in its transport's
     * {@link io.protoloop.transport.TransportStatistics#snapshot() snapshot}. 0 for other kinds.
     * @return the bytes received by processes that exited
     */
    default long getExitedBytesReceived() {
        return 0;
    }

    /**
     * Bytes written to the stdin of this endpoint's processes that have exited (SUBPROCESS), since
     * the endpoint started; the running process's are in its transport's
     * {@link io.protoloop.transport.TransportStatistics#snapshot() snapshot}. 0 for other kinds.
     * @return the bytes sent by processes that exited
     */
    default long getExitedBytesSent() {
        return 0;
    }

    /**
     * Why the endpoint's last start failed (the bind or spawn error); {@code null} when it started,
     * or has not been started yet.
     * @return the failure, or {@code null}
     */
    default @Nullable Throwable getStartFailure() {
        return null;
    }

    /**
     * Where an endpoint is in its life.
     */
    enum State {

        /** Not started yet, or stopped with the application. */
        STOPPED,

        /** Binding, or spawning the first process. */
        STARTING,

        /** Bound and serving, or the process is running. */
        RUNNING,

        /** Shutting down: no longer accepting, draining connections or stopping the process. */
        STOPPING,

        /** The process exited and waits for its restart back-off (SUBPROCESS). */
        BACKING_OFF,

        /** The process exited and the restart policy does not start it again (SUBPROCESS). */
        EXITED,

        /** The process could not be restarted, or exhausted its restarts (SUBPROCESS). */
        FAILED

    }

}
