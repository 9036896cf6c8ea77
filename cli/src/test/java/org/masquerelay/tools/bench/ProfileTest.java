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
package org.masquerelay.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProfileTest {
    @Test
    void waitingFramesAreIdleAndWorkingFramesAreNot() {
        assertThat(Profile.idle("io.netty.channel.epoll.Native.epollWait0")).isTrue();
        assertThat(Profile.idle("sun.nio.ch.EPoll.wait")).isTrue();
        assertThat(Profile.idle("jdk.internal.misc.Unsafe.park")).isTrue();
        assertThat(Profile.idle("io.netty.handler.codec.quic.Quiche.quiche_conn_recv"))
                .isFalse();
        assertThat(Profile.idle("io.netty.channel.epoll.Native.sendmmsg0")).isFalse();
        assertThat(Profile.idle("org.example.NotNative.epollWait0")).isFalse();
    }
}
