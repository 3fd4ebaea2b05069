package io.protoloop;

import java.time.Duration;
import java.util.Objects;

/**
 * How to build an {@link EventLoop}: {@code EventLoop.create(LoopOptions.builder().threads(4).build())}.
 *
 * @param threads               member loops, one thread each (1 = asyncio's single thread)
 * @param transport             the I/O engine
 * @param debug                 asyncio's debug mode: report callbacks slower than
 *                              {@code slowCallbackDuration}
 * @param slowCallbackDuration  the slow-callback threshold in debug mode (asyncio's 0.1 s)
 * @param threadNamePrefix      loop thread names start with {@code prefix-} (Netty appends a group
 *                              number and the member number: {@code protoloop-3-1})
 */
public record LoopOptions(int threads, LoopTransport transport, boolean debug, Duration slowCallbackDuration,
                          String threadNamePrefix) {

    /** The defaults: one thread, the best engine, no debug, 100 ms, "protoloop". */
    public static final LoopOptions DEFAULT = builder().build();

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException when {@code threads < 1} or the duration is negative
     */
    public LoopOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(slowCallbackDuration, "slowCallbackDuration");
        if (slowCallbackDuration.isNegative()) {
            throw new IllegalArgumentException("slowCallbackDuration must not be negative, was " + slowCallbackDuration);
        }
        Objects.requireNonNull(threadNamePrefix, "threadNamePrefix");
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder for {@link LoopOptions}. */
    public static final class Builder {
        private int threads = 1;
        private LoopTransport transport = LoopTransport.AUTO;
        private boolean debug;
        private Duration slowCallbackDuration = Duration.ofMillis(100);
        private String threadNamePrefix = "protoloop";

        private Builder() {
        }

        /** Member loops, one thread each. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** The I/O engine. */
        public Builder transport(LoopTransport transport) {
            this.transport = transport;
            return this;
        }

        /** asyncio's debug mode. */
        public Builder debug(boolean debug) {
            this.debug = debug;
            return this;
        }

        /** The slow-callback threshold reported in debug mode. */
        public Builder slowCallbackDuration(Duration slowCallbackDuration) {
            this.slowCallbackDuration = slowCallbackDuration;
            return this;
        }

        /** The prefix of loop thread names. */
        public Builder threadNamePrefix(String threadNamePrefix) {
            this.threadNamePrefix = threadNamePrefix;
            return this;
        }

        /** Builds and validates. */
        public LoopOptions build() {
            return new LoopOptions(threads, transport, debug, slowCallbackDuration, threadNamePrefix);
        }
    }
}
