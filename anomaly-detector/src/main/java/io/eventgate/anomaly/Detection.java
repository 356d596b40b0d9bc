package io.eventgate.anomaly;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.LimitDirective;

/** What one spiking window produced: the anomaly, and the directive that throttles it (null when only reported). */
public record Detection(AnomalyEvent anomaly, LimitDirective directive) {
}
