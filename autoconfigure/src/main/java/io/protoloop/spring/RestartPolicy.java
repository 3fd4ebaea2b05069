package io.protoloop.spring;

/**
 * When a {@link TransportKind#SUBPROCESS SUBPROCESS} endpoint's process is started again after it
 * exits (asyncio has no supervisor; this is the starter's). Restarts wait a back-off that doubles
 * from {@code protoloop.endpoints.<name>.restart.backoff} up to {@code restart.max-backoff}, and stop
 * after {@code restart.max-restarts}. A process that exits while the application shuts down is never
 * restarted.
 */
public enum RestartPolicy {

    /** Never restart: the endpoint ends with its process. */
    NEVER,

    /** Restart when the process exits with a non-zero code or is killed by a signal. */
    ON_FAILURE,

    /** Restart whenever the process exits. */
    ALWAYS

}
