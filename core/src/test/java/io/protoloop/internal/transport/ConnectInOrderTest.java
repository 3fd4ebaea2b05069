package io.protoloop.internal.transport;

import io.protoloop.Connection;
import io.protoloop.ConnectionOptions;
import io.protoloop.EventLoop;
import io.protoloop.Server;
import io.protoloop.internal.loop.AbstractLoop;
import io.protoloop.testsupport.RecordingProtocol;
import io.protoloop.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * asyncio's create_connection tries every resolved address in order. Name resolution here rarely gives
 * two addresses for one name, so the order is tested on the step after it: a list of addresses.
 */
class ConnectInOrderTest {

    private final EventLoop loop = EventLoop.create();
    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (Socket socket : held) {
            socket.close();
        }
        loop.close();
    }

    /** A loopback address whose port is bound but not listening: connects are refused, and it stays ours. */
    private InetSocketAddress refusing() throws Exception {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        held.add(socket);
        return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }

    @Test
    void refusedAddressesAreSkippedUntilOneAccepts() throws Exception {
        Server server = loop.createServer(RecordingProtocol::new, "127.0.0.1", 0).get(10, TimeUnit.SECONDS);
        SocketAddress listening = server.sockets().get(0);
        List<SocketAddress> addresses = List.of(refusing(), refusing(), listening);

        Connection<Transport, RecordingProtocol> c = Streams.connectInOrder((AbstractLoop) loop,
                RecordingProtocol::new, addresses, "localhost", ConnectionOptions.DEFAULT).get(10, TimeUnit.SECONDS);

        assertThat(c.transport().<SocketAddress>getExtraInfo("peername")).isEqualTo(listening);
        assertThat(c.protocol().events).as("one protocol, connected once").containsExactly("connectionMade");
        c.transport().close();
        assertThat(c.protocol().awaitLost()).isNull();
        server.close();
    }

    @Test
    void whenEveryAddressRefusesTheErrorNamesThemAll() throws Exception {
        InetSocketAddress first = refusing();
        InetSocketAddress second = refusing();

        assertThatThrownBy(() -> Streams.connectInOrder((AbstractLoop) loop, RecordingProtocol::new,
                List.of(first, second), "localhost", ConnectionOptions.DEFAULT).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ConnectException.class)
                .hasMessageStartingWith("Multiple exceptions: ")
                .hasMessageContaining(String.valueOf(first.getPort()))
                .hasMessageContaining(String.valueOf(second.getPort()))
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(2));
    }
}
