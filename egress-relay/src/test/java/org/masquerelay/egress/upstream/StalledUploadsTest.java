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
package org.masquerelay.egress.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StalledUploadsTest {
    @Test
    void oneStalledTooManyResetsTheOneStalledLongest() {
        StalledUploads.Ledger<String> l = new StalledUploads.Ledger<>(2);
        assertThat(l.paused("a", true)).isEmpty();
        assertThat(l.paused("b", true)).isEmpty();
        assertThat(l.paused("c", true)).containsExactly("a");
        assertThat(l.size()).isEqualTo(2);
        assertThat(l.paused("d", true)).containsExactly("b");
    }

    @Test
    void anUploadThatReadsAgainLeavesAndGoesToTheBackWhenItStallsAgain() {
        StalledUploads.Ledger<String> l = new StalledUploads.Ledger<>(2);
        l.paused("slow", true);
        l.paused("dead", true);
        assertThat(l.paused("slow", false)).isEmpty(); // its target read: it moves again
        assertThat(l.size()).isEqualTo(1);
        assertThat(l.paused("slow", true)).isEmpty();
        assertThat(l.paused("live", true)).as("the dead one stalled longest").containsExactly("dead");
    }

    @Test
    void aRepeatedReportCountsOnceAndClosingForgets() {
        StalledUploads.Ledger<String> l = new StalledUploads.Ledger<>(1);
        l.paused("a", true);
        assertThat(l.paused("a", true)).isEmpty();
        assertThat(l.size()).isEqualTo(1);
        l.paused("a", false); // closed
        assertThat(l.paused("b", true)).isEmpty();
        l.paused("never-stalled", false);
        assertThat(l.size()).isEqualTo(1);
    }

    @Test
    void roomForNoneIsRefused() {
        assertThatThrownBy(() -> new StalledUploads.Ledger<String>(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one");
    }
}
