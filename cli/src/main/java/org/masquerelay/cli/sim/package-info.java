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
 * Emulation mode of the research simulator, {@code masque sim net} (docs/simulator.md): the real
 * relays of {@link org.masquerelay.cli.LoopbackDeployment} behind an in-process UDP impairment
 * shim, a direct arm and a two-hop arm interleaved.
 */
@NullMarked
package org.masquerelay.cli.sim;

import org.jspecify.annotations.NullMarked;
