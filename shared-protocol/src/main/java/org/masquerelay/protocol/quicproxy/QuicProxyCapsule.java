/*
 * Copyright 2026 The masque-relay authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
 * except in compliance with the License. You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software distributed under the
 * License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
 * either express or implied. See the License for the specific language governing permissions
 * and limitations under the License.
 */
package org.masquerelay.protocol.quicproxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.masquerelay.protocol.capsule.Capsule;
import org.masquerelay.protocol.capsule.CapsuleEncoder;
import org.masquerelay.protocol.varint.VarInt;

/**
 * The connection-ID capsules of draft-ietf-masque-quic-proxy §6, with the draft's provisional
 * code points (§12.4). Connection IDs are kept as byte arrays: they are at most 255 bytes (RFC 8999
 * §5.1) and are compared and hashed, never streamed.
 *
 * <p>A stateless reset token of length zero means "none" (§6.3, §6.5): this project sends none
 * and ignores the ones it receives.
 */
public sealed interface QuicProxyCapsule {
    long REGISTER_CLIENT_CID = 0xffe600L;
    long REGISTER_TARGET_CID = 0xffe601L;
    long ACK_CLIENT_CID = 0xffe602L;
    long ACK_CLIENT_VCID = 0xffe603L;
    long ACK_TARGET_CID = 0xffe604L;
    long CLOSE_CLIENT_CID = 0xffe605L;
    long CLOSE_TARGET_CID = 0xffe606L;
    long MAX_CONNECTION_IDS = 0xffe607L;

    /** Longest connection ID the QUIC invariants allow (RFC 8999 §5.1). */
    int MAX_CID_LENGTH = 255;

    /** A stateless reset token is 16 bytes in QUIC v1 (RFC 9000 §10.3); we accept no other length. */
    int RESET_TOKEN_LENGTH = 16;

    /** The capsule type on the wire. */
    long type();

    /** Writes the capsule's value (without type and length). */
    void writeValue(ByteBuf out);

