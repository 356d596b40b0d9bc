package io.eventgate.edge.observe;

import io.eventgate.edge.config.TracingSettings;
import io.eventgate.edge.pipeline.RequestHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * OpenTelemetry spans for the gateway hop (server) and each upstream attempt (client), continuing the
 * client's W3C trace context when it sends one and propagating it to the upstream.
 */
public final class EdgeTracing implements AutoCloseable {
    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final TextMapGetter<RequestHeaders> FROM_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RequestHeaders headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach((name, values) -> keys.add(name));
            return keys;
        }

        @Override
        public String get(RequestHeaders headers, String key) {
            return headers == null ? null : headers.first(key);
        }
    };

    private static final IdGenerator IDS = IdGenerator.random();

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final boolean recording;

    private EdgeTracing(SdkTracerProvider provider, boolean recording) {
        this.provider = provider;
        this.tracer = provider.get("io.eventgate.edge");
        this.recording = recording;
    }

    /** A span that records nothing: a child context of {@code parent} (or of a new trace), sampled unless the parent said not. */
    private static Span unrecorded(SpanContext parent) {
        if (!parent.isValid()) {
            return Span.wrap(SpanContext.create(IDS.generateTraceId(), IDS.generateSpanId(), TraceFlags.getSampled(), TraceState.getDefault()));
        }
        return Span.wrap(SpanContext.create(parent.getTraceId(), IDS.generateSpanId(), parent.getTraceFlags(), parent.getTraceState()));
    }

    /** The span processor the settings ask for: none, one log line per span, or OTLP/HTTP batches to a collector. */
    public static EdgeTracing create(TracingSettings settings) {
        return create(switch (settings.exporter()) {
            case "logging" -> SimpleSpanProcessor.create(LoggingSpanExporter.create());
            case "otlp" -> BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(settings.endpoint()).build()).build();
            default -> null;
        });
    }

    /**
     * Spans go to {@code processor} (an exporter's), or nowhere when null: ids and propagation work either way. With no
     * exporter, nothing is recorded: the gateway's spans are bare contexts (the client's trace id, or a new one, and a
     * span id of their own, flags as before), since recording spans nobody exports cost the edge a few µs per request.
     */
    public static EdgeTracing create(SpanProcessor processor) {
        var builder = SdkTracerProvider.builder().setSampler(Sampler.parentBased(Sampler.alwaysOn()));
        if (processor != null) {
            builder.addSpanProcessor(processor);
        }
        return new EdgeTracing(builder.build(), processor != null);
    }

    /** The gateway hop's span, child of the client's traceparent if it sent a valid one. */
    public Span startGatewaySpan(RequestHeaders headers, String name) {
        Context parent = W3C.extract(Context.root(), headers, FROM_HEADERS);
        if (!recording) {
            return unrecorded(Span.fromContext(parent).getSpanContext());
        }
        return tracer.spanBuilder(name).setParent(parent).setSpanKind(SpanKind.SERVER).startSpan();
    }

    /** A span for one upstream attempt, child of the gateway span. */
    public Span startUpstreamSpan(Span gateway, String name) {
        if (!recording) {
            return unrecorded(gateway.getSpanContext());
        }
        return tracer.spanBuilder(name).setParent(Context.root().with(gateway)).setSpanKind(SpanKind.CLIENT).startSpan();
    }

    /** Writes the W3C headers (traceparent, tracestate) of {@code span} through {@code setter}. */
    public void inject(Span span, BiConsumer<String, String> setter) {
        W3C.inject(Context.root().with(span), setter, (carrier, key, value) -> carrier.accept(key, value));
    }

    @Override
    public void close() {
        provider.close();
    }
}
