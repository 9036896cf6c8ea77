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
package org.masquerelay.protocol.tunnel;

import io.netty.buffer.ByteBuf;

/**
 * Receives the HTTP Datagrams of one request stream (RFC 9297 §2.1), after the quarter stream
 * ID has been consumed. Called on the connection's event loop; the receiver owns {@code payload}.
 */
@FunctionalInterface
public interface DatagramReceiver {
    void onDatagram(ByteBuf payload);
}
