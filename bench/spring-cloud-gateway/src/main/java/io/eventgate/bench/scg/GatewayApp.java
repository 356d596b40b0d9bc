package io.eventgate.bench.scg;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;

/** Spring Cloud Gateway with one route, /bench/** to the benchmark's upstream ({@code --bench.upstream=http://host:port}). */
@SpringBootApplication
public class GatewayApp {
    public static void main(String[] args) {
        SpringApplication.run(GatewayApp.class, args);
    }

    @Bean
    RouteLocator routes(RouteLocatorBuilder builder, @Value("${bench.upstream}") String upstream) {
        return builder.routes().route("bench", route -> route.path("/bench/**").uri(upstream)).build();
    }
}
