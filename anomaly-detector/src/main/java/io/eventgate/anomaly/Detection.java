package io.eventgate.anomaly.rate;

import io.eventgate.avro.AnomalyEvent;
import io.eventgate.avro.LimitDirective;

/** What one spiking window produced: the anomaly, and the directive that throttles it (null when only reported). */
record Detection(AnomalyEvent anomaly, LimitDirective directive) {
}
