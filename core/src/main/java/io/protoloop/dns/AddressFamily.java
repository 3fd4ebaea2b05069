package io.protoloop.dns;

/**
 * An address family, Python's {@code socket.AF_UNSPEC}, {@code AF_INET} and {@code AF_INET6}.
 * Results ({@link AddrInfo#family()}) are always {@link #INET} or {@link #INET6}.
 */
public enum AddressFamily {

    /** {@code AF_UNSPEC}: any family (as a filter). */
    UNSPEC,

    /** {@code AF_INET}: IPv4. */
    INET,

    /** {@code AF_INET6}: IPv6. */
    INET6
}
