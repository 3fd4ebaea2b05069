package io.protoloop;

import io.protoloop.dns.AddrInfo;
import io.protoloop.dns.AddrInfoFlag;
import io.protoloop.dns.AddrInfoOptions;
import io.protoloop.dns.AddressFamily;
import io.protoloop.dns.NameInfo;
import io.protoloop.dns.NameInfoFlag;
import io.protoloop.dns.SocketType;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.net.UnknownServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** asyncio's {@code loop.getaddrinfo()} and {@code loop.getnameinfo()}. */
class LowLevelDnsTest extends LowLevelTestBase {

    private static final InetAddress V4_LOOPBACK = InetAddress.getLoopbackAddress();

    private static AddrInfoOptions.Builder options() {
        return AddrInfoOptions.builder();
    }

    @Test
    void localhostIsListedOncePerSocketTypeAsGlibcDoes() throws Exception {
        // The lookup can finish before this thread could attach a recorder: start it on the loop.
        Started<List<AddrInfo>> started = startOnLoop(() -> loop.getaddrinfo("localhost", 80));
        CompletableFuture<List<AddrInfo>> infos = started.future();
        assertThat(completedOn(started.thread())).isSameAs(loopThread);

        List<AddrInfo> v4 = get(infos).stream().filter(i -> i.family() == AddressFamily.INET)
                .collect(Collectors.toList());
        assertThat(v4).extracting(AddrInfo::type, AddrInfo::proto)
                .startsWith(org.assertj.core.groups.Tuple.tuple(SocketType.STREAM, 6),
                        org.assertj.core.groups.Tuple.tuple(SocketType.DATAGRAM, 17),
                        org.assertj.core.groups.Tuple.tuple(SocketType.RAW, 0));
        assertThat(v4.get(0).sockaddr()).isEqualTo(new InetSocketAddress("127.0.0.1", 80));
        assertThat(v4).allSatisfy(i -> assertThat(i.canonname()).isEmpty());
    }

    @Test
    void typeProtoAndFamilyFilterTheResults() throws Exception {
        List<AddrInfo> stream = get(loop.getaddrinfo("127.0.0.1", 8080, options().type(SocketType.STREAM).build()));
        assertThat(stream).containsExactly(new AddrInfo(AddressFamily.INET, SocketType.STREAM, 6, "",
                new InetSocketAddress("127.0.0.1", 8080)));

        List<AddrInfo> udp = get(loop.getaddrinfo("::1", 53, options().proto(17).build()));
        assertThat(udp).singleElement().satisfies(i -> {
            assertThat(i.family()).isEqualTo(AddressFamily.INET6);
            assertThat(i.type()).isEqualTo(SocketType.DATAGRAM);
            assertThat(i.sockaddr().getAddress()).isEqualTo(InetAddress.getByName("::1"));
        });

        assertThat(get(loop.getaddrinfo("localhost", 0, options().family(AddressFamily.INET).build())))
                .isNotEmpty().allSatisfy(i -> assertThat(i.family()).isEqualTo(AddressFamily.INET));

        // A host without an address of that family: Python's gaierror, here UnknownHostException.
        assertThatThrownBy(() -> get(loop.getaddrinfo("127.0.0.1", 80, options().family(AddressFamily.INET6).build())))
                .cause().isInstanceOf(UnknownHostException.class).hasMessageContaining("127.0.0.1");
    }

