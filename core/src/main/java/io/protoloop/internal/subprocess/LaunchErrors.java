package io.protoloop.internal.subprocess;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the JDK's start failure ({@code Cannot run program "x": error=2, No such file or directory})
 * into an exception that names the command and the cause the way a user looks for it: a missing
 * program or working directory is a {@link FileNotFoundException}, like asyncio's
 * {@code FileNotFoundError}; anything else an {@link IOException}. The JDK's exception is the cause.
 */
final class LaunchErrors {

    private static final Pattern ERRNO = Pattern.compile("error=(\\d+), (.*)");
    private static final int ENOENT = 2;
    private static final int EACCES = 13;

    private LaunchErrors() {
    }

    static IOException of(List<String> argv, Path cwd, Throwable error) {
        String what = "cannot run " + argv;
        String reason = error.getMessage();
        int errno = -1;
        Matcher m = ERRNO.matcher(reason == null ? "" : reason);
        if (m.find()) {
            errno = Integer.parseInt(m.group(1));
            reason = m.group(2) + " (errno " + errno + ")";
        }
        IOException result;
        if (cwd != null && !Files.isDirectory(cwd)) {
            // The JDK reports a bad directory with the program's error (ENOENT or ENOTDIR): tell them apart.
            result = new FileNotFoundException(what + ": working directory " + cwd
                    + (Files.exists(cwd) ? " is not a directory" : " does not exist"));
        } else if (errno == ENOENT) {
            result = new FileNotFoundException(what + ": program '" + argv.get(0) + "' not found: " + reason);
        } else if (errno == EACCES) {
            result = new IOException(what + ": program '" + argv.get(0) + "' cannot be executed: " + reason);
        } else {
            result = new IOException(what + ": " + reason);
        }
        result.initCause(error);
        return result;
    }
}
