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
/**
 * The research simulator behind {@code masque sim} (docs/simulator.md).
 *
 * <ul>
 *   <li>{@link org.masquerelay.sim.Scenario}: the validated {@code scenario.yaml};</li>
 *   <li>{@link org.masquerelay.sim.GeoModel}: model mode, which runs the ingress's
 *       {@code ClientLocator}, the egress's {@code LocationVerifier}, the {@code PoolRegistry} and
 *       {@code AddressSelector} (docs/architecture.md §4) for a synthetic population, without sockets;</li>
 *   <li>{@link org.masquerelay.sim.GeoOutputs}: its CSVs, {@code summary.json} and the checks;</li>
 *   <li>{@link org.masquerelay.sim.Report}: the HTML report with an SVG per figure;</li>
 *   <li>{@link org.masquerelay.sim.SampleSet}: {@code masque sim sample}.</li>
 * </ul>
 */
@NullMarked
package org.masquerelay.sim;

import org.jspecify.annotations.NullMarked;
