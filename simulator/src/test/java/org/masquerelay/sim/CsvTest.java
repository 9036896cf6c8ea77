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
package org.masquerelay.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CsvTest {
    @Test
    void fixedDecimalsMatchTheFormatterOnOrdinaryValues() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            double d = (rng.nextDouble() - 0.5) * Math.pow(10, rng.nextInt(8));
            String expected = String.format(Locale.ROOT, "%.4f", d);
            String actual = Csv.fixed4(d);
            // they may differ only on an exact tie in binary, which the formatter rounds differently
            if (!expected.equals(actual)) {
                assertThat(Math.abs(Math.abs(d) * 10_000 - Math.floor(Math.abs(d) * 10_000) - 0.5))
                        .as(d + ": " + expected + " vs " + actual)
                        .isLessThan(1e-6);
            }
        }
        assertThat(Csv.fixed4(0.0)).isEqualTo("0.0000");
        assertThat(Csv.fixed4(-0.00001)).isEqualTo("0.0000");
        assertThat(Csv.fixed4(-3.25)).isEqualTo("-3.2500");
        assertThat(Csv.fixed4(51.5072)).isEqualTo("51.5072");
    }

    @Test
    void aValueWithACommaIsRefused() {
        assertThatThrownBy(() -> new Csv("a,b").row("x,y", 1)).hasMessageContaining("no comma");
        assertThatThrownBy(() -> new Csv("a,b").row(1)).hasMessageContaining("1 values (expected: 2)");
    }
}
