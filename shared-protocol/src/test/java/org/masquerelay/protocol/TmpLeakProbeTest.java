package org.masquerelay.protocol;

import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.RepeatedTest;

class TmpLeakProbeTest {
  @RepeatedTest(20)
  void leaks() {
    ByteBufAllocator.DEFAULT.heapBuffer(32).writeInt(1);
    LeakCheckExtension.detectLeaks();
    if (LeakFailingDetector.leaks().isEmpty()) {
      throw new AssertionError("not detected");
    }
    LeakFailingDetector.reset();
  }
}
