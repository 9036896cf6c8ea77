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
