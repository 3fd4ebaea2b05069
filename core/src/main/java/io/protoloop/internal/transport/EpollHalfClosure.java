package io.protoloop.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;

/**
 * Keeps a half-closed epoll channel registered with epoll (a workaround for Netty 4.2.17 to 4.2.20).
 *
 * <p>Why: since netty/netty#16689 the epoll loop removes a descriptor from the epoll set when the
 * channel wants no event at all, but keeps thinking it is registered, so the next interest change
 * issues {@code EPOLL_CTL_MOD} and fails with ENOENT. A channel whose peer half-closed reaches "no
 * event" as soon as reading is off and nothing waits to be written (RDHUP is cleared after EOF);
 * the next write that fills the socket then fails and the connection dies: exactly asyncio's
 * "eofReceived returns true, keep writing" pattern. Adding {@code EPOLLET} to the channel's interest
 * set keeps it non-empty; with no read interest left and writes always going until EAGAIN, edge
 * triggering changes nothing else. {@code setFlag} is protected in a package-private Netty class, so
 * it is reached reflectively (Netty is on the class path, no module is opened).
 */
final class EpollHalfClosure {

    private static final Logger LOG = LoggerFactory.getLogger(EpollHalfClosure.class);
    private static final Class<?> EPOLL_CHANNEL;
    private static final Method SET_FLAG;

    static {
        Class<?> type = null;
        Method setFlag = null;
        if (Epoll.isAvailable()) {
            try {
                type = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
                setFlag = type.getDeclaredMethod("setFlag", int.class);
                setFlag.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("Cannot apply the epoll half-closure workaround; half-closed epoll connections may fail "
                        + "to write: {}", e.toString());
                type = null;
                setFlag = null;
            }
        }
        EPOLL_CHANNEL = type;
        SET_FLAG = setFlag;
    }

    private EpollHalfClosure() {
    }

    /** Called on the channel's loop once its input is shut down. */
    static void keepRegistered(Channel channel) {
        if (SET_FLAG == null || !EPOLL_CHANNEL.isInstance(channel) || !channel.isOpen()) {
            return;
        }
        try {
            SET_FLAG.invoke(channel, Native.EPOLLET);
        } catch (ReflectiveOperationException e) {
            LOG.debug("epoll half-closure workaround failed on {}", channel, e);
        }
    }
}