    /** The whole capsule, type and length included, in a new buffer the caller owns. */
    default ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf value = alloc.heapBuffer(64);
        try {
            writeValue(value);
            return CapsuleEncoder.encode(alloc, type(), value);
        } finally {
            value.release();
        }
    }

    /** §6.1: a client CID to route target-to-client packets by. */
    record RegisterClientCid(byte[] cid) implements QuicProxyCapsule {
        @Override
        public long type() {
            return REGISTER_CLIENT_CID;
        }

        @Override
        public void writeValue(ByteBuf out) {
            out.writeBytes(cid);
        }
    }

    /** §6.2: a target CID the client wants to send forwarded packets to. */
    record RegisterTargetCid(byte[] cid, byte[] resetToken) implements QuicProxyCapsule {
        @Override
        public long type() {
            return REGISTER_TARGET_CID;
        }

        @Override
        public void writeValue(ByteBuf out) {
            writeSized(out, cid);
            writeSized(out, resetToken);
        }
    }

    /** §6.3: the proxy accepted a client CID; {@code vcid} is empty unless forwarding. */
    record AckClientCid(byte[] cid, byte[] vcid) implements QuicProxyCapsule {
        @Override
        public long type() {
            return ACK_CLIENT_CID;
        }

        @Override
        public void writeValue(ByteBuf out) {
            writeSized(out, cid);
            writeSized(out, vcid);
        }
    }

    /** §6.5: the client is ready for forwarded packets carrying {@code vcid}. */
    record AckClientVcid(byte[] cid, byte[] vcid, byte[] resetToken) implements QuicProxyCapsule {
        @Override
        public long type() {
            return ACK_CLIENT_VCID;
        }

        @Override
        public void writeValue(ByteBuf out) {
            writeSized(out, cid);
            writeSized(out, vcid);
            writeSized(out, resetToken);
        }
    }

    /** §6.4: the proxy accepted a target CID; the client sends forwarded packets with {@code vcid}. */
    record AckTargetCid(byte[] cid, byte[] vcid, byte[] resetToken) implements QuicProxyCapsule {
        @Override
        public long type() {
            return ACK_TARGET_CID;
        }

        @Override
        public void writeValue(ByteBuf out) {
            writeSized(out, cid);
            writeSized(out, vcid);
            writeSized(out, resetToken);
        }
    }

    /** §6.6: a client CID mapping is gone, or a registration was refused. */
    record CloseClientCid(byte[] cid) implements QuicProxyCapsule {
        @Override
        public long type() {
            return CLOSE_CLIENT_CID;
        }

        @Override
        public void writeValue(ByteBuf out) {
            out.writeBytes(cid);
        }
    }

    /** §6.6: a target CID mapping is gone, or a registration was refused. */
    record CloseTargetCid(byte[] cid) implements QuicProxyCapsule {
        @Override
        public long type() {
            return CLOSE_TARGET_CID;
        }

        @Override
        public void writeValue(ByteBuf out) {
            out.writeBytes(cid);
        }
    }

    /** §6.7: registrations may use sequence numbers up to {@code maxSequence} (at least 1). */
    record MaxConnectionIds(long maxSequence) implements QuicProxyCapsule {
        @Override
        public long type() {
            return MAX_CONNECTION_IDS;
        }

        @Override
        public void writeValue(ByteBuf out) {
            VarInt.write(out, maxSequence);
        }
    }

    /** Whether {@code type} is one of the capsules of this draft. */
    static boolean isQuicProxyType(long type) {
        return type >= REGISTER_CLIENT_CID && type <= MAX_CONNECTION_IDS;
    }

    /**
     * Decodes a capsule of one of the draft's types. Does not release {@code capsule}'s payload.
     *
     * @throws MalformedQuicProxyException if the value does not match its type's layout, a length
     *     runs past the value, bytes are left over, or a connection ID is over 255 bytes
     * @throws IllegalArgumentException if the type is not one of this draft's
     */
    static QuicProxyCapsule decode(Capsule capsule) {
        ByteBuf in = capsule.payload().duplicate();
        QuicProxyCapsule decoded = switch ((int) (capsule.type() - REGISTER_CLIENT_CID)) {
            case 0 -> new RegisterClientCid(rest(in, "REGISTER_CLIENT_CID"));
            case 1 ->
                new RegisterTargetCid(
                        sized(in, "REGISTER_TARGET_CID connection id", MAX_CID_LENGTH),
                        token(in, "REGISTER_TARGET_CID"));
            case 2 ->
                new AckClientCid(
                        sized(in, "ACK_CLIENT_CID connection id", MAX_CID_LENGTH),
                        sized(in, "ACK_CLIENT_CID virtual connection id", MAX_CID_LENGTH));
            case 3 ->
                new AckClientVcid(
                        sized(in, "ACK_CLIENT_VCID connection id", MAX_CID_LENGTH),
                        sized(in, "ACK_CLIENT_VCID virtual connection id", MAX_CID_LENGTH),
                        token(in, "ACK_CLIENT_VCID"));
            case 4 ->
                new AckTargetCid(
                        sized(in, "ACK_TARGET_CID connection id", MAX_CID_LENGTH),
                        sized(in, "ACK_TARGET_CID virtual connection id", MAX_CID_LENGTH),
                        token(in, "ACK_TARGET_CID"));
            case 5 -> new CloseClientCid(rest(in, "CLOSE_CLIENT_CID"));
            case 6 -> new CloseTargetCid(rest(in, "CLOSE_TARGET_CID"));
            case 7 -> new MaxConnectionIds(varint(in, "MAX_CONNECTION_IDS"));
            default ->
                throw new IllegalArgumentException("not a QUIC-proxy capsule: 0x" + Long.toHexString(capsule.type()));
        };
        if (in.isReadable()) {
            throw new MalformedQuicProxyException(in.readableBytes() + " byte(s) after the end of a capsule of type 0x"
                    + Long.toHexString(capsule.type()));
        }
        return decoded;
    }

    private static byte[] rest(ByteBuf in, String what) {
        if (in.readableBytes() > MAX_CID_LENGTH) {
            throw new MalformedQuicProxyException(
                    what + ": connection id of " + in.readableBytes() + " bytes (at most " + MAX_CID_LENGTH + ")");
        }
        byte[] out = new byte[in.readableBytes()];
        in.readBytes(out);
        return out;
    }

    private static long varint(ByteBuf in, String what) {
        if (!VarInt.isReadable(in)) {
            throw new MalformedQuicProxyException(what + ": truncated length or value");
        }
        return VarInt.read(in);
    }

    private static byte[] sized(ByteBuf in, String what, int max) {
        long length = varint(in, what);
        if (length > max) {
            throw new MalformedQuicProxyException(what + " of " + length + " bytes (at most " + max + ")");
        }
        if (length > in.readableBytes()) {
            throw new MalformedQuicProxyException(
                    what + " of " + length + " bytes but only " + in.readableBytes() + " left in the capsule");
        }
        byte[] out = new byte[(int) length];
        in.readBytes(out);
        return out;
    }

    private static byte[] token(ByteBuf in, String what) {
        byte[] t = sized(in, what + " stateless reset token", RESET_TOKEN_LENGTH);
        if (t.length != 0 && t.length != RESET_TOKEN_LENGTH) {
            throw new MalformedQuicProxyException(what + ": stateless reset token of " + t.length
                    + " bytes (expected 0 or " + RESET_TOKEN_LENGTH + ")");
        }
        return t;
    }

    private static void writeSized(ByteBuf out, byte[] bytes) {
        VarInt.write(out, bytes.length);
        out.writeBytes(bytes);
    }
}
