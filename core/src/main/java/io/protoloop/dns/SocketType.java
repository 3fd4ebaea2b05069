package io.protoloop.dns;

/**
 * A socket type, Python's {@code socket.SOCK_STREAM}, {@code SOCK_DGRAM} and {@code SOCK_RAW}, with
 * the protocol number glibc reports for it in {@code getaddrinfo} results.
 */
public enum SocketType {

    /** {@code SOCK_STREAM}: TCP, protocol 6 ({@code IPPROTO_TCP}). */
    STREAM(6),

    /** {@code SOCK_DGRAM}: UDP, protocol 17 ({@code IPPROTO_UDP}). */
    DATAGRAM(17),

    /**
     * {@code SOCK_RAW}, protocol 0. Listed because Python's {@code getaddrinfo} lists it when no type
     * is asked for; the JDK cannot open raw sockets.
     */
    RAW(0);

    private final int proto;

    SocketType(int proto) {
        this.proto = proto;
    }

    /** The protocol number results of this type carry ({@code IPPROTO_TCP}, {@code IPPROTO_UDP}, 0). */
    public int proto() {
        return proto;
    }
}
