package io.eventgate.schemas.registry;

/**
 * A schema-registry call that failed: the HTTP status and Confluent error code the registry sent
 * (e.g. 404/40403 schema not found, 409 incompatible), or status 0 when the registry could not be reached.
 */
public final class SchemaRegistryException extends RuntimeException {
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE = 409;
    public static final int INVALID_SCHEMA = 42201;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        this(httpStatus, errorCode, message, null);
    }

    /** HTTP status of the registry's answer; 0 when it could not be reached. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent error code from the answer's {@code error_code}, or the HTTP status if the body had none. */
    public int errorCode() {
        return errorCode;
    }

    public boolean unreachable() {
        return httpStatus == 0;
    }

    /** Whether trying again later may succeed: the registry was unreachable or answered with a server error. */
    public boolean transientFailure() {
        return httpStatus == 0 || httpStatus >= 500 || httpStatus == 408 || httpStatus == 429;
    }
}
