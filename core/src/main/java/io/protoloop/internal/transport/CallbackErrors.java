package io.protoloop.internal.transport;

import io.protoloop.internal.loop.LoopRuntime;
import io.protoloop.protocol.BaseProtocol;

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

    /**
     * Calls the protocol's {@code pauseWriting()}: every transport's flow control does this the same
     * way. A throw is reported and the transport stays open, as asyncio's {@code _maybe_pause_protocol}.
     */
    public static void pauseWriting(LoopRuntime runtime, Object transport, BaseProtocol<?> protocol) {
        try {
            protocol.pauseWriting();
        } catch (Throwable t) {
            report(runtime, "protocol.pauseWriting() failed", t, transport, protocol);
        }
    }

    /** Calls the protocol's {@code resumeWriting()}, the same way as {@link #pauseWriting}. */
    public static void resumeWriting(LoopRuntime runtime, Object transport, BaseProtocol<?> protocol) {
        try {
            protocol.resumeWriting();
        } catch (Throwable t) {
            report(runtime, "protocol.resumeWriting() failed", t, transport, protocol);
        }
    }
}
