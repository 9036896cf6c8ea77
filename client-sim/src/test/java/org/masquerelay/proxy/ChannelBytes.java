package org.masquerelay.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** EmbeddedChannel helpers for the downstream handlers: raw bytes in, raw bytes out. */
final class ChannelBytes {
    private ChannelBytes() {
    }

    /** A channel whose pipeline {@code install} builds before it becomes active. */
    static EmbeddedChannel channel(Consumer<ChannelPipeline> install) {
        return new EmbeddedChannel(new ChannelInitializer<EmbeddedChannel>() {
            @Override
            protected void initChannel(EmbeddedChannel ch) {
                install.accept(ch.pipeline());
            }
        });
    }

    static void in(EmbeddedChannel ch, byte[] bytes) {
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        ch.runPendingTasks();
    }

    static void in(EmbeddedChannel ch, String text) {
        in(ch, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Everything written so far, released. */
    static byte[] out(EmbeddedChannel ch) {
        ch.runPendingTasks();
        ByteBuf all = Unpooled.buffer();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            all.writeBytes(b);
            b.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    static String outText(EmbeddedChannel ch) {
        return new String(out(ch), StandardCharsets.ISO_8859_1);
    }
}
