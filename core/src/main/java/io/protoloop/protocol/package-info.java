/**
 * Protocols: the callbacks a user implements, asyncio's {@code asyncio.protocols}. All callbacks
 * run on the owning transport's loop thread.
 */
package io.protoloop.protocol;
