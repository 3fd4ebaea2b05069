package io.protoloop.spring.actuator;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.protoloop.spring.EndpointRegistry;
import io.protoloop.transport.BaseTransport;
import io.protoloop.transport.DatagramTransport;
import io.protoloop.transport.SubprocessTransport;
import io.protoloop.transport.WriteBufferLimits;
import io.protoloop.transport.WriteTransport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * {@link TransportsEndpoint} with the operations that change a live transport:
 * {@code POST /actuator/transports/{id}} with {@code {"action": "close"}} (asyncio's {@code close()}:
 * flush, then close), {@code {"action": "abort"}} (drop the buffer and close at once; kill for a
 * subprocess) or {@code {"action": "limits", "high": 65536, "low": 16384}}
 * ({@code set_write_buffer_limits}; a subprocess's stdin). Each answers with the transport's
 * snapshot taken on its loop after the change.
 *
 * <p>These operations let whoever can reach them cut the application's connections. The
 * auto-configuration only uses this class when {@code protoloop.actuator.transports.write-operations.enabled}
 * is true and Spring Security is on the classpath, and the endpoint's default access is read-only, so
 * {@code management.endpoint.transports.access=unrestricted} is needed too: secure
 * {@code /actuator/transports} before setting both.
 */
@Endpoint(id = "transports", defaultAccess = Access.READ_ONLY)
public class WritableTransportsEndpoint extends TransportsEndpoint {

    private static final Log logger = LogFactory.getLog(WritableTransportsEndpoint.class);

    /**
     * Creates the endpoint.
     * @param registry the application's endpoints
     * @param maxTransports the most transports one response lists
     * @param snapshotTimeout how long to wait for a loop to take its transports' snapshots
     */
    public WritableTransportsEndpoint(EndpointRegistry registry, int maxTransports, Duration snapshotTimeout) {
        super(registry, maxTransports, snapshotTimeout);
    }

    /**
     * Closes, aborts or re-limits one transport.
     * @param id the transport's {@code id} as listed
     * @param action {@code close}, {@code abort} or {@code limits}
     * @param high the new high-water mark ({@code limits}; with {@code low}, asyncio's rules for a
     * missing one)
     * @param low the new low-water mark ({@code limits})
     * @return the transport's report after the change, or {@code null} (404) when no live transport has
     * that id
     */
    @WriteOperation
    public @Nullable TransportDescriptor update(@Selector String id, String action, @Nullable Integer high,
            @Nullable Integer low) {
        Listed found = find(id);
        if (found == null) {
            return null;
        }
        BaseTransport transport = found.transport();
        String what = "transport " + id + " of protoloop endpoint '" + found.endpoint().getName() + "'";
        switch (action.toLowerCase(Locale.ROOT)) {
            case "close" -> {
                logger.info("Closing " + what + " (requested through /actuator/transports)");
                transport.close();
            }
            case "abort" -> {
                logger.warn("Aborting " + what + " (requested through /actuator/transports)");
                abort(transport);
            }
            case "limits" -> {
                limits(transport, high, low, what);
                logger.info("Set the write-buffer limits of " + what + " to high=" + high + ", low=" + low
                        + " (requested through /actuator/transports)");
            }
            default -> throw invalid("Unknown action '" + action + "': use close, abort or limits");
        }
        // Transport calls from off the loop run on it in call order, so this snapshot follows the change.
        return snapshot(List.of(found)).get(0);
    }

    private static void abort(BaseTransport transport) {
        if (transport instanceof WriteTransport write) {
            write.abort();
        }
        else if (transport instanceof DatagramTransport datagram) {
            datagram.abort();
        }
        else if (transport instanceof SubprocessTransport subprocess) {
            try {
                subprocess.kill();
            }
            catch (IllegalStateException ex) {
                // Already gone.
            }
            subprocess.close();
        }
        else {
            transport.close();
        }
    }

    private static void limits(BaseTransport transport, @Nullable Integer high, @Nullable Integer low, String what) {
        if (high == null && low == null) {
            throw invalid("The limits action needs high, low or both");
        }
        try {
            WriteBufferLimits.of(high, low);
        }
        catch (IllegalArgumentException ex) {
            throw invalid("Invalid write-buffer limits: " + ex.getMessage());
        }
        if (transport instanceof WriteTransport write) {
            write.setWriteBufferLimits(high, low);
        }
        else if (transport instanceof DatagramTransport datagram) {
            datagram.setWriteBufferLimits(high, low);
        }
        else if (transport instanceof SubprocessTransport subprocess
                && subprocess.getPipeTransport(0) instanceof WriteTransport stdin) {
            stdin.setWriteBufferLimits(high, low);
        }
        else {
            throw invalid("The " + what + " has no write buffer");
        }
    }

    private static InvalidEndpointRequestException invalid(String message) {
        return new InvalidEndpointRequestException(message, message);
    }

}
