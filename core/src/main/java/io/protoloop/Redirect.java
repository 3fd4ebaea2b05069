package io.protoloop;

/**
 * Where a child's standard stream goes, asyncio's {@code subprocess.PIPE}, {@code DEVNULL},
 * {@code None} and {@code STDOUT}. A file target is given as a {@link java.nio.file.Path} instead
 * (see {@link SubprocessOptions.Builder#stdout(java.nio.file.Path)}).
 */
public enum Redirect {

    /** A pipe to the parent: the transport's pipe transport for that fd ({@code subprocess.PIPE}). */
    PIPE,

    /** {@code /dev/null} ({@code subprocess.DEVNULL}). */
    DEVNULL,

    /** The parent's own stream ({@code None} in asyncio). */
    INHERIT,

    /** stderr only: into wherever stdout goes ({@code subprocess.STDOUT}). */
    STDOUT
}
