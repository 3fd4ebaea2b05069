package io.protoloop.demo;

import io.protoloop.DatagramOptions;
import io.protoloop.EventLoop;
import io.protoloop.protocol.DatagramProtocol;
import io.protoloop.protocol.Protocol;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.Transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The seed's TCP and UDP echo clients, in plain Java on a protoloop loop (no Spring):
 * {@code java -jar protoloop-demo-app.jar client tcp|udp [message] [host] [port]}.
 */
final class DemoClients {

    private DemoClients() {
    }

    static int run(String[] args) throws Exception {
        if (args.length < 2 || !(args[1].equals("tcp") || args[1].equals("udp"))) {
            System.err.println("usage: client tcp|udp [message] [host] [port]");
            return 2;
        }
        boolean tcp = args[1].equals("tcp");
        String message = args.length > 2 ? args[2] : "Hello World!";
        String host = args.length > 3 ? args[3] : "127.0.0.1";
        int port = args.length > 4 ? Integer.parseInt(args[4]) : (tcp ? 8888 : 9999);
        try (EventLoop loop = EventLoop.create()) {
            CompletableFuture<String> reply = tcp ? tcpEcho(loop, message, host, port) : udpEcho(loop, message, host, port);
            System.out.println("Received: " + reply.get(10, TimeUnit.SECONDS));
            return 0;
        }
    }

    /** asyncio's "TCP Echo Client": send, print what comes back, close. */
    private static CompletableFuture<String> tcpEcho(EventLoop loop, String message, String host, int port) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        StringBuilder received = new StringBuilder();
        loop.createConnection(() -> new Protocol() {
            @Override
            public void connectionMade(Transport transport) {
                transport.write(message.getBytes(StandardCharsets.UTF_8));
                System.out.println("Data sent: " + message);
                // Half-close: the echo server flushes and closes once it saw everything.
                transport.writeEof();
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                received.append(StandardCharsets.UTF_8.decode(data));
            }

            @Override
            public void connectionLost(Throwable exc) {
                if (exc != null) {
                    reply.completeExceptionally(exc);
                } else {
                    reply.complete(received.toString());
                }
            }
        }, host, port).exceptionally(e -> {
            reply.completeExceptionally(e);
            return null;
        });
        return reply;
    }

    /** asyncio's "UDP Echo Client": one datagram out, the first one back. */
    private static CompletableFuture<String> udpEcho(EventLoop loop, String message, String host, int port) {
        CompletableFuture<String> reply = new CompletableFuture<>();
        loop.createDatagramEndpoint(() -> new DatagramProtocol() {
            private DatagramTransport transport;

            @Override
            public void connectionMade(DatagramTransport transport) {
                this.transport = transport;
                transport.sendto(message.getBytes(StandardCharsets.UTF_8));
                System.out.println("Data sent: " + message);
            }

            @Override
            public void datagramReceived(ByteBuffer data, InetSocketAddress addr) {
                reply.complete(StandardCharsets.UTF_8.decode(data).toString());
                transport.close();
            }

            @Override
            public void errorReceived(java.io.IOException exc) {
                reply.completeExceptionally(exc);
            }
        }, null, new InetSocketAddress(host, port), DatagramOptions.DEFAULT).exceptionally(e -> {
            reply.completeExceptionally(e);
            return null;
        });
        return reply;
    }
}
