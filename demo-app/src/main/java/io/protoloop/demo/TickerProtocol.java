package io.protoloop.demo;

import io.protoloop.protocol.SubprocessProtocol;
import io.protoloop.spring.ProtocolEndpoint;
import io.protoloop.spring.RestartPolicy;
import io.protoloop.spring.TransportKind;
import io.protoloop.transport.SubprocessTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * A supervised child: prints the date every few seconds; the demo counts its lines. It starts with
 * the application, is restarted when it fails, and is terminated when the application stops.
 */
@ProtocolEndpoint(name = "ticker", transport = TransportKind.SUBPROCESS,
        shell = "while true; do date; sleep ${protoloop.demo.ticker.period:5}; done", restart = RestartPolicy.ON_FAILURE)
public class TickerProtocol implements SubprocessProtocol {

    private static final Logger LOG = LoggerFactory.getLogger(TickerProtocol.class);

    private final TickerLines lines;
    private SubprocessTransport transport;

    public TickerProtocol(TickerLines lines) {
        this.lines = lines;
    }

    @Override
    public void connectionMade(SubprocessTransport transport) {
        this.transport = transport;
        LOG.info("ticker started, pid {}", transport.getPid());
    }

    @Override
    public void pipeDataReceived(int fd, ByteBuffer data) {
        if (fd == 1) {
            for (int i = data.position(); i < data.limit(); i++) {
                if (data.get(i) == '\n') {
                    lines.increment();
                }
            }
        }
    }

    @Override
    public void processExited() {
        LOG.info("ticker pid {} exited with {}", transport.getPid(), transport.getReturncode());
    }
}
