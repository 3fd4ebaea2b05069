/**
 * Transports: what protocols write to and control, asyncio's {@code asyncio.transports}.
 * Every method may be called from any thread; calls off the loop are run on the loop in order.
 */
package io.protoloop.transport;
