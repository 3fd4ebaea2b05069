package io.protoloop.internal.selector;

import io.protoloop.dns.SocketType;
import io.protoloop.internal.dns.Resolver;
import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.sock.Accepted;
import io.protoloop.sock.ReceivedDatagram;
import io.protoloop.sock.ReceivedInto;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * asyncio's {@code loop.sock_*()} methods on non-blocking JDK channels. Each call validates its
 * arguments in the caller's thread, then becomes a {@link SockOp} that the group's
 * {@link ReadinessSelector} runs on the loop: tried in the next loop task, retried on readiness when
 * it would block, its future completed on the loop thread. Cancelling the future drops the wait.
 */
public final class SocketOps {

    private SocketOps() {
    }

    // ---- receiving ------------------------------------------------------------------------------

    /** asyncio's {@code sock_recv}: up to {@code nbytes} bytes, an empty buffer at EOF. */
    public static <C extends SelectableChannel & ReadableByteChannel> CompletableFuture<ByteBuffer> recv(
            AbstractLoop loop, C channel, int nbytes) {
        requireChannel(channel);
        if (nbytes < 0) {
            throw new IllegalArgumentException("nbytes must not be negative, was " + nbytes);
        }
        return submit(loop, new SockOp<ByteBuffer>(loop.scheduler(), channel, true) {
            private ByteBuffer buffer;

            @Override
            boolean attempt() throws IOException {
                if (buffer == null) {
                    buffer = ByteBuffer.allocate(nbytes);
                }
                int n = channel.read(buffer);
                if (n == 0 && buffer.hasRemaining()) {
                    return false;
                }
                succeed(buffer.flip());
                return true;
            }

            @Override
            String name() {
                return "sockRecv";
            }
        });
    }

    /**
     * asyncio's {@code sock_recv_into}: reads into {@code buffer} from its position up to its limit
     * (advancing the position); the count, 0 at EOF.
     */
    public static <C extends SelectableChannel & ReadableByteChannel> CompletableFuture<Integer> recvInto(
            AbstractLoop loop, C channel, ByteBuffer buffer) {
        requireChannel(channel);
        requireWritable(buffer);
        return submit(loop, new SockOp<Integer>(loop.scheduler(), channel, true) {
            @Override
            boolean attempt() throws IOException {
                int n = channel.read(buffer);
                if (n == 0 && buffer.hasRemaining()) {
                    return false;
                }
                succeed(Math.max(n, 0));
                return true;
            }

            @Override
            String name() {
                return "sockRecvInto";
            }
        });
    }

