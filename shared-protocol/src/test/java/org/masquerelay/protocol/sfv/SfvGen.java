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
package org.masquerelay.protocol.sfv;

import java.util.List;
import org.masquerelay.protocol.Gen;

/**
 * RFC 8941 pieces for properties of the structured fields built on {@link StructuredFieldParser}.
 */
public final class SfvGen {

    /** Characters that RFC 8941 gives a meaning, and some it does not allow. */
    public static final String HOSTILE_CHARS = "\"\\:;=,()?*-.019 \taAzZ/+_%!#~\u00e9\u0000\u007f";

    private static final String KEY_START = "abcxyz*";
    private static final String KEY_CHARS = KEY_START + "09_-.";
    private static final String TOKEN_CHARS = "aZ09!#$%&'*+-.^_`|~:/";

    /** RFC 8941 §3.1.2 keys: lower-case letter or '*', then lower-case, digits, "_-.*". */
    public static final Gen<String> KEYS =
            Gen.combine(Gen.strings(KEY_START, 1, 1), Gen.strings(KEY_CHARS, 0, 8), String::concat);

    /** RFC 8941 §3.3.4 tokens. */
    public static final Gen<String> TOKENS =
            Gen.combine(Gen.strings("aZ*", 1, 1), Gen.strings(TOKEN_CHARS, 0, 10), String::concat);

    /** Printable ASCII, quote and backslash included (RFC 8941 §3.3.3). */
    public static final Gen<String> STRINGS =
            Gen.strings(" !\"#\\aZ09~" + "x".repeat(10), 0, 30).withEdgeCases(List.of("", "\"", "\\", " ".repeat(3)));

    private SfvGen() {}
}
