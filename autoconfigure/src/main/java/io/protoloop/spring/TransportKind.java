package io.protoloop.spring;

/**
 * What a {@link ProtocolEndpoint} serves, and so which protocol type it needs.
 */
public enum TransportKind {

    /**
     * A TCP server, asyncio's {@code loop.create_server()}: one
     * {@link io.protoloop.protocol.Protocol} or {@link io.protoloop.protocol.BufferedProtocol} per
     * accepted connection.
     */
    TCP,

    /**
     * A UDP endpoint, asyncio's {@code loop.create_datagram_endpoint()}: one transport and one
     * {@link io.protoloop.protocol.DatagramProtocol} for the whole endpoint.
     */
    UDP,

    /**
     * A Unix domain socket server, asyncio's {@code loop.create_unix_server()}: one
     * {@link io.protoloop.protocol.Protocol} or {@link io.protoloop.protocol.BufferedProtocol} per
     * accepted connection.
     */
    UNIX,

    /**
     * A supervised child process, asyncio's {@code loop.subprocess_exec()} /
     * {@code subprocess_shell()}: one {@link io.protoloop.protocol.SubprocessProtocol} per (re)start.
     */
    SUBPROCESS

}
