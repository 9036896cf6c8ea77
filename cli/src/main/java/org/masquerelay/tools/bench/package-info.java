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
/**
 * The instruments of {@code masque bench}: a plain HTTP/3 bulk server and client on the same
 * QUIC codec as the relays (the "one QUIC stream, no relay" baseline), per-hop CPU and syscall
 * accounting by thread name, and a JFR profile summarised per hop. Not used by any relay.
 */
@NullMarked
package org.masquerelay.tools.bench;

import org.jspecify.annotations.NullMarked;
