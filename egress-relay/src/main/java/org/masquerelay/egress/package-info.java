/**
 * The egress relay: it ends the inner QUIC connection that arrives from an ingress relay, checks
 * the signed location, and dials each target from a source address of the city pool nearest that
 * location (docs/architecture.md §1, §4). Folders follow the data path: {@code config},
 * {@code downstream} (toward the ingress), {@code policy} and {@code upstream} (toward targets).
 */
@NullMarked
package org.masquerelay.egress;

import org.jspecify.annotations.NullMarked;
