package io.protoloop.dns;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One result of {@link io.protoloop.EventLoop#getaddrinfo}, Python's
 * {@code (family, type, proto, canonname, sockaddr)} tuple.
 *
 * @param family    {@link AddressFamily#INET} or {@link AddressFamily#INET6}
 * @param type      the socket type
 * @param proto     the protocol number (6 TCP, 17 UDP, 0 raw)
 * @param canonname the canonical host name on the first result when {@link AddrInfoFlag#CANONNAME}
 *                  was given, otherwise {@code ""} (never null, as in Python)
 * @param sockaddr  the resolved address and port
 */
public record AddrInfo(AddressFamily family, SocketType type, int proto, String canonname,
                       InetSocketAddress sockaddr) {

    /** Checks that nothing is null. */
    public AddrInfo {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(canonname, "canonname");
        Objects.requireNonNull(sockaddr, "sockaddr");
    }
}
