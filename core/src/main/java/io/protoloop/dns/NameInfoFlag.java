package io.protoloop.dns;

/** A flag of {@link io.protoloop.EventLoop#getnameinfo}, Python's {@code socket.NI_*}. */
public enum NameInfoFlag {

    /** {@code NI_NUMERICHOST}: the host as an IP literal, no reverse lookup. */
    NUMERICHOST,

    /** {@code NI_NUMERICSERV}: the port as a number, not a service name. */
    NUMERICSERV,

    /** {@code NI_NAMEREQD}: fail (an {@link java.net.UnknownHostException}) when the address has no name. */
    NAMEREQD,

    /** {@code NI_NOFQDN}: only the first label of the host name ({@code db} for {@code db.example.com}). */
    NOFQDN,

    /** {@code NI_DGRAM}: look the service name up for UDP instead of TCP. */
    DGRAM
}
