package io.protoloop;

/**
 * The I/O engine under a loop ({@code protoloop.loop.transport}).
 */
public enum LoopTransport {

    /** Native epoll when the platform has it, otherwise NIO. */
    AUTO,

    /** Linux native epoll. */
    EPOLL,

    /** Linux native io_uring (kernel 5.14+; may be disabled by seccomp in containers). */
    IO_URING,

    /** The JDK's NIO selector: portable, no native library. */
    NIO
}