    /** asyncio's {@code sock_recvfrom}: one datagram of up to {@code bufsize} bytes and its sender. */
    public static CompletableFuture<ReceivedDatagram> recvfrom(AbstractLoop loop, DatagramChannel channel, int bufsize) {
        requireChannel(channel);
        if (bufsize < 0) {
            throw new IllegalArgumentException("bufsize must not be negative, was " + bufsize);
        }
        return submit(loop, new SockOp<ReceivedDatagram>(loop.scheduler(), channel, true) {
            private ByteBuffer buffer;

            @Override
            boolean attempt() throws IOException {
                if (buffer == null) {
                    buffer = ByteBuffer.allocate(bufsize);
                }
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    return false;
                }
                succeed(new ReceivedDatagram(buffer.flip(), (InetSocketAddress) from));
                return true;
            }

            @Override
            String name() {
                return "sockRecvfrom";
            }
        });
    }

    /** asyncio's {@code sock_recvfrom_into}: one datagram into {@code buffer}, its size and sender. */
    public static CompletableFuture<ReceivedInto> recvfromInto(AbstractLoop loop, DatagramChannel channel,
                                                              ByteBuffer buffer) {
        requireChannel(channel);
        requireWritable(buffer);
        return submit(loop, new SockOp<ReceivedInto>(loop.scheduler(), channel, true) {
            @Override
            boolean attempt() throws IOException {
                int before = buffer.position();
                SocketAddress from = channel.receive(buffer);
                if (from == null) {
                    return false;
                }
                succeed(new ReceivedInto(buffer.position() - before, (InetSocketAddress) from));
                return true;
            }

            @Override
            String name() {
                return "sockRecvfromInto";
            }
        });
    }

    /** asyncio's {@code sock_accept}: the next connection, made non-blocking, and its peer. */
    public static CompletableFuture<Accepted> accept(AbstractLoop loop, ServerSocketChannel channel) {
        requireChannel(channel);
        return submit(loop, new SockOp<Accepted>(loop.scheduler(), channel, true) {
            private SocketChannel accepted;

            @Override
            boolean attempt() throws IOException {
                accepted = channel.accept();
                if (accepted == null) {
                    return false;
                }
                try {
                    accepted.configureBlocking(false);
                    succeed(new Accepted(accepted, peer(accepted)));
                } catch (IOException | RuntimeException e) {
                    accepted.close();
                    throw e;
                }
                return true;
            }

            @Override
            boolean finish() {
                if (super.finish()) {
                    return true;
                }
                try {
                    accepted.close(); // cancelled meanwhile: nobody else would ever close it
                } catch (IOException ignored) {
                    // Nothing was sent on it; the peer sees a reset or EOF either way.
                }
                return false;
            }

            @Override
            String name() {
                return "sockAccept";
            }
        });
    }

    private static SocketAddress peer(SocketChannel accepted) throws IOException {
        SocketAddress address = accepted.getRemoteAddress();
        // An unnamed Unix peer has an empty path; the API reports it as null (asyncio gives '').
        if (address instanceof UnixDomainSocketAddress
                && ((UnixDomainSocketAddress) address).getPath().toString().isEmpty()) {
            return null;
        }
        return address;
    }

    // ---- sending --------------------------------------------------------------------------------

    /**
     * asyncio's {@code sock_sendall}: every remaining byte of {@code data}, which is copied (and
     * consumed) before this returns, so the caller may reuse it.
     */
    public static <C extends SelectableChannel & WritableByteChannel> CompletableFuture<Void> sendall(
            AbstractLoop loop, C channel, ByteBuffer data) {
        requireChannel(channel);
        ByteBuffer copy = copyOf(data);
        return submit(loop, new SockOp<Void>(loop.scheduler(), channel, false) {
            @Override
            boolean attempt() throws IOException {
                while (copy.hasRemaining()) {
                    if (channel.write(copy) == 0) {
                        return false;
                    }
                }
                succeed(null);
                return true;
            }

            @Override
            String name() {
                return "sockSendall";
            }
        });
    }

    /**
     * asyncio's {@code sock_sendto}: one datagram to {@code address}, copied before this returns;
     * the bytes sent.
     */
    public static CompletableFuture<Integer> sendto(AbstractLoop loop, DatagramChannel channel, ByteBuffer data,
                                                    SocketAddress address) {
        requireChannel(channel);
        Objects.requireNonNull(address, "address");
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved()) {
            throw new IllegalArgumentException("address " + address + " is unresolved; resolve it first "
                    + "(for example with loop.getaddrinfo)");
        }
        ByteBuffer copy = copyOf(data);
        int size = copy.remaining();
        return submit(loop, new SockOp<Integer>(loop.scheduler(), channel, false) {
            @Override
            boolean attempt() throws IOException {
                // 0 means "no room in the send buffer" (an empty datagram is sent at once and reports 0).
                int n = channel.send(copy, address);
                if (n == 0 && size > 0) {
                    return false;
                }
                succeed(n);
                return true;
            }

            @Override
            String name() {
                return "sockSendto";
            }
        });
    }

    /**
     * asyncio's {@code sock_sendfile}: {@code count} bytes of {@code file} from {@code offset}
     * ({@code null}: to the end) with {@link FileChannel#transferTo} (the kernel's
     * {@code sendfile(2)}, zero-copy) each time the socket is writable. The file position ends at
     * {@code offset + sent}, also after a failure or cancellation, as asyncio's.
     */
    public static CompletableFuture<Long> sendfile(AbstractLoop loop, SocketChannel channel, FileChannel file,
                                                   long offset, Long count) {
        requireChannel(channel);
        Objects.requireNonNull(file, "file");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be a non-negative integer, was " + offset);
        }
        if (count != null && count < 0) {
            throw new IllegalArgumentException("count must be a non-negative integer or null, was " + count);
        }
        return submit(loop, new SockOp<Long>(loop.scheduler(), channel, false) {
            private long end = -1;
            private volatile long sent;

            @Override
            boolean attempt() throws IOException {
                try {
                    if (end < 0) {
                        long size = file.size();
                        long wanted = count == null || count > Long.MAX_VALUE - offset ? Long.MAX_VALUE : offset + count;
                        end = Math.min(wanted, Math.max(offset, size));
                    }
                    while (offset + sent < end) {
                        long n = file.transferTo(offset + sent, end - offset - sent, channel);
                        if (n <= 0) {
                            if (offset + sent >= file.size()) {
                                break; // the file shrank: asyncio stops at EOF too
                            }
                            return false;
                        }
                        sent += n;
                    }
                } catch (IOException | RuntimeException e) {
                    seek();
                    throw e;
                }
                seek();
                succeed(sent);
                return true;
            }

            @Override
            void cancelled() {
                try {
                    seek();
                } catch (IOException ignored) {
                    // The file was closed meanwhile; there is no position left to set.
                }
            }

            private void seek() throws IOException {
                if (sent > 0) {
                    file.position(offset + sent);
                }
            }

            @Override
            String name() {
                return "sockSendfile";
            }
        });
    }

    // ---- connecting -----------------------------------------------------------------------------

    /**
     * asyncio's {@code sock_connect}: connects {@code channel}, resolving an unresolved
     * {@link InetSocketAddress} first (asyncio's {@code _ensure_resolved}, first address).
     */
    public static CompletableFuture<Void> connect(AbstractLoop loop, SocketChannel channel, SocketAddress address) {
        requireChannel(channel);
        Objects.requireNonNull(address, "address");
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved()) {
            return afterResolving(loop, (InetSocketAddress) address, SocketType.STREAM,
                    resolved -> submitConnect(loop, channel, resolved));
        }
        return submitConnect(loop, channel, address);
    }

    /**
     * Resolves {@code address} (on the executor), then starts {@code next} with the first result.
     * Cancelling the returned future cancels whichever step is running.
     */
    private static CompletableFuture<Void> afterResolving(AbstractLoop loop, InetSocketAddress address, SocketType type,
                                                          Function<InetSocketAddress, CompletableFuture<Void>> next) {
        CompletableFuture<Void> result = loop.createFuture();
        CompletableFuture<InetSocketAddress> resolving =
                Resolver.resolveFirst(loop, address.getHostString(), address.getPort(), type);
        result.whenComplete((v, t) -> {
            if (result.isCancelled()) {
                resolving.cancel(false);
            }
        });
        resolving.whenComplete((resolved, failure) -> {
            if (result.isDone()) {
                return;
            }
            if (failure != null) {
                result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
                return;
            }
            CompletableFuture<Void> step;
            try {
                step = next.apply(resolved);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            result.whenComplete((v, t) -> {
                if (result.isCancelled()) {
                    step.cancel(false);
                }
            });
            step.whenComplete((v, t) -> {
                if (t != null) {
                    result.completeExceptionally(t);
                } else {
                    result.complete(v);
                }
            });
        });
        return result;
    }

    private static CompletableFuture<Void> submitConnect(AbstractLoop loop, SocketChannel channel,
                                                         SocketAddress address) {
        return submit(loop, new SockOp<Void>(loop.scheduler(), channel, false) {
            private boolean started;

            @Override
            boolean attempt() throws IOException {
                try {
                    boolean connected;
                    if (!started) {
                        started = true;
                        connected = channel.connect(address);
                    } else {
                        connected = channel.finishConnect();
                    }
                    if (!connected) {
                        return false;
                    }
                } catch (ConnectException e) {
                    // asyncio: "[Errno 111] Connect call failed ('127.0.0.1', 1)"; the JDK names no address.
                    ConnectException named = new ConnectException("Connect call failed " + address + ": "
                            + e.getMessage());
                    named.initCause(e);
                    throw named;
                }
                succeed(null);
                return true;
            }

            @Override
            String name() {
                return "sockConnect";
            }
        });
    }

    /**
     * asyncio's {@code sock_connect} on a datagram socket: sets the default peer (no handshake, so
     * it completes at once), resolving an unresolved address first.
     */
    public static CompletableFuture<Void> connect(AbstractLoop loop, DatagramChannel channel, SocketAddress address) {
        requireChannel(channel);
        Objects.requireNonNull(address, "address");
        if (address instanceof InetSocketAddress && ((InetSocketAddress) address).isUnresolved()) {
            return afterResolving(loop, (InetSocketAddress) address, SocketType.DATAGRAM,
                    resolved -> connect(loop, channel, resolved));
        }
        return submit(loop, new SockOp<Void>(loop.scheduler(), channel, false) {
            @Override
            boolean attempt() throws IOException {
                channel.connect(address);
                succeed(null);
                return true;
            }

            @Override
            String name() {
                return "sockConnect";
            }
        });
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static <T> CompletableFuture<T> submit(AbstractLoop loop, SockOp<T> op) {
        ReadinessSelector.of(loop).submit(op);
        return op.future;
    }

    private static void requireChannel(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        if (channel.isBlocking()) {
            // asyncio: "the socket must be non-blocking"; a blocking call would stall the loop thread.
            throw new IllegalArgumentException("the channel must be non-blocking (configureBlocking(false)): "
                    + channel);
        }
    }

    private static void requireWritable(ByteBuffer buffer) {
        Objects.requireNonNull(buffer, "buffer");
        if (buffer.isReadOnly()) {
            throw new IllegalArgumentException("the buffer is read-only");
        }
    }

    private static ByteBuffer copyOf(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data);
        return copy.flip();
    }
}
