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
package org.masquerelay.protocol.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.masquerelay.protocol.sfv.StructuredFieldParser;

/** RFC 9209 §2.3 tokens and the statuses of docs/architecture.md §3. */
class ProxyErrorTypeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "DNS_ERROR                 , dns_error                 , 502",
        "DNS_TIMEOUT               , dns_timeout               , 504",
        "DESTINATION_NOT_FOUND     , destination_not_found     , 502",
        "DESTINATION_UNAVAILABLE   , destination_unavailable   , 503",
        "DESTINATION_IP_PROHIBITED , destination_ip_prohibited , 403",
        "DESTINATION_IP_UNROUTABLE , destination_ip_unroutable , 502",
        "CONNECTION_REFUSED        , connection_refused        , 502",
        "CONNECTION_TERMINATED     , connection_terminated     , 502",
        "CONNECTION_TIMEOUT        , connection_timeout        , 504",
        "CONNECTION_READ_TIMEOUT   , connection_read_timeout   , 504",
        "CONNECTION_WRITE_TIMEOUT  , connection_write_timeout  , 504",
        "CONNECTION_LIMIT_REACHED  , connection_limit_reached  , 503",
        "HTTP_REQUEST_ERROR        , http_request_error        , 400",
        "HTTP_REQUEST_DENIED       , http_request_denied       , 403",
        "PROXY_INTERNAL_ERROR      , proxy_internal_error      , 500",
        "PROXY_CONFIGURATION_ERROR , proxy_configuration_error , 500",
        "PROXY_LOOP_DETECTED       , proxy_loop_detected       , 502",
    })
    void hasTokenAndStatus(ProxyErrorType type, String token, int status) {
        assertThat(type.token()).isEqualTo(token);
        assertThat(type.status()).isEqualTo(status);
    }

    @Test
    void tableCoversEveryConstant() {
        assertThat(ProxyErrorType.values()).hasSize(17);
    }

    @ParameterizedTest
    @EnumSource(ProxyErrorType.class)
    void fromTokenFindsEveryConstant(ProxyErrorType type) {
        assertThat(ProxyErrorType.fromToken(type.token())).contains(type);
        assertThat(StructuredFieldParser.isToken(type.token())).isTrue();
    }

    @Test
    void unknownTokenIsEmpty() {
        assertThat(ProxyErrorType.fromToken("tls_protocol_error")).isEmpty();
        assertThat(ProxyErrorType.fromToken("DNS_ERROR")).isEmpty();
        assertThat(ProxyErrorType.fromToken(null)).isEmpty();
    }

    @Test
    void tokensAreDistinct() {
        assertThat(Arrays.stream(ProxyErrorType.values()).map(ProxyErrorType::token))
                .doesNotHaveDuplicates();
    }
}
