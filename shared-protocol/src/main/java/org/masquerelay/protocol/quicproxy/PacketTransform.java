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
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A packet transform of forwarded mode (draft-ietf-masque-quic-proxy §7.3): the encoding applied
 * to a short-header packet, after its connection ID was replaced by a virtual one, on the link
 * between client and proxy; and its inverse on receipt, before the virtual ID is replaced back.
 *
 * <p>Both transforms here keep the length and the connection ID, so they work in place on the
 * readable bytes of a packet. An instance holds cipher state and is not thread-safe: use one per
 * direction per tunnel, on that tunnel's event loop.
 */
public sealed interface PacketTransform {
    /** The transform's name in {@code accept-transform} and {@code transform} (§12.3). */
    String name();

    /** Encodes {@code packet} in place; its connection ID is the first {@code cidLength} bytes after byte 0. */
    void encode(ByteBuf packet, int cidLength);

    /** Decodes {@code packet} in place, the inverse of {@link #encode}. */
    void decode(ByteBuf packet, int cidLength);

    /** The shortest packet the transform can take with a connection ID of {@code cidLength}. */
    int minLength(int cidLength);

    /** §7.3.1: leaves the packet as it is. A passive observer can match packets across the proxy. */
    record Identity() implements PacketTransform {
        public static final String NAME = "identity";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public void encode(ByteBuf packet, int cidLength) {}

        @Override
        public void decode(ByteBuf packet, int cidLength) {}

        @Override
        public int minLength(int cidLength) {
            return 1 + cidLength;
        }
    }

    /**
     * §7.3.2, the design-team version ({@code scramble-dt}): AES-128-CTR over the first byte and
     * everything after the 16 bytes that follow the connection ID, with those 16 bytes as the
     * counter block, which is then itself encrypted with AES-128-ECB under the second half of the
     * key. The header form bit stays 0 and the connection ID stays readable (RFC 8999 §5.2).
     *
     * <p>It hides packet contents from a passive observer who sees both sides of the proxy; it does
     * not hide sizes or timing, and it carries no integrity (§11.1).
     */
    final class Scramble implements PacketTransform {
        public static final String NAME = "scramble-dt";

        /** The key is two AES-128 keys: CTR, then ECB for the counter block (§7.3.2). */
        public static final int KEY_LENGTH = 32;

        private static final int IV_LENGTH = 16;

        /** Scratch space per thread (an event loop), so an idle tunnel holds no packet buffer. */
        private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[65536]);

        private final SecretKeySpec ctrKey;
        private final Cipher ctr;
        private final Cipher ivEncrypt;
        private final Cipher ivDecrypt;
        private final byte[] iv = new byte[IV_LENGTH];
        private final byte[] ivOut = new byte[IV_LENGTH];

        /** @param key the 32-byte key of the side that encodes (each side picks its own, §7.3.2) */
        public Scramble(byte[] key) {
            if (key.length != KEY_LENGTH) {
                throw new IllegalArgumentException(
                        "scramble key of " + key.length + " bytes (expected " + KEY_LENGTH + ")");
            }
            try {
                ctrKey = new SecretKeySpec(key, 0, 16, "AES");
                SecretKeySpec ecbKey = new SecretKeySpec(key, 16, 16, "AES");
                ctr = Cipher.getInstance("AES/CTR/NoPadding");
                ivEncrypt = Cipher.getInstance("AES/ECB/NoPadding");
                ivEncrypt.init(Cipher.ENCRYPT_MODE, ecbKey);
                ivDecrypt = Cipher.getInstance("AES/ECB/NoPadding");
                ivDecrypt.init(Cipher.DECRYPT_MODE, ecbKey);
            } catch (GeneralSecurityException e) {
                // AES/CTR and AES/ECB are required of every Java platform (Cipher javadoc).
                throw new IllegalStateException("AES is not available", e);
            }
        }

        /** A fresh random key for the side that creates it. */
        public static byte[] newKey(SecureRandom random) {
            byte[] key = new byte[KEY_LENGTH];
            random.nextBytes(key);
            return key;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int minLength(int cidLength) {
            return 1 + cidLength + IV_LENGTH;
        }

        @Override
        public void encode(ByteBuf packet, int cidLength) {
            transform(packet, cidLength, true);
        }

        @Override
        public void decode(ByteBuf packet, int cidLength) {
            transform(packet, cidLength, false);
        }

        private void transform(ByteBuf packet, int cidLength, boolean encode) {
            int start = packet.readerIndex();
            int length = packet.readableBytes();
            if (length < minLength(cidLength)) {
                throw new IllegalArgumentException("packet of " + length + " bytes is too short to scramble");
            }
            int ivAt = start + 1 + cidLength;
            int restAt = ivAt + IV_LENGTH;
            int restLength = length - 1 - cidLength - IV_LENGTH;
            byte[] buf = SCRATCH.get();
            try {
                packet.getBytes(ivAt, iv);
                byte[] counter;
                if (encode) {
                    counter = iv;
                    ivEncrypt.doFinal(iv, 0, IV_LENGTH, ivOut, 0);
                } else {
                    ivDecrypt.doFinal(iv, 0, IV_LENGTH, ivOut, 0);
                    counter = ivOut;
                }
                // ctr_input = packet[0] | packet[L+17:]
                buf[0] = packet.getByte(start);
                packet.getBytes(restAt, buf, 1, restLength);
                ctr.init(Cipher.ENCRYPT_MODE, ctrKey, new IvParameterSpec(counter));
                int n = ctr.doFinal(buf, 0, 1 + restLength, buf, 0);
                if (n != 1 + restLength) {
                    throw new IllegalStateException("AES-CTR returned " + n + " bytes for " + (1 + restLength));
                }
                packet.setByte(start, buf[0] & 0x7F); // keep the header form bit 0 (RFC 8999 §5.2)
                packet.setBytes(ivAt, ivOut, 0, IV_LENGTH); // encrypted on encode, decrypted on decode
                packet.setBytes(restAt, buf, 1, restLength);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES failed on a well-formed block", e);
            }
        }
    }
}
