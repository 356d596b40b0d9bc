package io.eventgate.edge.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * A client connection wrapped by a step that must see an answer before the client does (the cache, body edits): the
 * request side passes straight through; the answer's status, headers and length are held until its body starts, when
 * the subclass decides what the client gets ({@link #release}).
 */
public abstract class HeldAnswer extends WrappedConnection {
    protected int status;
    protected final List<String[]> headers = new ArrayList<>();
    protected long contentLength = -1;
    private boolean released;

    protected HeldAnswer(ClientConnection client) {
        super(client);
    }

    @Override
    public void status(int status) {
        this.status = status;
    }

    @Override
    public void header(String name, String value) {
        headers.add(new String[] {name, value});
    }

    @Override
    public void contentLength(long length) {
        this.contentLength = length;
    }

    @Override
    public boolean committed() {
        return released || client.committed();
    }

    /** Marks the answer as dealt with, whether it went to the client or not. */
    protected void released() {
        released = true;
    }

    /** Passes the held status and headers on, with {@code length} when known (-1: none). */
    protected void release(long length) {
        released = true;
        client.status(status);
        for (String[] header : headers) {
            client.header(header[0], header[1]);
        }
        if (length >= 0) {
            client.contentLength(length);
        }
    }

    /** The first held value of header {@code name}, or null. */
    public String header(String name) {
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase(name)) {
                return header[1];
            }
        }
        return null;
    }

    /** Every held value of header {@code name}. */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (String[] header : headers) {
            if (header[0].equalsIgnoreCase(name)) {
                values.add(header[1]);
            }
        }
        return values;
    }
}
