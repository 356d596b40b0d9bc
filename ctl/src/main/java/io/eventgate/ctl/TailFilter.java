package io.eventgate.ctl;

/**
 * What {@code ctl tail} shows: events of one route, one consumer, one status or status class ({@code 5xx}); null
 * accepts any. Anomalies are matched on their scope ({@code route:ID}, {@code consumer:ID}).
 */
record TailFilter(String route, String consumer, int status, int statusClass) {

    static TailFilter of(String route, String consumer, String status) {
        if (status == null) {
            return new TailFilter(route, consumer, 0, 0);
        }
        if (status.matches("[1-5]xx")) {
            return new TailFilter(route, consumer, 0, status.charAt(0) - '0');
        }
        if (status.matches("[1-5][0-9][0-9]")) {
            return new TailFilter(route, consumer, Integer.parseInt(status), 0);
        }
        throw new IllegalArgumentException("--status takes a status (404) or a class (5xx), was '" + status + "'");
    }

    boolean accepts(String routeId, String consumerId, Integer answered) {
        if (route != null && !route.equals(routeId) || consumer != null && !consumer.equals(consumerId)) {
            return false;
        }
        if (status == 0 && statusClass == 0) {
            return true;
        }
        return answered != null && (status != 0 ? answered == status : answered / 100 == statusClass);
    }

    boolean acceptsScope(String scope) {
        return (route == null || ("route:" + route).equals(scope)) && (consumer == null || ("consumer:" + consumer).equals(scope));
    }
}
