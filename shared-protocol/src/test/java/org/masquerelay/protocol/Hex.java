package org.masquerelay.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

/**
 * Hex test vectors, written the way QUICHE's {@code capsule_test.cc} writes them: one string per
 * field, each with a comment. Buffers come from {@link ByteBufAllocator#DEFAULT} so the leak
 * detector tracks them.
 */
public final class Hex {

  private Hex() {}

  /** Returns a new buffer holding the bytes of {@code hex}; whitespace is ignored. */
  public static ByteBuf buf(String hex) {
    byte[] bytes = bytes(hex);
    ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(bytes.length);
    return buf.writeBytes(bytes);
  }

  /** Returns the bytes of {@code hex}; whitespace is ignored. */
  public static byte[] bytes(String hex) {
    return ByteBufUtil.decodeHexDump(hex.replaceAll("\\s+", ""));
  }

  /** Returns the readable bytes of {@code buf} as lower-case hex, without changing it. */
  public static String of(ByteBuf buf) {
    return ByteBufUtil.hexDump(buf);
  }
}
