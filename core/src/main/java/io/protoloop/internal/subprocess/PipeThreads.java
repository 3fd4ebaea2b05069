package io.protoloop.internal.subprocess;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts the threads that do blocking pipe I/O. A JDK {@link Process} pipe cannot be put on a
 * selector, so each piped stream gets a platform thread. Not a virtual thread even where the JVM has
 * them (21+): a pipe read is file I/O, which pins its carrier, and the scheduler's compensation stops
 * at {@code jdk.virtualThreadScheduler.maxPoolSize} (256), so a few hundred idle children would
 * starve every other virtual thread in the application.
 */
final class PipeThreads {

    /**
     * Every pipe thread's name starts with this, so tests and operators can count them.
     */
    static final String PREFIX = "protoloop-pipe-";

    /**
     * 256 KiB: a pipe thread only runs a read or write loop and hands bytes to the loop, but it may
     * log an error through SLF4J, which wants more than HotSpot's minimum (about 136 KiB on x64).
     * A thousand children with three pipes each reserve 750 MiB of address space this way; what
     * becomes resident is about 85 KiB per thread whatever the size asked for, because HotSpot touches
     * each stack's shadow zone (measured: benchmarks/README.md, "1,000 children").
     */
    static final long STACK_SIZE = 256 * 1024;

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private PipeThreads() {
    }

    /** Starts a daemon thread named {@code protoloop-pipe-<name>}. */
    static Thread start(String name, Runnable body) {
        Thread thread = new Thread(null, body, PREFIX + name, STACK_SIZE);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A unique name part for pipes that belong to no process. */
    static long nextId() {
        return SEQUENCE.incrementAndGet();
    }
}
