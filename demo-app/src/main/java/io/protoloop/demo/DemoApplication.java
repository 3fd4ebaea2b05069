package io.protoloop.demo;

import io.protoloop.EventLoop;
import io.protoloop.LoopOptions;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A TCP echo server on protoloop inside a Spring Boot application. The protoloop starter does not
 * exist yet, so the application wires protoloop-core by hand: one {@link EventLoop} bean and
 * {@link EchoServer}, which listens while the application runs.
 */
@SpringBootApplication
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }

    /** The loop every connection runs on; closed (threads stopped) when the context closes. */
    @Bean(destroyMethod = "close")
    public EventLoop protoloopEventLoop(@Value("${protoloop.loop.threads:1}") int threads) {
        return EventLoop.create(LoopOptions.builder().threads(threads).build());
    }
}
