package io.protoloop.internal.subprocess;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that start child processes. {@code ProcessBuilder.start()} blocks for about a
 * millisecond (the JDK's posix_spawn of {@code jspawnhelper}, which then execs the program); asyncio
 * spends that time on its loop thread, protoloop keeps the loop free and starts children in
 * parallel, one per core (more measured no faster: the work is the kernel's).
 */
final class Spawner {

    private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private static final ThreadPoolExecutor POOL;

    static {
        AtomicInteger sequence = new AtomicInteger();
        POOL = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), body -> {
            Thread thread = new Thread(null, body, "protoloop-spawn-" + sequence.incrementAndGet(),
                    PipeThreads.STACK_SIZE);
            thread.setDaemon(true);
            return thread;
        });
        // Idle spawn threads go away after 10 s; a JVM that starts no more children keeps none.
        POOL.allowCoreThreadTimeOut(true);
    }

    private Spawner() {
    }

    static void execute(Runnable task) {
        POOL.execute(task);
    }
}
