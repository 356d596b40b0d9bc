package io.eventgate.testkit;

import io.eventgate.registry.EmbeddedSchemaRegistry;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving a test a {@link TestRegistry}: one schema registry per test JVM, without a broker,
 * for topology tests that run the real serdes through TopologyTestDriver.
 */
public final class RegistryExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RegistryExtension.class);

    /** The shared registry's address. */
    public record TestRegistry(String url) {
    }

    private record Running(EmbeddedSchemaRegistry registry) implements AutoCloseable {
        @Override
        public void close() {
            registry.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestRegistry.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Running running = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Running.class,
                k -> new Running(EmbeddedSchemaRegistry.start("127.0.0.1", 0, null)), Running.class);
        return new TestRegistry(running.registry().url());
    }
}
