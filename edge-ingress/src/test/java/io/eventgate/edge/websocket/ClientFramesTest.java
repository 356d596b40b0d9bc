package io.eventgate.edge.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Following a client's frames byte by byte: messages counted once, headers held until whole, nothing of a refused message sent. */
class ClientFramesTest {
    /** A masked client frame with {@code payloadLength} bytes of payload. */
    static byte[] frame(int opcode, boolean fin, int payloadLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (payloadLength < 126) {
            out.write(0x80 | payloadLength);
        } else if (payloadLength < 65536) {
            out.write(0x80 | 126);
            out.write(payloadLength >> 8);
            out.write(payloadLength & 0xFF);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payloadLength >> shift) & 0xFF);
            }
        }
        out.writeBytes(new byte[] {1, 2, 3, 4});
        out.writeBytes(new byte[payloadLength]);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void messagesAreCountedAtTheirFirstFrameWhateverTheChunking() {
        byte[] stream = concat(frame(1, true, 5), frame(2, false, 300), frame(0, true, 70_000), frame(9, true, 0), frame(1, true, 0));
        for (int chunk : new int[] {1, 3, 7, 1000, stream.length}) {
            AtomicInteger asked = new AtomicInteger();
            ClientFrames frames = new ClientFrames(() -> asked.incrementAndGet() > 0);
            ByteArrayOutputStream passed = new ByteArrayOutputStream();
            for (int i = 0; i < stream.length; i += chunk) {
                byte[] part = java.util.Arrays.copyOfRange(stream, i, Math.min(stream.length, i + chunk));
                passed.writeBytes(frames.pass(part));
            }
            assertThat(passed.toByteArray()).as("chunks of %d", chunk).isEqualTo(stream);
            assertThat(frames.messages()).as("text, binary in two frames, and an empty text; the ping is no message").isEqualTo(3);
            assertThat(asked.get()).isEqualTo(3);
        }
    }

    @Test
    void aRefusedMessageSendsNothingNotEvenPartOfItsHeader() {
        AtomicInteger left = new AtomicInteger(1);
        ClientFrames frames = new ClientFrames(() -> left.getAndDecrement() > 0);
        byte[] first = frame(1, true, 4);
        byte[] second = frame(1, true, 200);
        byte[] stream = concat(first, second);
        byte[] passed = concat(frames.pass(java.util.Arrays.copyOfRange(stream, 0, first.length + 1)),
                frames.pass(java.util.Arrays.copyOfRange(stream, first.length + 1, stream.length)));
        assertThat(passed).isEqualTo(first);
        assertThat(frames.refused()).isTrue();
        assertThat(frames.pass(new byte[] {1, 2, 3})).isEmpty();
    }

    @Test
    void closeFramesCarryTheCodeAndAreMaskedOnlyTowardsTheUpstream() {
        byte[] server = ClientFrames.closeFrame(1008, "too fast", false);
        assertThat(server[0] & 0xFF).isEqualTo(0x88);
        assertThat(server[1] & 0xFF).isEqualTo(10);
        assertThat(((server[2] & 0xFF) << 8) | (server[3] & 0xFF)).isEqualTo(1008);
        byte[] client = ClientFrames.closeFrame(1008, "too fast", true);
        assertThat(client[1] & 0x80).isEqualTo(0x80);
        byte[] mask = java.util.Arrays.copyOfRange(client, 2, 6);
        int code = (((client[6] ^ mask[0]) & 0xFF) << 8) | ((client[7] ^ mask[1]) & 0xFF);
        assertThat(code).isEqualTo(1008);
    }
}
