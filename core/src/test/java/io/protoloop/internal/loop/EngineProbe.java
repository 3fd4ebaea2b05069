package io.protoloop.internal.loop;

import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;

/** Run in a child JVM by {@link EngineTest}: prints what each requested engine resolves to. */
public final class EngineProbe {

    private EngineProbe() {
    }

    public static void main(String[] args) {
        for (LoopTransport requested : LoopTransport.values()) {
            String result;
            try {
                result = Engine.select(requested).name();
            } catch (RuntimeException e) {
                result = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            System.out.println(requested + " -> " + result);
        }
        try (EventLoop loop = EventLoop.create(LoopOptions.DEFAULT)) {
            System.out.println("loop AUTO -> " + loop.transportType());
        }
    }
}
