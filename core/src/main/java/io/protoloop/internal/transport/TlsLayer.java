package io.protoloop.internal.transport;

import io.netty.handler.ssl.SslHandler;

import javax.net.ssl.SSLContext;

/**
 * The TLS layer under one stream transport: Netty's handler and the user's context it came from
 * (the {@code "sslcontext"} extra info).
 */
record TlsLayer(SslHandler handler, SSLContext context) {
}
