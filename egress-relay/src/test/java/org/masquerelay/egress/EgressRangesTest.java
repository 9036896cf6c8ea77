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
package org.masquerelay.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class EgressRangesTest {
    @Test
    void lastModifiedIsAnImfFixdateWithATwoDigitDay() {
        // RFC 9110 §5.6.7's own example.
        EgressRanges r = new EgressRanges(new byte[0], "\"x\"", Instant.parse("1994-11-06T08:49:37Z"));
        assertThat(r.lastModifiedHttpDate()).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        EgressRanges late = new EgressRanges(new byte[0], "\"x\"", Instant.parse("2026-12-25T23:05:09Z"));
        assertThat(late.lastModifiedHttpDate()).isEqualTo("Fri, 25 Dec 2026 23:05:09 GMT");
        // And it reads back as the same instant.
        assertThat(ZonedDateTime.parse(r.lastModifiedHttpDate(), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant())
                .isEqualTo(Instant.parse("1994-11-06T08:49:37Z"));
    }
}
