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
package org.masquerelay.protocol.token;

/**
 * The HTTP names of the Privacy Pass issuance protocol (<a
 * href="https://www.rfc-editor.org/rfc/rfc9578">RFC 9578</a>), shared by the issuer and the
 * client's token fetcher.
 */
public final class IssuanceHttp {
    /** Where the issuer directory is served (RFC 9578 §4, §8.1). */
    public static final String DIRECTORY_PATH = "/.well-known/private-token-issuer-directory";
    /** Media type of the issuer directory (RFC 9578 §4, §8.3.1). */
    public static final String DIRECTORY_MEDIA_TYPE = "application/private-token-issuer-directory";
    /** Media type of a TokenRequest (RFC 9578 §6.1, §8.3.2). */
    public static final String REQUEST_MEDIA_TYPE = "application/private-token-request";
    /** Media type of a TokenResponse (RFC 9578 §6.2, §8.3.3). */
    public static final String RESPONSE_MEDIA_TYPE = "application/private-token-response";
    /**
     * This issuer's Issuer Request URL path. The directory names it as a URL relative to itself,
     * which RFC 9578 §4 allows, so the issuer need not know the scheme and host clients use.
     */
    public static final String REQUEST_PATH = "/token-request";

    private IssuanceHttp() {}
}
