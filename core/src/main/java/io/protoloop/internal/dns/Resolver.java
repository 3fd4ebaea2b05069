package io.protoloop.internal.dns;

import io.protoloop.dns.AddrInfo;
import io.protoloop.dns.AddrInfoFlag;
import io.protoloop.dns.AddrInfoOptions;
import io.protoloop.dns.AddressFamily;
import io.protoloop.dns.NameInfo;
import io.protoloop.dns.NameInfoFlag;
import io.protoloop.dns.SocketType;
import io.protoloop.internal.loop.AbstractLoop;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.UnknownServiceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * asyncio's {@code loop.getaddrinfo()} and {@code loop.getnameinfo()}.
 *
 * <p>Lookups run on the loop's default executor, as asyncio runs {@code socket.getaddrinfo} in its
 * executor: the JDK resolver ({@link InetAddress#getAllByName}, {@link InetAddress#getHostName})
 * goes through the C library, so {@code /etc/hosts}, {@code nsswitch.conf} and the system DNS
 * settings apply exactly as they do for Python; Netty's DNS resolver would bypass nsswitch. IP
 * literals (and {@code AI_NUMERICHOST}/{@code NI_NUMERICHOST} requests) never leave the calling
 * thread, like asyncio's {@code _ipaddr_info} shortcut. Either way the future completes on the loop
 * thread.
 *
 * <p>Differences from glibc, all from the JDK resolver: addresses come in the JDK's order (IPv4
 * first unless {@code java.net.preferIPv6Addresses=true}) rather than RFC 6724's; results are
 * cached for {@code networkaddress.cache.ttl} (30 s by default); the canonical name is the JDK's
 * ({@link InetAddress#getCanonicalHostName}, a reverse lookup) rather than the CNAME target; a
 * reverse lookup whose name does not resolve back to the address counts as "no name".
 */
public final class Resolver {

    private Resolver() {
    }

    // ---- getaddrinfo ----------------------------------------------------------------------------

    /** {@code getaddrinfo(host, port)} with a numeric port. */
    public static CompletableFuture<List<AddrInfo>> getaddrinfo(AbstractLoop loop, String host, int port,
                                                                AddrInfoOptions options) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        return getaddrinfo(loop, host, Integer.toString(port), options);
    }

    /**
     * {@code getaddrinfo(host, port)} with a port number or service name ({@code null}: port 0).
     *
     * @throws IllegalArgumentException (at once) for a number out of range, a service name with
     *                                  {@code NUMERICSERV}, or {@code CANONNAME} without a host
     */
    public static CompletableFuture<List<AddrInfo>> getaddrinfo(AbstractLoop loop, String host, String port,
                                                                AddrInfoOptions options) {
        Objects.requireNonNull(options, "options");
        Integer number = port == null ? Integer.valueOf(0) : parsePort(port);
        if (number == null && options.has(AddrInfoFlag.NUMERICSERV)) {
            throw new IllegalArgumentException("port '" + port + "' is not a number (AI_NUMERICSERV)");
        }
        if (host == null && options.has(AddrInfoFlag.CANONNAME)) {
            throw new IllegalArgumentException("AI_CANONNAME needs a host (glibc's EAI_BADFLAGS)");
        }
        List<SocketType> types = types(options);
        InetAddress literal = AddressText.parseLiteral(host);
        if (host != null && literal == null && options.has(AddrInfoFlag.NUMERICHOST)) {
            return failedOnLoop(loop, new UnknownHostException(
                    host + ": Name or service not known (AI_NUMERICHOST needs an IP literal)"));
        }
        boolean lookup = host != null && literal == null;
        if (!lookup && number != null) {
            // Everything is numeric: no lookup, no file read (asyncio's _ipaddr_info shortcut).
            List<InetAddress> addresses = host == null ? wildcardOrLoopback(options) : List.of(literal);
            return onLoop(loop, () -> build(host, addresses, types, portsFor(types, number), options, host));
        }
        requireOpen(loop);
        return onLoop(loop, loop.runInExecutor(null, () -> {
            Map<SocketType, Integer> ports = number != null ? portsFor(types, number) : servicePorts(types, port);
            List<InetAddress> addresses;
            if (host == null) {
                addresses = wildcardOrLoopback(options);
            } else if (literal != null) {
                addresses = List.of(literal);
            } else {
                addresses = lookup(host);
            }
            String canonical = null;
            if (options.has(AddrInfoFlag.CANONNAME) && !addresses.isEmpty()) {
                canonical = literal != null ? host : canonicalName(host, addresses);
            }
            return build(host, addresses, types, ports, options, canonical);
        }));
    }

    /** The first stream or datagram address of {@code host}, asyncio's {@code _ensure_resolved}. */
    public static CompletableFuture<InetSocketAddress> resolveFirst(AbstractLoop loop, String host, int port,
                                                                    SocketType type) {
        AddrInfoOptions options = AddrInfoOptions.builder().type(type).build();
        return getaddrinfo(loop, host, port, options).thenApply(infos -> infos.get(0).sockaddr());
    }

    private static Integer parsePort(String port) {
        if (port.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        int value = port.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(port);
        if (value > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        return value;
    }

    /** Which socket types to list: the one asked for, the one {@code proto} implies, or all three (glibc). */
    private static List<SocketType> types(AddrInfoOptions options) {
        if (options.type() != null) {
            return List.of(options.type());
        }
        switch (options.proto()) {
            case 0:
                return List.of(SocketType.STREAM, SocketType.DATAGRAM, SocketType.RAW);
            case 6:
                return List.of(SocketType.STREAM);
            case 17:
                return List.of(SocketType.DATAGRAM);
            default:
                return List.of(SocketType.RAW);
        }
    }

    private static Map<SocketType, Integer> portsFor(List<SocketType> types, int port) {
        Map<SocketType, Integer> ports = new LinkedHashMap<>();
        for (SocketType type : types) {
            ports.put(type, port);
        }
        return ports;
    }

    /** A service name per type: glibc lists only the types the service exists for, and never raw. */
    private static Map<SocketType, Integer> servicePorts(List<SocketType> types, String service)
            throws UnknownServiceException {
        Services services = Services.get();
        Map<SocketType, Integer> ports = new LinkedHashMap<>();
        for (SocketType type : types) {
            Integer port = type == SocketType.STREAM ? services.port(service, "tcp")
                    : type == SocketType.DATAGRAM ? services.port(service, "udp") : null;
            if (port != null) {
                ports.put(type, port);
            }
        }
        if (ports.isEmpty()) {
            throw new UnknownServiceException("Servname not supported for ai_socktype: no service '" + service
                    + "' for " + types + " in /etc/services");
        }
        return ports;
    }

    /** A null host: the wildcard addresses with AI_PASSIVE, the loopback ones without (glibc). */
    private static List<InetAddress> wildcardOrLoopback(AddrInfoOptions options) {
        boolean passive = options.has(AddrInfoFlag.PASSIVE);
        try {
            InetAddress v4 = InetAddress.getByAddress(passive ? new byte[4] : new byte[]{127, 0, 0, 1});
            byte[] six = new byte[16];
            if (!passive) {
                six[15] = 1;
            }
            InetAddress v6 = InetAddress.getByAddress(six);
            return Boolean.getBoolean("java.net.preferIPv6Addresses") ? List.of(v6, v4) : List.of(v4, v6);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static List<InetAddress> lookup(String host) throws UnknownHostException {
        if (host.isEmpty()) {
            // glibc: EAI_NONAME; the JDK would quietly return the loopback address.
            throw new UnknownHostException("'': Name or service not known (an empty host name)");
        }
        try {
            return Arrays.asList(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            UnknownHostException named = new UnknownHostException("cannot resolve host '" + host + "': "
                    + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    private static String canonicalName(String host, List<InetAddress> addresses) {
        InetAddress first = addresses.get(0);
        String name = first.getCanonicalHostName();
        // No reverse name: the JDK returns the literal. glibc would return the name as resolved.
        return name.equals(first.getHostAddress()) ? host : name;
    }

    private static List<AddrInfo> build(String host, List<InetAddress> addresses, List<SocketType> types,
                                        Map<SocketType, Integer> ports, AddrInfoOptions options, String canonical)
            throws UnknownHostException {
        List<AddrInfo> result = new ArrayList<>();
        for (InetAddress address : addresses) {
            AddressFamily family = address instanceof Inet4Address ? AddressFamily.INET : AddressFamily.INET6;
            if (options.family() != AddressFamily.UNSPEC && options.family() != family) {
                continue;
            }
            for (SocketType type : types) {
                Integer port = ports.get(type);
                if (port == null) {
                    continue;
                }
                int proto = type == SocketType.RAW ? options.proto() : type.proto();
                String canonname = result.isEmpty() && canonical != null
                        && options.has(AddrInfoFlag.CANONNAME) ? canonical : "";
                result.add(new AddrInfo(family, type, proto, canonname, new InetSocketAddress(address, port)));
            }
        }
        if (result.isEmpty()) {
            // glibc's EAI_ADDRFAMILY / EAI_NODATA: the name exists, not in the family asked for.
            throw new UnknownHostException("'" + (host == null ? "" : host) + "' has no "
                    + (options.family() == AddressFamily.INET ? "IPv4" : "IPv6") + " address");
        }
        return List.copyOf(result);
    }

    // ---- getnameinfo ----------------------------------------------------------------------------

    /**
     * {@code getnameinfo(sockaddr, flags)}.
     *
     * @throws IllegalArgumentException (at once) when {@code sockaddr} is unresolved and not an IP
     *                                  literal (Python's getnameinfo takes numeric addresses only)
     */
    public static CompletableFuture<NameInfo> getnameinfo(AbstractLoop loop, InetSocketAddress sockaddr,
                                                          Set<NameInfoFlag> flags) {
        Objects.requireNonNull(sockaddr, "sockaddr");
        Objects.requireNonNull(flags, "flags");
        InetAddress address = sockaddr.isUnresolved() ? AddressText.parseLiteral(sockaddr.getHostString())
                : withoutName(sockaddr.getAddress());
        if (address == null) {
            throw new IllegalArgumentException("getnameinfo needs a numeric address, got the unresolved host '"
                    + sockaddr.getHostString() + "' (resolve it with getaddrinfo first)");
        }
        int port = sockaddr.getPort();
        boolean numericHost = flags.contains(NameInfoFlag.NUMERICHOST);
        boolean numericService = flags.contains(NameInfoFlag.NUMERICSERV);
        if (numericHost && numericService) {
            return onLoop(loop, () -> new NameInfo(AddressText.numeric(address), Integer.toString(port)));
        }
        requireOpen(loop);
        return onLoop(loop, loop.runInExecutor(null, () -> {
            String host = numericHost ? AddressText.numeric(address) : hostName(address, flags);
            String service = null;
            if (!numericService) {
                service = Services.get().name(port, flags.contains(NameInfoFlag.DGRAM) ? "udp" : "tcp");
            }
            return new NameInfo(host, service != null ? service : Integer.toString(port));
        }));
    }

    /** A copy of {@code address} without a cached host name, so the lookup really is a reverse one. */
    private static InetAddress withoutName(InetAddress address) {
        try {
            if (address instanceof Inet6Address) {
                Inet6Address v6 = (Inet6Address) address;
                return v6.getScopedInterface() != null
                        ? Inet6Address.getByAddress(null, v6.getAddress(), v6.getScopedInterface())
                        : Inet6Address.getByAddress(null, v6.getAddress(), v6.getScopeId());
            }
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static String hostName(InetAddress address, Set<NameInfoFlag> flags) throws UnknownHostException {
        String name = address.getHostName();
        if (name.equals(address.getHostAddress())) {
            // No name for it: the numeric form, unless a name is required.
            if (flags.contains(NameInfoFlag.NAMEREQD)) {
                throw new UnknownHostException(AddressText.numeric(address)
                        + ": Name or service not known (no name for this address, NI_NAMEREQD)");
            }
            return AddressText.numeric(address);
        }
        if (flags.contains(NameInfoFlag.NOFQDN)) {
            int dot = name.indexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }
        return name;
    }

    // ---- completing on the loop -----------------------------------------------------------------

    private static void requireOpen(AbstractLoop loop) {
        if (loop.isClosed()) {
            throw new IllegalStateException("the event loop is closed");
        }
    }

    private static <T> CompletableFuture<T> onLoop(AbstractLoop loop, Callable<T> work) {
        requireOpen(loop);
        CompletableFuture<T> result = loop.createFuture();
        try {
            complete(loop, result, work.call(), null);
        } catch (Throwable t) {
            complete(loop, result, null, t);
        }
        return result;
    }

    private static <T> CompletableFuture<T> failedOnLoop(AbstractLoop loop, Throwable failure) {
        return onLoop(loop, () -> {
            throw failure instanceof Exception ? (Exception) failure : new CompletionException(failure);
        });
    }

    /** Hands the executor's outcome to the loop, so dependent stages run on the loop thread. */
    private static <T> CompletableFuture<T> onLoop(AbstractLoop loop, CompletableFuture<T> work) {
        CompletableFuture<T> result = loop.createFuture();
        work.whenComplete((value, failure) -> complete(loop, result, value,
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure));
        result.whenComplete((v, t) -> {
            if (result.isCancelled()) {
                work.cancel(false);
            }
        });
        return result;
    }

    private static <T> void complete(AbstractLoop loop, CompletableFuture<T> result, T value, Throwable failure) {
        Runnable completion = () -> {
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(value);
            }
        };
        try {
            loop.scheduler().netty().execute(completion);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the event loop was closed", e));
        }
    }
}
