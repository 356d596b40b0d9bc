package io.eventgate.edge.grpc;

/** The {@code grpc-timeout} header (gRPC over HTTP/2): at most 8 digits and a unit, H M S m u n. */
final class GrpcTimeout {
    private GrpcTimeout() {
    }

    /** The timeout in nanoseconds, or null when the value is not one. */
    static Long nanos(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return null;
        }
        String digits = value.substring(0, value.length() - 1);
        if (!digits.chars().allMatch(Character::isDigit)) {
            return null;
        }
        long amount = Long.parseLong(digits);
        return switch (value.charAt(value.length() - 1)) {
            case 'H' -> amount * 3_600_000_000_000L;
            case 'M' -> amount * 60_000_000_000L;
            case 'S' -> amount * 1_000_000_000L;
            case 'm' -> amount * 1_000_000L;
            case 'u' -> amount * 1_000L;
            case 'n' -> amount;
            default -> null;
        };
    }
}
