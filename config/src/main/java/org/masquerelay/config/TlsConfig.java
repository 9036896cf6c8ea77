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
package org.masquerelay.config;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Server certificate chain and private key, as PEM file paths (secrets come from files, never
 * inline). Relative paths resolve against the config file's directory.
 */
public record TlsConfig(
        @Nullable Path certificate, @Nullable Path privateKey) {
    public void validate(String path, ConfigErrors errors) {
        checkFile(path + ".certificate", certificate, errors);
        checkFile(path + ".private-key", privateKey, errors);
    }

    public static void checkFile(String path, @Nullable Path file, ConfigErrors errors) {
        if (file == null) {
            errors.missing(path);
        } else if (!Files.isReadable(file)) {
            errors.add(path, file, "a readable PEM file");
        }
    }

    public TlsConfig resolve(Path base) {
        return new TlsConfig(
                certificate == null ? null : base.resolve(certificate),
                privateKey == null ? null : base.resolve(privateKey));
    }
}
