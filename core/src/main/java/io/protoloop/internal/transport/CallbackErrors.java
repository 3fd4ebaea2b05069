package io.protoloop.internal.transport;

import io.protoloop.internal.loop.LoopRuntime;

import java.util.HashMap;
import java.util.Map;

/** Builds asyncio's exception-handler context for errors raised by or around protocol callbacks. */
public final class CallbackErrors {

    private CallbackErrors() {
    }

    /** Reports {@code error} with asyncio's keys {@code message}, {@code exception}, {@code transport}, {@code protocol}. */
    public static void report(LoopRuntime runtime, String message, Throwable error, Object transport, Object protocol) {
        Map<String, Object> context = new HashMap<>();
        context.put("message", message);
        context.put("exception", error);
        context.put("transport", transport);
        if (protocol != null) {
            context.put("protocol", protocol);
        }
        runtime.callExceptionHandler(context);
    }
}
