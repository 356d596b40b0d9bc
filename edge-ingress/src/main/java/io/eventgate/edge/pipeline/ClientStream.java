package io.eventgate.edge.pipeline;

/** A client connection as plain bytes both ways, after the gateway switched it to another protocol (101). */
public interface ClientStream {
    /** Blocks for the client's next bytes; null when the client closed its side. Throws when the connection broke. */
    byte[] read();

    /** Sends bytes to the client at once. */
    void write(byte[] bytes, int offset, int length);

    /** Closes the client's connection; a {@link #read()} blocked on another thread returns or throws. */
    void close();
}
