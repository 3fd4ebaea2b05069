package io.protoloop.internal.subprocess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Signals a transport sent to its child, and what they mean for the return code.
 *
 * <p>The JDK reports a child killed by signal N as exit status {@code 128 + N} (the shell's
 * convention), and it cannot send signals other than SIGTERM and SIGKILL. asyncio reports
 * {@code -N}. Without a native wait, the transport cannot tell a child killed by N from one that
 * exited with status {@code 128 + N}; it decides with what it knows: a status of {@code 128 + N}
 * after the transport itself sent N becomes {@code -N}, any other status is reported as is.
 */
final class Signals {

    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    /** Linux has signals 1..64 (real-time ones included); 0 only checks that the process exists. */
    static final int MAX_SIGNAL = 64;

    /** {@code kill(1)}: the JDK has no way to send other signals, and JNI or --add-opens are off limits. */
    private static final String KILL = Files.isExecutable(Path.of("/bin/kill")) ? "/bin/kill"
            : Files.isExecutable(Path.of("/usr/bin/kill")) ? "/usr/bin/kill" : "kill";

    /** Bit N set when signal N was sent (N in 1..64, bit 64 folded onto bit 0, which 0 never sets). */
    private final AtomicLong sent = new AtomicLong();

    /** Remembers {@code signal}; call it before sending, so an exit that follows maps to {@code -signal}. */
    void sending(int signal) {
        long bit = 1L << (signal & 63);
        sent.getAndUpdate(bits -> bits | bit);
    }

    boolean wasSent(int signal) {
        return signal >= 1 && signal <= MAX_SIGNAL && (sent.get() & (1L << (signal & 63))) != 0;
    }

    /** The asyncio return code for the JDK's exit value {@code status}. */
    int returncode(int status) {
        int signal = status - 128;
        return wasSent(signal) ? -signal : status;
    }

    /**
     * Sends {@code signal} to {@code pid} by running {@code kill -N pid} and waiting for it.
     *
     * @throws IllegalStateException when {@code kill} could not run or failed
     */
    static void sendWithKillUtility(long pid, int signal) {
        ProcessBuilder builder = new ProcessBuilder(KILL, "-" + signal, String.valueOf(pid))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        int status;
        try {
            status = builder.start().waitFor();
        } catch (IOException e) {
            throw new IllegalStateException("cannot send signal " + signal + " to process " + pid + ": running "
                    + KILL + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending signal " + signal + " to process " + pid, e);
        }
        if (status != 0) {
            throw new IllegalStateException("cannot send signal " + signal + " to process " + pid + ": " + KILL
                    + " exited with status " + status);
        }
    }
}
