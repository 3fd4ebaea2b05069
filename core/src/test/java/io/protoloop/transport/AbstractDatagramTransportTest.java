package io.protoloop.transport;

import io.protoloop.Connection;
import io.protoloop.DatagramOptions;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.testsupport.DatagramRecorder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.protoloop.testsupport.RecordingProtocol.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * asyncio's datagram-transport rules over real UDP sockets, run on every engine.
 */
abstract class AbstractDatagramTransportTest extends LoopTestBase {

    private static final InetSocketAddress ANY_LOCAL = new InetSocketAddress("127.0.0.1", 0);

    /** The seed's UDP echo server: every datagram goes back to its sender. */
    static final class EchoServer extends DatagramRecorder {
        @Override
        public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
            super.datagramReceived(data.duplicate(), addr);
            transport.sendto(data, addr);
        }
    }

    private <P extends DatagramProtocol> Connection<DatagramTransport, P> endpoint(P protocol,
            InetSocketAddress local, InetSocketAddress remote) throws Exception {
        return loop.createDatagramEndpoint(() -> protocol, local, remote, DatagramOptions.DEFAULT)
                .get(10, TimeUnit.SECONDS);
    }

    private static InetSocketAddress sockname(DatagramTransport t) {
        return t.getExtraInfo("sockname");
    }

    @Test
    void udpEchoServerAndClientFromTheSeed() throws Exception {
        EchoServer server = new EchoServer();
        InetSocketAddress serverAddress = sockname(endpoint(server, ANY_LOCAL, null).transport());
        DatagramRecorder client = new DatagramRecorder();
        Connection<DatagramTransport, DatagramRecorder> c = endpoint(client, null, serverAddress);
        assertThat(c.transport().<InetSocketAddress>getExtraInfo("peername")).isEqualTo(serverAddress);
        c.transport().sendto("Hello World!".getBytes(StandardCharsets.US_ASCII));
        await(() -> client.datagrams.size() == 1, "the echo");
        assertThat(new String(client.datagrams.get(0), StandardCharsets.US_ASCII)).isEqualTo("Hello World!");
        assertThat(client.senders.get(0)).isEqualTo(serverAddress);
        assertThat(server.senders.get(0)).isEqualTo(sockname(c.transport()));
        c.transport().close();
        assertThat(client.lost.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(client.events).containsExactly("connectionMade", "connectionLost");
        // The transport lets go of its protocol once connectionLost has returned.
        await(() -> c.transport().getProtocol() == null, "the protocol detached");
    }

    @Test
    void zeroLengthAndMaximumSizeDatagramsArriveWhole() throws Exception {
        EchoServer server = new EchoServer();
        InetSocketAddress serverAddress = sockname(endpoint(server, ANY_LOCAL, null).transport());
        DatagramRecorder client = new DatagramRecorder();
        DatagramTransport t = endpoint(client, null, serverAddress).transport();
        byte[] max = io.protoloop.testsupport.Sockets.randomBytes(65_507, 21);
        t.sendto(new byte[0]);
        t.sendto(max);
        await(() -> client.datagrams.size() == 2, "both echoes");
        assertThat(client.datagrams.get(0)).isEmpty();
        assertThat(client.datagrams.get(1)).isEqualTo(max);
    }

    @Test
    void aBurstOfAHundredThousandDatagramsLosesNoneWhenTheReceiverKeepsUp() throws Exception {
        DatagramRecorder receiver = new DatagramRecorder();
        InetSocketAddress to = sockname(endpoint(receiver, ANY_LOCAL, null).transport());
        DatagramTransport sender = endpoint(new DatagramRecorder(), null, to).transport();
        int total = 100_000;
        int window = 100;
        for (int sent = 0; sent < total; sent += window) {
            int start = sent;
            int end = Math.min(total, sent + window);
            sender.loop().callSoon(() -> {
                ByteBuffer b = ByteBuffer.allocate(4);
                for (int i = start; i < end; i++) {
                    b.clear();
                    b.putInt(i).flip();
                    sender.sendto(b);
                }
            });
            // The receiver keeps up: the next window goes once this one arrived (or was lost).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (receiver.datagrams.size() < end && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        }
        BitSet seen = new BitSet(total);
        for (byte[] d : receiver.datagrams) {
            assertThat(d).hasSize(4);
            int seq = ByteBuffer.wrap(d).getInt();
            assertThat(seen.get(seq)).as("datagram %d delivered twice", seq).isFalse();
            seen.set(seq);
        }
        int lost = total - seen.cardinality();
        assertThat(lost).as("datagrams lost on loopback").isZero();
        await(() -> sender.getWriteBufferSize() == 0, "the write buffer to drain");
    }

    @Test
    void aConnectedEndpointHearsPortUnreachableAsAnErrorAndKeepsWorking() throws Exception {
        int closedPort;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            closedPort = s.getLocalPort();
        }
        DatagramRecorder client = new DatagramRecorder();
        DatagramTransport t = endpoint(client, null, new InetSocketAddress("127.0.0.1", closedPort)).transport();
        // Keep sending until the ICMP error shows: a starved loop may need a while to send and to read it.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.errors.isEmpty() && System.nanoTime() < deadline) {
            t.sendto(new byte[] {1});
            Thread.sleep(20);
        }
        assertThat(client.errors).isNotEmpty();
        assertThat(client.errors.get(0)).isInstanceOf(PortUnreachableException.class);
        assertThat(t.isClosing()).isFalse();
        assertThat(client.lost).isNotDone();
        assertThat(handled).isEmpty();
    }

    @Test
    void queuedDatagramsCountPayloadPlusHeaderAndReturnToZero() throws Exception {
        DatagramRecorder receiver = new DatagramRecorder();
        InetSocketAddress to = sockname(endpoint(receiver, ANY_LOCAL, null).transport());
        DatagramRecorder client = new DatagramRecorder();
        DatagramTransport t = endpoint(client, null, to).transport();
        int size = 60_000;
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        t.loop().callSoon(() -> {
            t.setWriteBufferLimits(0, 0);
            // Big datagrams fill the socket's send buffer quickly; the rest queue in the transport.
            for (int i = 0; i < 64; i++) {
                t.sendto(new byte[size]);
                sizes.add(t.getWriteBufferSize());
            }
            done.complete(null);
        });
        done.get(10, TimeUnit.SECONDS);
        assertThat(sizes).allMatch(s -> s % (size + DatagramTransport.HEADER_SIZE) == 0);
        await(() -> t.getWriteBufferSize() == 0, "the queue to drain");
        // Loopback usually takes every datagram at once, so whether anything queued here is up to the
        // kernel; DatagramFlowControlTest holds sends to check the exact pause and resume points.
    }

    @Test
    void reusePortLetsTwoEndpointsShareAPortAndWithoutItTheSecondBindFails() throws Exception {
        DatagramOptions reuse = DatagramOptions.builder().reusePort(true).build();
        DatagramTransport first = loop.createDatagramEndpoint(DatagramRecorder::new, ANY_LOCAL, null, reuse)
                .get(10, TimeUnit.SECONDS).transport();
        InetSocketAddress shared = sockname(first);
        DatagramTransport second = loop.createDatagramEndpoint(DatagramRecorder::new, shared, null, reuse)
                .get(10, TimeUnit.SECONDS).transport();
        assertThat(sockname(second)).isEqualTo(shared);

        assertThatThrownBy(() -> loop.createDatagramEndpoint(DatagramRecorder::new, shared, null,
                DatagramOptions.DEFAULT).get(10, TimeUnit.SECONDS))
                .cause().isInstanceOf(java.net.BindException.class);
        first.close();
        second.close();
    }

    @Test
    void badSendsGetClearErrorsAndNoneKillsTheLoop() throws Exception {
        DatagramRecorder receiver = new DatagramRecorder();
        InetSocketAddress to = sockname(endpoint(receiver, ANY_LOCAL, null).transport());
        DatagramTransport connected = endpoint(new DatagramRecorder(), null, to).transport();
        DatagramTransport unconnected = endpoint(new DatagramRecorder(), ANY_LOCAL, null).transport();
        assertThatThrownBy(() -> connected.sendto(new byte[1], new InetSocketAddress("127.0.0.1", 9)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connected");
        assertThatThrownBy(() -> connected.sendto(new byte[65_508]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65507");
        assertThatThrownBy(() -> unconnected.sendto(new byte[1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> connected.setProtocol(new io.protoloop.testsupport.RecordingProtocol()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a DatagramProtocol");
        connected.sendto(new byte[1], to); // the connected address itself is fine
        connected.close();
        await(() -> connected.getProtocol() == null, "the close");
        for (int i = 0; i < 10; i++) {
            connected.sendto(new byte[1]); // dropped silently, never an exception
        }
        unconnected.sendto(new byte[] {9}, to);
        await(() -> receiver.datagrams.size() == 2, "both datagrams after the bad ones");
    }

    @Test
    void aThrowingDatagramReceivedIsReportedAndTheEndpointKeepsReceiving() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        DatagramRecorder receiver = new DatagramRecorder() {
            @Override
            public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
                if (calls.getAndIncrement() == 0) {
                    throw new IllegalStateException("first");
                }
                super.datagramReceived(data, addr);
            }
        };
        InetSocketAddress to = sockname(endpoint(receiver, ANY_LOCAL, null).transport());
        DatagramTransport sender = endpoint(new DatagramRecorder(), null, to).transport();
        sender.sendto(new byte[] {1});
        await(() -> !handled.isEmpty(), "the exception handler");
        sender.sendto(new byte[] {2});
        await(() -> receiver.datagrams.size() == 1, "the second datagram");
        assertThat(receiver.lost).isNotDone();
        assertThat(handled.get(0).get("message").toString()).contains("datagramReceived");
    }

    @Test
    void ipv6EndpointsEcho() throws Exception {
        InetAddress loopback6;
        try {
            loopback6 = InetAddress.getByName("::1");
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback6, 0))) {
                assumeTrue(probe.getLocalAddress() instanceof Inet6Address);
            }
        } catch (IOException e) {
            assumeTrue(false, "no IPv6 loopback here: " + e);
            return;
        }
        EchoServer server = new EchoServer();
        InetSocketAddress serverAddress = sockname(endpoint(server, new InetSocketAddress(loopback6, 0), null)
                .transport());
        DatagramRecorder client = new DatagramRecorder();
        DatagramTransport t = endpoint(client, null, serverAddress).transport();
        t.sendto(new byte[65_527]);
        await(() -> client.datagrams.size() == 1, "the IPv6 echo");
        assertThat(client.datagrams.get(0)).hasSize(65_527);
    }

    @Test
    void addressFamiliesAreValidated() {
        assertThatThrownBy(() -> loop.createDatagramEndpoint(DatagramRecorder::new, null, null, DatagramOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("family");
        assertThatThrownBy(() -> loop.createDatagramEndpoint(DatagramRecorder::new, ANY_LOCAL,
                new InetSocketAddress("::1", 9), DatagramOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("families");
        assertThatThrownBy(() -> DatagramOptions.builder().family(StandardProtocolFamily.UNIX).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anEndpointCreatedFromAFamilyAloneBindsTheWildcardAddress() throws Exception {
        DatagramRecorder p = new DatagramRecorder();
        Connection<DatagramTransport, DatagramRecorder> c = loop.createDatagramEndpoint(() -> p, null, null,
                DatagramOptions.builder().family(StandardProtocolFamily.INET).allowBroadcast(true).build())
                .get(10, TimeUnit.SECONDS);
        InetSocketAddress local = sockname(c.transport());
        assertThat(local.getAddress().isAnyLocalAddress()).isTrue();
        assertThat(local.getPort()).isPositive();
        SocketView socket = c.transport().getExtraInfo("socket");
        assertThat(socket.getOption(java.net.StandardSocketOptions.SO_BROADCAST)).isTrue();
        c.transport().abort();
        assertThat(p.lost.get(10, TimeUnit.SECONDS)).isNull();
    }
}
