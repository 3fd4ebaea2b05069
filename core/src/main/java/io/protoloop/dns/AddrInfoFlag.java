package io.protoloop.dns;

/**
 * A flag of {@link io.protoloop.EventLoop#getaddrinfo}, Python's {@code socket.AI_*}.
 *
 * <p>Not offered: {@code AI_V4MAPPED} and {@code AI_ALL} (the JDK turns an IPv4-mapped IPv6 address
 * back into an {@link java.net.Inet4Address}, so the result could not say what was asked), and
 * {@code AI_ADDRCONFIG} (the JDK resolver already leaves out IPv6 when the JVM runs IPv4-only).
 */
public enum AddrInfoFlag {

    /**
     * {@code AI_PASSIVE}: with a {@code null} host, the wildcard addresses ({@code 0.0.0.0},
     * {@code ::}) for binding, instead of the loopback addresses.
     */
    PASSIVE,

    /**
     * {@code AI_CANONNAME}: the first result carries the host's canonical name (the others an empty
     * string, as in Python).
     */
    CANONNAME,

    /** {@code AI_NUMERICHOST}: the host must be an IP literal; no lookup is made. */
    NUMERICHOST,

    /** {@code AI_NUMERICSERV}: the port must be a number, not a service name. */
    NUMERICSERV
}
