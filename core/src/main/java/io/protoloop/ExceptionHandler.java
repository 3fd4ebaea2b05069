package io.protoloop;

import java.util.Map;

/**
 * Receives errors nobody else can handle, asyncio's loop exception handler
 * ({@code loop.set_exception_handler}).
 *
 * <p>{@code context} carries asyncio's keys: {@code message} (always), and where they apply
 * {@code exception}, {@code transport}, {@code protocol}, {@code handle}, {@code future},
 * {@code socket}. The handler runs on the thread that reported the error, usually a loop thread:
 * it must not block.
 */
@FunctionalInterface
public interface ExceptionHandler {

    /**
     * Handles one error.
     *
     * @param loop    the loop that reported it
     * @param context the asyncio context map
     */
    void handle(EventLoop loop, Map<String, Object> context);
}
