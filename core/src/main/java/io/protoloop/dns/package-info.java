/**
 * Name resolution types for {@link io.protoloop.EventLoop#getaddrinfo} and
 * {@link io.protoloop.EventLoop#getnameinfo}, asyncio's {@code loop.getaddrinfo()} and
 * {@code loop.getnameinfo()} (Python's {@code socket.getaddrinfo}/{@code getnameinfo} arguments and
 * results, with the {@code AF_*}, {@code SOCK_*}, {@code AI_*} and {@code NI_*} constants as enums).
 *
 * <p>How names are resolved: by the JDK resolver ({@link java.net.InetAddress#getAllByName},
 * {@link java.net.InetAddress#getHostName}) on the loop's default executor, as asyncio runs
 * {@code socket.getaddrinfo} in its executor. The JDK resolver goes through the C library, so
 * {@code /etc/hosts}, {@code nsswitch.conf} and the system DNS settings apply exactly as they do for
 * Python (Netty's DNS resolver would bypass nsswitch). IP literals, and requests with
 * {@link io.protoloop.dns.AddrInfoFlag#NUMERICHOST} or {@link io.protoloop.dns.NameInfoFlag#NUMERICHOST}
 * plus a numeric port, are answered without a lookup, like asyncio's {@code _ipaddr_info} shortcut.
 * Service names come from {@code /etc/services}. Either way the future completes on the loop thread.
 *
 * <p>What differs from glibc, all from the JDK resolver:
 * <ul>
 * <li>Addresses come in the JDK's order (IPv4 first unless {@code java.net.preferIPv6Addresses=true}),
 * not RFC 6724's; a {@code null} host gives {@code 127.0.0.1, ::1} (with {@code PASSIVE}:
 * {@code 0.0.0.0, ::}) in that order too.</li>
 * <li>Results are cached for {@code networkaddress.cache.ttl} (30 s by default; failures 10 s).</li>
 * <li>{@link io.protoloop.dns.AddrInfoFlag#CANONNAME} gives the JDK's canonical name (a reverse lookup
 * of the first address), not the CNAME target; for an IP literal it is the literal, as in glibc.</li>
 * <li>A reverse lookup whose name does not resolve back to the address counts as "no name".</li>
 * <li>{@link io.protoloop.dns.NameInfoFlag#NOFQDN} keeps the first label of any name (glibc only
 * shortens names in the local domain).</li>
 * </ul>
 */
package io.protoloop.dns;