    @Test
    void aNullHostIsLoopbackOrWithPassiveTheWildcard() throws Exception {
        AddrInfoOptions stream = options().type(SocketType.STREAM).build();
        assertThat(get(loop.getaddrinfo(null, 9000, stream))).extracting(i -> i.sockaddr().getAddress())
                .containsExactlyInAnyOrder(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"));
        AddrInfoOptions passive = options().type(SocketType.STREAM).flags(AddrInfoFlag.PASSIVE).build();
        assertThat(get(loop.getaddrinfo(null, 9000, passive))).extracting(i -> i.sockaddr().getAddress())
                .allMatch(InetAddress::isAnyLocalAddress).hasSize(2);
        assertThat(get(loop.getaddrinfo((String) null, (String) null, stream)))
                .allSatisfy(i -> assertThat(i.sockaddr().getPort()).isZero());
    }

    @Test
    void numericHostRefusesNamesWithoutALookup() throws Exception {
        AddrInfoOptions numeric = options().flags(AddrInfoFlag.NUMERICHOST).type(SocketType.STREAM).build();
        assertThat(get(loop.getaddrinfo("10.1.2.3", 1, numeric))).singleElement()
                .satisfies(i -> assertThat(i.sockaddr()).isEqualTo(new InetSocketAddress("10.1.2.3", 1)));
        assertThat(get(loop.getaddrinfo("fe80::1%1", 1, numeric))).singleElement()
                .satisfies(i -> assertThat(i.family()).isEqualTo(AddressFamily.INET6));
        assertThatThrownBy(() -> get(loop.getaddrinfo("localhost", 1, numeric)))
                .cause().isInstanceOf(UnknownHostException.class).hasMessageContaining("localhost");
        assertThatThrownBy(() -> get(loop.getaddrinfo("1.2.3.256", 1, numeric)))
                .cause().isInstanceOf(UnknownHostException.class);
    }

    @Test
    void canonnameGoesOnTheFirstResultOnly() throws Exception {
        AddrInfoOptions canon = options().flags(AddrInfoFlag.CANONNAME).build();
        List<AddrInfo> literal = get(loop.getaddrinfo("127.0.0.1", 1, canon));
        assertThat(literal.get(0).canonname()).isEqualTo("127.0.0.1");
        assertThat(literal.subList(1, literal.size())).allSatisfy(i -> assertThat(i.canonname()).isEmpty());
        assertThat(get(loop.getaddrinfo("localhost", 1, canon)).get(0).canonname()).isNotEmpty();
        assertThatThrownBy(() -> loop.getaddrinfo(null, 1, canon)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void servicesNamesResolveThroughEtcServices() throws Exception {
        assumeThat(Files.isReadable(Path.of("/etc/services"))).isTrue();
        assumeThat(Files.readString(Path.of("/etc/services"))).containsPattern("(?m)^http\\s+80/tcp");
        List<AddrInfo> http = get(loop.getaddrinfo("127.0.0.1", "http", AddrInfoOptions.DEFAULT));
        // No raw entry for a named service (glibc); a UDP one only if /etc/services lists http/udp.
        assertThat(http).extracting(i -> i.sockaddr().getPort()).containsOnly(80);
        assertThat(http).extracting(AddrInfo::type).contains(SocketType.STREAM).doesNotContain(SocketType.RAW);
        assertThat(get(loop.getaddrinfo("127.0.0.1", "8080", AddrInfoOptions.DEFAULT))).hasSize(3);

        assertThatThrownBy(() -> get(loop.getaddrinfo("127.0.0.1", "no-such-service", AddrInfoOptions.DEFAULT)))
                .cause().isInstanceOf(UnknownServiceException.class).hasMessageContaining("no-such-service");
        assertThatThrownBy(() -> loop.getaddrinfo("127.0.0.1", "http",
                options().flags(AddrInfoFlag.NUMERICSERV).build())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUnknownHostFailsWithUnknownHostExceptionNamingIt() throws Exception {
        CompletableFuture<List<AddrInfo>> infos = loop.getaddrinfo("no-such-host.invalid", 80);
        assertThatThrownBy(() -> get(infos)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UnknownHostException.class).hasMessageContaining("no-such-host.invalid");
        assertThatThrownBy(() -> get(loop.getaddrinfo("", 80))).cause().isInstanceOf(UnknownHostException.class);
    }

    @Test
    void badArgumentsAreRejectedAtOnce() {
        assertThatThrownBy(() -> loop.getaddrinfo("localhost", 70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.getaddrinfo("localhost", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loop.getaddrinfo("localhost", "65536", AddrInfoOptions.DEFAULT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> options().type(SocketType.STREAM).proto(17).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("17");
        assertThatThrownBy(() -> loop.getnameinfo(InetSocketAddress.createUnresolved("localhost", 80)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numeric");
        loop.close();
        assertThatThrownBy(() -> loop.getaddrinfo("localhost", 80)).isInstanceOf(IllegalStateException.class);
    }

    // ---- getnameinfo ----------------------------------------------------------------------------

    @Test
    void getnameinfoLooksUpHostAndService() throws Exception {
        // The lookup can finish before this thread could attach a recorder: start it on the loop.
        Started<NameInfo> started = startOnLoop(() -> loop.getnameinfo(new InetSocketAddress(V4_LOOPBACK, 80)));
        CompletableFuture<NameInfo> info = started.future();
        assertThat(completedOn(started.thread())).isSameAs(loopThread);
        NameInfo name = get(info);
        // 127.0.0.1 is "localhost" in any /etc/hosts worth the name; the service comes from /etc/services.
        assertThat(name.host()).isEqualTo(V4_LOOPBACK.getCanonicalHostName());
        if (Files.isReadable(Path.of("/etc/services"))) {
            assertThat(name.service()).isEqualTo("http");
        }
        assertThat(get(loop.getnameinfo(new InetSocketAddress(V4_LOOPBACK, 80), Set.of(NameInfoFlag.NOFQDN))).host())
                .doesNotContain(".");
        // A port without a service name stays a number.
        assertThat(get(loop.getnameinfo(new InetSocketAddress(V4_LOOPBACK, 1))).service()).matches("\\d+|tcpmux");
    }

    @Test
    void numericFlagsNeedNoLookupAndWriteIpv6AsPythonDoes() throws Exception {
        Set<NameInfoFlag> numeric = Set.of(NameInfoFlag.NUMERICHOST, NameInfoFlag.NUMERICSERV);
        assertThat(get(loop.getnameinfo(new InetSocketAddress("127.0.0.1", 80), numeric)))
                .isEqualTo(new NameInfo("127.0.0.1", "80"));
        assertThat(get(loop.getnameinfo(new InetSocketAddress("::1", 443), numeric)))
                .isEqualTo(new NameInfo("::1", "443"));
        assertThat(get(loop.getnameinfo(new InetSocketAddress("2001:db8:0:0:1:0:0:1", 1), numeric)).host())
                .isEqualTo("2001:db8::1:0:0:1");
        assertThat(get(loop.getnameinfo(InetSocketAddress.createUnresolved("10.0.0.1", 5), numeric)).host())
                .isEqualTo("10.0.0.1");
        if (Files.isReadable(Path.of("/etc/services"))) {
            assertThat(get(loop.getnameinfo(new InetSocketAddress("127.0.0.1", 53),
                    Set.of(NameInfoFlag.NUMERICHOST, NameInfoFlag.DGRAM))).service()).isIn("domain", "53");
        }
    }

    @Test
    void nameRequiredFailsForAnAddressWithoutAName() throws Exception {
        // 192.0.2.0/24 is TEST-NET-1: documentation only, never in DNS.
        InetSocketAddress testNet = new InetSocketAddress("192.0.2.1", 80);
        assertThat(get(loop.getnameinfo(testNet, Set.of(NameInfoFlag.NUMERICSERV))).host()).isEqualTo("192.0.2.1");
        assertThatThrownBy(() -> get(loop.getnameinfo(testNet, Set.of(NameInfoFlag.NAMEREQD))))
                .cause().isInstanceOf(UnknownHostException.class).hasMessageContaining("192.0.2.1");
    }
}
