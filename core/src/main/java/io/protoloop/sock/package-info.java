/**
 * Results of the event loop's socket operations, asyncio's {@code loop.sock_*()} tuples as records.
 *
 * <p>What every {@code EventLoop.sock*} method shares:
 * <ul>
 * <li>It takes a non-blocking JDK channel ({@code configureBlocking(false)}), as asyncio requires
 * non-blocking sockets; a blocking channel is an {@link IllegalArgumentException}, thrown at once,
 * like the other argument errors.</li>
 * <li>It tries its syscall right away on the loop thread, without waiting for readiness, and only
 * when that would block waits for readiness, then tries again on the loop. The first try is a loop
 * task of its own, so the future never completes inside the call that made it and its callbacks
 * never run nested in the caller (asyncio never runs done-callbacks synchronously either). The waiting is done by one small JDK selector thread per
 * loop group ({@code protoloop-selector-N}, started on first need, ended by {@code close()}): the
 * loop threads block in Netty's epoll, io_uring or NIO selector, which cannot take JDK channels.</li>
 * <li>The returned future completes on the loop thread. Cancelling it stops the wait (data a receive
 * already took is lost, as in asyncio).</li>
 * <li>Operations of one direction (receive/accept, or send/connect/sendfile) on one channel run in
 * call order. A channel watched with {@code addReader} ({@code addWriter}) takes no receive (send)
 * operation meanwhile: asyncio would silently replace the callback; here it is an
 * {@link IllegalStateException}.</li>
 * <li>Failures of the syscall fail the future: a closed channel with the
 * {@link java.nio.channels.ClosedChannelException} of the first try, a channel closed while waiting
 * with an {@link java.nio.channels.AsynchronousCloseException}, closing the loop with an
 * {@link IllegalStateException}.</li>
 * </ul>
 */
package io.protoloop.sock;
