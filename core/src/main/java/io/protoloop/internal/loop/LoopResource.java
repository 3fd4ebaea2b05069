package io.protoloop.internal.loop;

/**
 * Something a loop owns that must not outlive it: a transport or a listening server. Closing the
 * loop aborts every one still registered, so no channel, buffer or socket file is left behind.
 */
public interface LoopResource {

    /** Aborts at once; called from any thread while the loop closes. */
    void abortOnLoopClose();
}
