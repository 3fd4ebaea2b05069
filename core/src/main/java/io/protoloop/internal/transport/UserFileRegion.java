package io.protoloop.internal.transport;

import io.netty.channel.DefaultFileRegion;

import java.nio.channels.FileChannel;

/**
 * A zero-copy file region over a caller's {@link FileChannel}. Netty's {@link DefaultFileRegion}
 * closes its file when released; the caller owns this one, so releasing leaves it open.
 */
final class UserFileRegion extends DefaultFileRegion {

    UserFileRegion(FileChannel file, long position, long count) {
        super(file, position, count);
    }

    @Override
    protected void deallocate() {
        // The file belongs to the caller of sendfile(); it stays open.
    }
}
