package io.protoloop;

import io.protoloop.transport.WriteBufferLimits;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Keyword arguments of asyncio's {@code loop.subprocess_exec()} / {@code subprocess_shell()}: where
 * each standard stream goes, the working directory, the environment and the stdin pipe's water marks.
 *
 * <p>Each standard stream is either a {@link Redirect} or a file: exactly one of {@code stdin} and
 * {@code stdinFile} is non-null (likewise for stdout and stderr). An output file is created or
 * truncated, as {@code open(path, "wb")} would. asyncio's defaults apply: all three streams are
 * {@link Redirect#PIPE}.
 *
 * <p>{@code env}, when given, <em>replaces</em> the inherited environment, as {@code env=} does for
 * {@code subprocess.Popen}; {@code null} inherits the parent's environment unchanged. To extend it,
 * start from a copy: {@code var env = new HashMap<>(System.getenv()); env.put("LANG", "C");}.
 *
 * @param stdin                  where stdin comes from ({@code STDOUT} is not allowed), or null when
 *                               {@code stdinFile} is set
 * @param stdinFile              a file stdin is read from, or null
 * @param stdout                 where stdout goes ({@code STDOUT} is not allowed), or null when
 *                               {@code stdoutFile} is set
 * @param stdoutFile             a file stdout is written to, or null
 * @param stderr                 where stderr goes, or null when {@code stderrFile} is set
 * @param stderrFile             a file stderr is written to, or null
 * @param cwd                    the child's working directory, or null for the parent's
 * @param env                    the child's whole environment, or null to inherit the parent's
 * @param stdinWriteBufferLimits the water marks of the stdin pipe transport
 */
public record SubprocessOptions(Redirect stdin, Path stdinFile, Redirect stdout, Path stdoutFile, Redirect stderr,
                                Path stderrFile, Path cwd, Map<String, String> env,
                                WriteBufferLimits stdinWriteBufferLimits) {

    /** asyncio's defaults: three pipes, the parent's directory and environment, 64 KiB / 16 KiB. */
    public static final SubprocessOptions DEFAULT = builder().build();

    /**
     * Validates the options and copies {@code env}.
     *
     * @throws IllegalArgumentException when a stream has both or neither of a redirect and a file, or
     *                                  {@link Redirect#STDOUT} is given for stdin or stdout
     * @throws NullPointerException     for a null key or value in {@code env}, or null limits
     */
    public SubprocessOptions {
        requireOne("stdin", stdin, stdinFile);
        requireOne("stdout", stdout, stdoutFile);
        requireOne("stderr", stderr, stderrFile);
        if (stdin == Redirect.STDOUT || stdout == Redirect.STDOUT) {
            throw new IllegalArgumentException("Redirect.STDOUT is only valid for stderr");
        }
        env = env == null ? null : Map.copyOf(env);
        Objects.requireNonNull(stdinWriteBufferLimits, "stdinWriteBufferLimits");
    }

    private static void requireOne(String stream, Redirect redirect, Path file) {
        if ((redirect == null) == (file == null)) {
            throw new IllegalArgumentException(stream + " needs exactly one of a Redirect and a file, was "
                    + redirect + " and " + file);
        }
    }

    /** A builder starting from asyncio's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder for {@link SubprocessOptions}. */
    public static final class Builder {
        private Redirect stdin = Redirect.PIPE;
        private Path stdinFile;
        private Redirect stdout = Redirect.PIPE;
        private Path stdoutFile;
        private Redirect stderr = Redirect.PIPE;
        private Path stderrFile;
        private Path cwd;
        private Map<String, String> env;
        private WriteBufferLimits stdinWriteBufferLimits = WriteBufferLimits.DEFAULT;

        private Builder() {
        }

        /** Where stdin comes from: {@code PIPE} (default), {@code DEVNULL} or {@code INHERIT}. */
        public Builder stdin(Redirect redirect) {
            this.stdin = Objects.requireNonNull(redirect, "redirect");
            this.stdinFile = null;
            return this;
        }

        /** Reads stdin from {@code file}. */
        public Builder stdin(Path file) {
            this.stdinFile = Objects.requireNonNull(file, "file");
            this.stdin = null;
            return this;
        }

        /** Where stdout goes: {@code PIPE} (default), {@code DEVNULL} or {@code INHERIT}. */
        public Builder stdout(Redirect redirect) {
            this.stdout = Objects.requireNonNull(redirect, "redirect");
            this.stdoutFile = null;
            return this;
        }

        /** Writes stdout to {@code file}, created or truncated. */
        public Builder stdout(Path file) {
            this.stdoutFile = Objects.requireNonNull(file, "file");
            this.stdout = null;
            return this;
        }

        /** Where stderr goes: {@code PIPE} (default), {@code DEVNULL}, {@code INHERIT} or {@code STDOUT}. */
        public Builder stderr(Redirect redirect) {
            this.stderr = Objects.requireNonNull(redirect, "redirect");
            this.stderrFile = null;
            return this;
        }

        /** Writes stderr to {@code file}, created or truncated. */
        public Builder stderr(Path file) {
            this.stderrFile = Objects.requireNonNull(file, "file");
            this.stderr = null;
            return this;
        }

        /** The working directory; null for the parent's. */
        public Builder cwd(Path cwd) {
            this.cwd = cwd;
            return this;
        }

        /** The child's whole environment (it replaces the parent's); null to inherit. */
        public Builder env(Map<String, String> env) {
            this.env = env;
            return this;
        }

        /** Water marks of the stdin pipe transport, asyncio's rules for nulls. */
        public Builder stdinWriteBufferLimits(Integer high, Integer low) {
            this.stdinWriteBufferLimits = WriteBufferLimits.of(high, low);
            return this;
        }

        /** Builds and validates. */
        public SubprocessOptions build() {
            return new SubprocessOptions(stdin, stdinFile, stdout, stdoutFile, stderr, stderrFile, cwd, env,
                    stdinWriteBufferLimits);
        }
    }
}
