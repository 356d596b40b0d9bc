package io.eventgate.edge.upstream;

/**
 * An upstream's own report of how loaded it is, in the {@code endpoint-load-metrics} response header's text form (ORCA,
 * as gRPC and Envoy use it): {@code TEXT cpu_utilization=0.3, application_utilization=0.5, rps_fractional=120}. The
 * utilization the balancer weighs by is the application's when it gives one, else the CPU's, each between 0 and 1.
 */
public final class LoadReport {
    /** The response header an upstream reports its load in. */
    public static final String HEADER = "endpoint-load-metrics";

    private LoadReport() {
    }

    /** The utilization a report states, or -1 when it states none (another format, or no utilization field). */
    public static double utilization(String report) {
        String text = report.strip();
        if (!text.regionMatches(true, 0, "TEXT ", 0, 5)) {
            return -1;
        }
        double cpu = -1;
        double application = -1;
        for (String field : text.substring(5).split(",")) {
            int equals = field.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String name = field.substring(0, equals).strip();
            double value;
            try {
                value = Double.parseDouble(field.substring(equals + 1).strip());
            } catch (NumberFormatException e) {
                continue;
            }
            if (!(value >= 0)) {
                continue;
            }
            if (name.equals("application_utilization")) {
                application = value;
            } else if (name.equals("cpu_utilization")) {
                cpu = value;
            }
        }
        return application >= 0 ? application : cpu;
    }
}
