package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.ConnectionOptions;
import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import io.protoloop.LoopTransport;
import io.protoloop.Server;
import io.protoloop.ServerOptions;
import io.protoloop.protocol.BufferedProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.testsupport.RecordingProtocol;
import io.protoloop.testsupport.Sockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every engine-parameterized transport suite shares: a two-thread loop on the engine under
 * test, an exception handler that records, servers closed after each test.
 */
abstract class LoopTestBase {


    protected EventLoop loop;
    protected final List<Map<String, Object>> handled = new CopyOnWriteArrayList<>();
    private final List<Server> servers = new ArrayList<>();

    protected Server track(Server server) {
        servers.add(server);
        return server;
    }

    protected abstract LoopTransport engine();

    /**
     * Whether the engine tries the socket inside {@code write()}, as asyncio does. io_uring only
     * submits the write and learns the result later, so a write the kernel would take whole still
     * counts as buffered when {@code write()} returns.
     */
    protected boolean writesSynchronously() {
        return engine() != LoopTransport.IO_URING;
    }

    /** Whether the engine can wrap an existing JDK socket channel (io_uring cannot). */
    protected boolean adoptsSockets() {
        return engine() != LoopTransport.IO_URING;
    }

    @BeforeEach
    void createLoop() {
        loop = EventLoop.create(LoopOptions.builder().threads(2).transport(engine()).build());
        loop.setExceptionHandler((l, context) -> handled.add(context));
    }

    @AfterEach
    void closeLoop() {
        servers.forEach(Server::close);
        loop.close();
    }

    protected <P extends RecordingProtocol> Server serve(Supplier<P> factory) throws Exception {
        return serve(factory, ServerOptions.DEFAULT);
    }

    protected <P extends RecordingProtocol> Server serve(Supplier<P> factory, ServerOptions options) throws Exception {
        Server server = loop.createServer(factory, "127.0.0.1", 0, options).get(10, TimeUnit.SECONDS);
        servers.add(server);
        return server;
    }

    /** A server whose protocol instances are handed out through {@code accepted}. */
    protected <P extends RecordingProtocol> SocketAddress serveInto(Supplier<P> factory, List<P> accepted)
            throws Exception {
        return serve(() -> {
            P p = factory.get();
            accepted.add(p);
            return p;
        }).sockets().get(0);
    }

    protected static <P extends RecordingProtocol> P awaitFirst(List<P> accepted) throws Exception {
        await(() -> !accepted.isEmpty(), "an accepted connection");
        P p = accepted.get(0);
        p.made.get(10, TimeUnit.SECONDS);
        return p;
    }

    /** Runs {@code action} on the transport's loop and waits for it. */
    protected static <T> T onLoop(Transport transport, Supplier<T> action) throws Exception {
        return io.protoloop.testsupport.OnLoop.run(transport, action);
    }

    static class EchoProtocol extends RecordingProtocol {
        @Override
        public void dataReceived(ByteBuffer data) {
            super.dataReceived(data.duplicate());
            transport.write(data);
        }
    }
}
