package io.protoloop.spring.autoconfigure.actuator;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.Echo;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.port;
import static io.protoloop.spring.autoconfigure.actuator.ActuatorTestSupport.roundTrip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP smoke tests: a Spring MVC application with every auto-configuration on the test classpath,
 * /actuator/transports, /actuator/health and /actuator/prometheus as an operator reaches them.
 */
class ActuatorHttpTests {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void transportsHealthAndPrometheusOverHttp() throws Exception {
        try (ConfigurableApplicationContext context = run(
                "--management.endpoint.transports.access=unrestricted",
                "--protoloop.actuator.transports.write-operations.enabled=true");
                Socket client = ActuatorTestSupport.connect(port(context, "echo"))) {
            assertThat(roundTrip(client, "hello")).isEqualTo("hello");
            String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + "/actuator";

            HttpResponse<String> transports = get(base + "/transports");
            assertThat(transports.statusCode()).isEqualTo(200);
            assertThat(transports.headers().firstValue("Content-Type")).hasValueSatisfying(
                    (type) -> assertThat(type).contains("json"));
            assertThat(transports.body()).contains("\"endpoints\":[{\"name\":\"echo\",\"kind\":\"TCP\",\"state\":\"RUNNING\"")
                .contains("\"total\":1", "\"offset\":0", "\"count\":1", "\"truncated\":false")
                .contains("\"peername\":\"127.0.0.1:" + client.getLocalPort() + "\"")
                .contains("\"writeBufferLimits\":{\"low\":16384,\"high\":65536}")
                .contains("\"bytesReceived\":5", "\"exact\":true");
            Matcher id = Pattern.compile("\"transports\":\\[\\{\"id\":\"(\\d+)\"").matcher(transports.body());
            assertThat(id.find()).as(transports.body()).isTrue();

            HttpResponse<String> one = get(base + "/transports/" + id.group(1));
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.body()).startsWith("{\"id\":\"" + id.group(1) + "\",\"endpoint\":\"echo\",\"kind\":\"tcp\"");
            assertThat(get(base + "/transports/424242").statusCode()).isEqualTo(404);
            assertThat(get(base + "/transports?endpoint=nowhere").statusCode()).isEqualTo(400);

            HttpResponse<String> limited = post(base + "/transports/" + id.group(1),
                    "{\"action\":\"limits\",\"high\":2048}");
            assertThat(limited.statusCode()).isEqualTo(200);
            assertThat(limited.body()).contains("\"writeBufferLimits\":{\"low\":512,\"high\":2048}");
            assertThat(post(base + "/transports/" + id.group(1), "{\"action\":\"explode\"}").statusCode())
                .isEqualTo(400);

            HttpResponse<String> health = get(base + "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains(
                    "\"protoloop\":{\"details\":{\"loops\":[{\"loop\":0,\"status\":\"UP\",\"lagMillis\":",
                    "\"lagThresholdMillis\":10000,\"endpoints\":{\"echo\":{\"status\":\"UP\",\"kind\":\"TCP\"",
                    "\"transports\":1}}},\"status\":\"UP\"}");
            // Probe groups show the status only; ProtoloopHealthTests checks that protoloop is a member.
            HttpResponse<String> readiness = get(base + "/health/readiness");
            assertThat(readiness.statusCode()).isEqualTo(200);
            assertThat(readiness.body()).isEqualTo("{\"status\":\"UP\"}");

            HttpResponse<String> prometheus = get(base + "/prometheus");
            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.body()).contains("protoloop_connections_active{endpoint=\"echo\"} 1",
                    "protoloop_bytes_received_bytes_total{endpoint=\"echo\"} 5.0",
                    "protoloop_loop_lag_seconds{loop=\"0\"}");
        }
    }

    @Test
    void writeOperationsAreNotMappedByDefault() throws Exception {
        try (ConfigurableApplicationContext context = run();
                Socket client = ActuatorTestSupport.connect(port(context, "echo"))) {
            assertThat(roundTrip(client, "hello")).isEqualTo("hello");
            String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + "/actuator";
            Matcher id = Pattern.compile("\"id\":\"(\\d+)\"").matcher(get(base + "/transports").body());
            assertThat(id.find()).isTrue();
            HttpResponse<String> close = post(base + "/transports/" + id.group(1), "{\"action\":\"close\"}");
            assertThat(close.statusCode()).isBetween(400, 499);
            assertThat(roundTrip(client, "still open")).isEqualTo("still open");
        }
    }

    private static ConfigurableApplicationContext run(String... args) {
        SpringApplication application = new SpringApplication(HttpApplication.class);
        String[] common = { "--server.port=0", "--server.address=127.0.0.1", "--protoloop.loop.threads=1",
                "--management.endpoints.web.exposure.include=health,transports,prometheus",
                "--management.endpoint.health.show-details=always", "--management.endpoint.health.probes.enabled=true",
                // Lag is not under test here (ProtoloopHealthTests covers it): a loaded machine must not flip it.
                "--protoloop.health.lag-threshold=10s", "--spring.main.banner-mode=off" };
        String[] all = new String[common.length + args.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        return application.run(all);
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return this.http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String uri, String json) throws Exception {
        return this.http.send(HttpRequest.newBuilder(URI.create(uri))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(Echo.class)
    static class HttpApplication {

    }

}
