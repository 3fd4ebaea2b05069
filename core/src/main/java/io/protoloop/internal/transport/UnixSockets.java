package io.protoloop.internal.transport;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Socket-file housekeeping for Unix servers, as asyncio's {@code create_unix_server} does it. */
final class UnixSockets {

    /** {@code S_IFMT} and {@code S_IFSOCK} from {@code <sys/stat.h>}. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSockets() {
    }

    static boolean isSocket(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return mode instanceof Integer && (((Integer) mode) & S_IFMT) == S_IFSOCK;
    }

    /**
     * Removes a stale socket file at {@code path} (a previous server that did not clean up); any
     * other kind of file there is an error, as in asyncio.
     */
    static void prepareBind(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (isSocket(path)) {
            Files.delete(path);
            return;
        }
        throw new BindException("error while attempting to bind on address " + path
                + ": a file that is not a socket is in the way; remove it or choose another path");
    }
}
