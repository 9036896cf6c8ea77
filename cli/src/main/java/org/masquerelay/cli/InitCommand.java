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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "init",
        description = "Write a ready-to-run loopback deployment (configs, CA, certificates, "
                + "geo database and city pools).")
final class InitCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Directory to write into (created if missing).")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(dir.resolve("ingress.yaml")) || Files.exists(dir.resolve("egress.yaml"))) {
            System.err.println("error: " + dir + " already holds a deployment; refusing to overwrite keys");
            return 1;
        }
        LoopbackDeployment.write(dir, LoopbackDeployment.Ports.DEFAULT);
        System.out.printf("""
                wrote %1$s: ingress.yaml egress.yaml client.yaml ca.crt, relay keys, geo.csv and pool.yaml
                  ./masque egress  --config %1$s/egress.yaml
                  ./masque ingress --config %1$s/ingress.yaml
                  ./masque fetch http://127.0.0.1:8000/ --config %1$s/client.yaml
                  ./masque pool export-csv --config %1$s/pool.yaml
                """, dir);
        return 0;
    }
}
