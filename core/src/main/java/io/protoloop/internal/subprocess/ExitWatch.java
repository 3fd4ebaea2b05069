package io.protoloop.internal.subprocess;

import io.netty.util.concurrent.EventExecutor;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Notices that a child exited and hands that to the loop once, after the child's output when it can.
 *
 * <p>{@link Process#onExit()} costs a thread per exit (its {@code handleAsync} runs on a new thread
 * when the common pool has a single worker, as on two cores), and starting a thread is, after the
 * spawn itself, the largest cost of a short child. So the usual path needs none: the reader threads
 * of stdout and stderr end at the EOF the exit causes, and the last one to end waits for the exit
 * ({@link Process#waitFor()}, which the JDK's reaper thread releases at once) and posts it, after
 * its EOF. That also gives the order asyncio code tends to expect (output, then
 * {@code processExited}), which asyncio itself does not promise.
 *
 * <p>Readers cannot tell when they are paused, or when a grandchild holds a pipe open after the
 * child exited. For those the loop checks {@link Process#isAlive()} (a flag the reaper sets) every
 * {@link #CHECK_MILLIS}, and every {@link #SIGNALLED_CHECK_MILLIS} once the transport signalled or
 * closed the child; an exit found that way waits for running readers at most {@link #GRACE_MILLIS}.
 * A child with no piped output has no reader, and uses {@code onExit()}.
 */
final class ExitWatch {

    /** How long an exit found by a check waits for the readers' EOF at most. */
    static final long GRACE_MILLIS = 100;

    /** The fallback check's period while nothing is expected. */
    static final long CHECK_MILLIS = 1000;

    /** The fallback check's period after a signal or close, when the exit should come soon. */
    static final long SIGNALLED_CHECK_MILLIS = 10;

    private final Process process;
    private final EventExecutor loop;
    private final Runnable exited;
    private int readersRunning;
    private boolean hadReaders;
    private boolean posted;
    private boolean jdkWatching;
    private boolean started;
    private boolean signalled;
    private ScheduledFuture<?> grace;
    private ScheduledFuture<?> check;
    private long checkMillis;

    /**
     * @param exited what the loop runs, once, for the exit
     */
    ExitWatch(Process process, EventExecutor loop, Runnable exited) {
        this.process = process;
        this.loop = loop;
        this.exited = exited;
    }

    /** A reader thread is about to start; it must end with {@link #readerDone()}. */
    synchronized void readerStarting() {
        readersRunning++;
        hadReaders = true;
    }

    /** The reader announced with {@link #readerStarting()} could not be started. */
    synchronized void readerNotStarted() {
        readersRunning--;
    }

    /** Arms the watch once the child's transport is handed to the loop. */
    void start() {
        boolean noReaders;
        synchronized (this) {
            started = true;
            noReaders = !hadReaders;
            if (!noReaders) {
                checkEvery(signalled ? SIGNALLED_CHECK_MILLIS : CHECK_MILLIS);
            }
        }
        if (noReaders) {
            watchWithJdk();
        }
    }

    /** The transport signalled or closed the child: look for its exit more often. */
    synchronized void signalled() {
        signalled = true;
        if (started) {
            checkEvery(SIGNALLED_CHECK_MILLIS);
        }
    }

    private void checkEvery(long millis) {
        if (posted || (check != null && checkMillis <= millis)) {
            return;
        }
        if (check != null) {
            check.cancel(false);
        }
        try {
            check = loop.scheduleAtFixedRate(this::check, millis, millis, TimeUnit.MILLISECONDS);
            checkMillis = millis;
        } catch (RejectedExecutionException e) {
            // The loop is closing; it kills the child, and nobody is left to tell.
        }
    }

    private void check() {
        if (!process.isAlive()) {
            noticed();
        }
    }

    /** Adds the JDK's notification, which costs a thread when the child exits. */
    private void watchWithJdk() {
        synchronized (this) {
            if (jdkWatching || posted) {
                return;
            }
            jdkWatching = true;
        }
        process.onExit().whenComplete((p, t) -> noticed());
    }

    /** Called by each reader thread as it ends, after it handed its EOF to the loop. */
    void readerDone() {
        synchronized (this) {
            if (--readersRunning > 0 || posted) {
                return;
            }
        }
        // The child closed its output, nearly always by exiting: wait here rather than on a new thread.
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            watchWithJdk();
            return;
        }
        post();
    }

    /** The exit was found by a check or the JDK: give running readers a moment to deliver the rest. */
    private void noticed() {
        synchronized (this) {
            if (posted || grace != null) {
                return;
            }
            if (readersRunning > 0) {
                try {
                    grace = loop.schedule(this::post, GRACE_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException e) {
                    // The loop is closing: post (or fail to) at once.
                }
            }
        }
        post();
    }

    private void post() {
        synchronized (this) {
            if (posted) {
                return;
            }
            posted = true;
            if (grace != null) {
                grace.cancel(false);
            }
            if (check != null) {
                check.cancel(false);
            }
        }
        try {
            loop.execute(exited);
        } catch (RejectedExecutionException ignored) {
            // The loop is closed; it killed the child and nobody is left to tell.
        }
    }
}
