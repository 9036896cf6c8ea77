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
package org.masquerelay.protocol.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.masquerelay.protocol.ProtocolException;
import org.masquerelay.protocol.geo.GeoAssertionException.Reason;

/** The one way the geo tests check a refusal: its type, its reason, then whatever the caller adds. */
final class Refusals {

    private Refusals() {}

    static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(ThrowingCallable call, Reason reason) {
        return assertThatThrownBy(call)
                .isInstanceOf(GeoAssertionException.class)
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((GeoAssertionException) e).reason()).isEqualTo(reason));
    }
}
