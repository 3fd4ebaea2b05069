package io.protoloop.demo;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The ticker's line count, shared by every (re)started ticker process and published as the
 * {@code demo.ticker.lines} meter.
 */
@Component
public class TickerLines {

    private final AtomicLong count = new AtomicLong();

    public TickerLines(MeterRegistry registry) {
        registry.more().counter("demo.ticker.lines", java.util.List.of(), count);
    }

    void increment() {
        count.incrementAndGet();
    }

    /** Lines read so far. */
    public long count() {
        return count.get();
    }
}
