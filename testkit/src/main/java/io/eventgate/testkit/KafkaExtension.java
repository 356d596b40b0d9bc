package io.eventgate.testkit;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving a test a {@link TestKafka} parameter: one real broker and one schema
 * registry per test JVM (an embedded KRaft broker by default; Testcontainers' Kafka with
 * {@code -Dkafka.testcontainers=true} where a Docker engine runs), and a topic prefix per test.
 */
public final class KafkaExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(KafkaExtension.class);
    private static final AtomicInteger TEST_COUNTER = new AtomicInteger();

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKafka.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        SharedCluster cluster = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedCluster.class, k -> new SharedCluster(), SharedCluster.class);
        String name = context.getTestMethod().map(m -> m.getName()).orElse(context.getRequiredTestClass().getSimpleName());
        String prefix = "t" + TEST_COUNTER.incrementAndGet() + "-" + name.replaceAll("[^A-Za-z0-9_-]", "_") + ".";
        return new TestKafka(cluster, prefix);
    }
}
