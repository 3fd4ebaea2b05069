package io.protoloop.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The protoloop demo: asyncio's seed examples as Spring Boot endpoints, using only the starter.
 *
 * <ul>
 * <li>{@link EchoProtocol} — TCP echo on 127.0.0.1:8888, flow control coupled both ways;</li>
 * <li>{@link UdpEchoProtocol} — UDP echo on 127.0.0.1:9999;</li>
 * <li>{@link ExecProtocol} — TCP on 127.0.0.1:8890, each connection piped through a child process;</li>
 * <li>{@link TickerProtocol} — a supervised child whose output lines are counted.</li>
 * </ul>
 *
 * <p>{@code java -jar protoloop-demo-app.jar client tcp|udp [message]} runs the seed's echo clients
 * against a running demo instead of starting one (see {@link DemoClients}).
 */
@SpringBootApplication
public class DemoApplication {

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("client")) {
            System.exit(DemoClients.run(args));
        }
        SpringApplication.run(DemoApplication.class, args);
    }
}
