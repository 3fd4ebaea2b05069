package io.protoloop.dns;

/**
 * What {@link io.protoloop.EventLoop#getnameinfo} returns, Python's {@code (host, port)} tuple of
 * strings.
 *
 * @param host    the host name, or the numeric address when it has none (or with
 *                {@link NameInfoFlag#NUMERICHOST})
 * @param service the service name ({@code "http"}), or the port number as a string when it has none
 *                (or with {@link NameInfoFlag#NUMERICSERV})
 */
public record NameInfo(String host, String service) {
}
