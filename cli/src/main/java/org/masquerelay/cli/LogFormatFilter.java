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
package org.masquerelay.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Objects;

/**
 * Passes events to its appender only when {@code MASQUE_LOG_FORMAT} names that appender's format
 * ({@code text} by default), so logback.xml can attach both appenders without a conditional and
 * without an unreferenced one (which Logback reports on every start). {@link MasqueCli#main}
 * refuses any value other than {@code text} and {@code json}.
 */
public final class LogFormatFilter extends Filter<ILoggingEvent> {
    private static final String ACTIVE = Objects.requireNonNullElse(System.getenv(MasqueCli.LOG_FORMAT), "text");

    private boolean active;

    /** The format this filter's appender writes: {@code text} or {@code json}. */
    public void setFormat(String format) {
        active = ACTIVE.equals(format);
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        return active ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
