package org.masquerelay.config;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Server certificate chain and private key, as PEM file paths (secrets come from files, never
 * inline). Relative paths resolve against the config file's directory.
 */
public record TlsConfig(Path certificate, Path privateKey) {
    public void validate(String path, ConfigErrors errors) {
        checkFile(path + ".certificate", certificate, errors);
        checkFile(path + ".private-key", privateKey, errors);
    }

    public static void checkFile(String path, Path file, ConfigErrors errors) {
        if (file == null) {
            errors.missing(path);
        } else if (!Files.isReadable(file)) {
            errors.add(path, file, "a readable PEM file");
        }
    }

    public TlsConfig resolve(Path base) {
        return new TlsConfig(certificate == null ? null : base.resolve(certificate),
                privateKey == null ? null : base.resolve(privateKey));
    }
}
