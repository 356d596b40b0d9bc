package io.eventgate.settings;

/** A configuration that cannot be used, naming the path of the bad field (e.g. {@code kafka.port}) and what is wrong. */
public final class SettingsException extends RuntimeException {
    private final String path;
    private final String problem;

    public SettingsException(String source, String path, String problem, Throwable cause) {
        super(source + ": " + (path.isEmpty() ? "" : path + ": ") + problem, cause);
        this.path = path;
        this.problem = problem;
    }

    /** What is wrong, without the source and path. */
    public String problem() {
        return problem;
    }

    /** Dotted path of the offending field, empty when the whole document is at fault. */
    public String path() {
        return path;
    }
}
