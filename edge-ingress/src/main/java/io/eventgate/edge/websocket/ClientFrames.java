package io.eventgate.edge.websocket;

import java.io.ByteArrayOutputStream;
import java.util.function.BooleanSupplier;

/**
 * Follows the frames a WebSocket client sends (RFC 6455 §5.2) as they stream through, to count its messages and stop
 * before the first one its limit refuses. A frame header is held back until it is whole, so a refused message sends
 * nothing upstream, not even part of its header; payloads pass as they come.
 */
final class ClientFrames {
    private static final int MAX_HEADER = 14;

    private final BooleanSupplier admitMessage;
    private final byte[] header = new byte[MAX_HEADER];
    private int headerLength;
    private long payloadLeft;
    private long messages;
    private boolean refused;

    /** {@code admitMessage} is asked at the first frame of each text or binary message. */
    ClientFrames(BooleanSupplier admitMessage) {
        this.admitMessage = admitMessage;
    }

    /** The bytes to send upstream for {@code chunk}: all of it but a header still incomplete, or what came before a refused message. */
    byte[] pass(byte[] chunk) {
        if (refused) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.length + MAX_HEADER);
        int i = 0;
        while (i < chunk.length) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, chunk.length - i);
                out.write(chunk, i, n);
                payloadLeft -= n;
                i += n;
                continue;
            }
            header[headerLength++] = chunk[i++];
            int needed = headerLength < 2 ? 2 : headerSize();
            if (headerLength < needed) {
                continue;
            }
            int opcode = header[0] & 0x0F;
            if ((opcode == 1 || opcode == 2)) {
                if (!admitMessage.getAsBoolean()) {
                    refused = true;
                    return out.toByteArray();
                }
                messages++;
            }
            payloadLeft = payloadLength();
            out.write(header, 0, headerLength);
            headerLength = 0;
        }
        return out.toByteArray();
    }

    /** Whether a message was refused: nothing more goes upstream. */
    boolean refused() {
        return refused;
    }

    /** Text and binary messages let through so far. */
    long messages() {
        return messages;
    }

    private int headerSize() {
        int length7 = header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        boolean masked = (header[1] & 0x80) != 0;
        return 2 + extended + (masked ? 4 : 0);
    }

    private long payloadLength() {
        int length7 = header[1] & 0x7F;
        if (length7 < 126) {
            return length7;
        }
        int bytes = length7 == 126 ? 2 : 8;
        long length = 0;
        for (int b = 0; b < bytes; b++) {
            length = (length << 8) | (header[2 + b] & 0xFF);
        }
        return length & Long.MAX_VALUE;
    }

    /** A close frame with {@code code} and {@code reason}, as a server sends it (unmasked) or a client does (masked). */
    static byte[] closeFrame(int code, String reason, boolean masked) {
        byte[] text = reason.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + Math.min(text.length, 123)];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, payload.length - 2);
        byte[] mask = new byte[4];
        if (masked) {
            java.util.concurrent.ThreadLocalRandom.current().nextBytes(mask);
        }
        int headerSize = masked ? 6 : 2;
        byte[] frame = new byte[headerSize + payload.length];
        frame[0] = (byte) 0x88;
        frame[1] = (byte) ((masked ? 0x80 : 0) | payload.length);
        if (masked) {
            System.arraycopy(mask, 0, frame, 2, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            frame[headerSize + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }
}
