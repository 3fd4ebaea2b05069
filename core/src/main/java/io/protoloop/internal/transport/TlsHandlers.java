package io.protoloop.internal.transport;

import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.protoloop.ClientAuth;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.time.Duration;
import java.util.List;

/**
 * Builds Netty {@link SslHandler}s from the JDK {@link SSLContext}s the public API takes, with
 * asyncio's defaults: clients verify the server's name unless it is {@code ""}, and send it as SNI.
 */
final class TlsHandlers {

    private TlsHandlers() {
    }

    static TlsLayer client(SSLContext context, String serverHostname, int port, Duration handshakeTimeout,
                             Duration shutdownTimeout) {
        boolean verify = serverHostname != null && !serverHostname.isEmpty();
        SSLEngine engine = verify ? context.createSSLEngine(serverHostname, port) : context.createSSLEngine();
        engine.setUseClientMode(true);
        if (verify) {
            SSLParameters parameters = engine.getSSLParameters();
            // "HTTPS" is the JDK's RFC 2818 host name check, what Python's check_hostname does.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            if (!NetUtil.isValidIpV4Address(serverHostname) && !NetUtil.isValidIpV6Address(serverHostname)) {
                parameters.setServerNames(List.of(new SNIHostName(serverHostname)));
            }
            engine.setSSLParameters(parameters);
        }
        return new TlsLayer(configure(new SslHandler(engine), handshakeTimeout, shutdownTimeout), context);
    }

    static TlsLayer server(SSLContext context, ClientAuth clientAuth, Duration handshakeTimeout,
                             Duration shutdownTimeout) {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(clientAuth == ClientAuth.REQUIRE);
        if (clientAuth == ClientAuth.OPTIONAL) {
            engine.setWantClientAuth(true);
        }
        return new TlsLayer(configure(new SslHandler(engine), handshakeTimeout, shutdownTimeout), context);
    }

    private static SslHandler configure(SslHandler handler, Duration handshakeTimeout, Duration shutdownTimeout) {
        handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        handler.setCloseNotifyFlushTimeoutMillis(shutdownTimeout.toMillis());
        handler.setCloseNotifyReadTimeoutMillis(shutdownTimeout.toMillis());
        return handler;
    }
}
