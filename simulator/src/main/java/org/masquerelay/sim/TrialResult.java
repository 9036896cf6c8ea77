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

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.masquerelay.config.IpPrefix;
import org.masquerelay.pool.City;
import org.masquerelay.pool.PoolRegistry;

/**
 * One trial of {@link GeoModel}, merged over its threads in client order: the clients, and every
 * connection as (epoch, address, client), sorted, with the address table sorted by address, so
 * nothing depends on how the clients were split.
 */
public final class TrialResult {
    final int trial;
    final GeoModel.Client[] clients;
    /** Sorted (epoch index << 48 | address id << 24 | client id). */
    final long[] connections;
    /** By address id, in ascending address order. */
    final InetAddress[] addresses;

    final int[] addressCity;
    final long firstEpoch;
    final int epochs;
    /** [city][epoch] clients with a connection. */
    final int[][] active;
    /** [city * 2 + v6][consecutive pairs, same, in-epoch pairs, same]. */
    final long[][] link;

    final long sticky;
    final double stickyExpected;
    final long stickyEligible;
    final long unroutable;
    final GeoModel.AuditResult audit;
    final List<City> cities;

    private TrialResult(
            int trial,
            GeoModel.Client[] clients,
            long[] connections,
            InetAddress[] addresses,
            int[] addressCity,
            long firstEpoch,
            int epochs,
            int[][] active,
            long[][] link,
            long sticky,
            double stickyExpected,
            long stickyEligible,
            long unroutable,
            GeoModel.AuditResult audit,
            List<City> cities) {
        this.trial = trial;
        this.clients = clients;
        this.connections = connections;
        this.addresses = addresses;
        this.addressCity = addressCity;
        this.firstEpoch = firstEpoch;
        this.epochs = epochs;
        this.active = active;
        this.link = link;
        this.sticky = sticky;
        this.stickyExpected = stickyExpected;
        this.stickyEligible = stickyEligible;
        this.unroutable = unroutable;
        this.audit = audit;
        this.cities = cities;
    }

    static TrialResult merge(
            int trial,
            GeoModel model,
            GeoModel.Client[] clients,
            List<GeoModel.Shard> parts,
            GeoModel.AuditResult audit) {
        PoolRegistry registry = model.registry();
        List<InetAddress> all = new ArrayList<>();
        for (GeoModel.Shard p : parts) {
            all.addAll(p.addresses);
        }
        InetAddress[] sorted = all.stream().distinct().sorted(ADDRESS_ORDER).toArray(InetAddress[]::new);
        if (sorted.length >= 1 << 24) {
            throw new IllegalStateException(sorted.length + " distinct egress addresses (expected: fewer than 2^24;"
                    + " use smaller pools or fewer clients)");
        }
        int[] addressCity = new int[sorted.length];
        int total = 0;
        for (GeoModel.Shard p : parts) {
            total += p.packed.size;
        }
        long[] connections = new long[total];
        int at = 0;
        GeoModel.Shard first = parts.get(0);
        int cities = registry.cities().size();
        int[][] active = new int[cities][first.epochs];
        long[][] link = new long[cities * 2][4];
        long sticky = 0;
        double stickyExpected = 0;
        long stickyEligible = 0;
        long unroutable = 0;
        for (GeoModel.Shard p : parts) {
            int[] remap = new int[p.addresses.size()];
            for (int i = 0; i < remap.length; i++) {
                remap[i] = Arrays.binarySearch(sorted, p.addresses.get(i), ADDRESS_ORDER);
                addressCity[remap[i]] = p.addressCity.values[i];
            }
            for (int i = 0; i < p.packed.size; i++) {
                long v = p.packed.values[i];
                int local = (int) ((v >>> 24) & 0xFFFFFF);
                connections[at++] = (v & ~(0xFFFFFFL << 24)) | ((long) remap[local] << 24);
            }
            for (int c = 0; c < cities; c++) {
                for (int e = 0; e < first.epochs; e++) {
                    active[c][e] += p.active[c][e];
                }
            }
            for (int j = 0; j < link.length; j++) {
                for (int q = 0; q < 4; q++) {
                    link[j][q] += p.link[j][q];
                }
            }
            sticky += p.sticky;
            stickyExpected += p.stickyExpected;
            stickyEligible += p.stickyEligible;
            unroutable += p.unroutable;
        }
        Arrays.parallelSort(connections);
        return new TrialResult(
                trial,
                clients,
                connections,
                sorted,
                addressCity,
                first.firstEpoch,
                first.epochs,
                active,
                link,
                sticky,
                stickyExpected,
                stickyEligible,
                unroutable,
                audit,
                registry.cities());
    }

    /** IPv4 before IPv6, then by unsigned bytes. */
    static final Comparator<InetAddress> ADDRESS_ORDER = (a, b) -> {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        return x.length != y.length ? Integer.compare(x.length, y.length) : Arrays.compareUnsigned(x, y);
    };

    static int epochOf(long packed) {
        return (int) (packed >>> 48);
    }

    static int addressOf(long packed) {
        return (int) ((packed >>> 24) & 0xFFFFFF);
    }

    static int clientOf(long packed) {
        return (int) (packed & 0xFFFFFF);
    }

    /** The position of {@code address} among all addresses of its family in {@code city}'s pool. */
    static BigInteger poolIndex(City city, InetAddress address) {
        boolean v6 = address.getAddress().length == 16;
        BigInteger offset = BigInteger.ZERO;
        BigInteger a = new BigInteger(1, address.getAddress());
        for (IpPrefix p : city.prefixes(v6)) {
            if (p.contains(address)) {
                return offset.add(a.subtract(new BigInteger(1, p.network().getAddress())));
            }
            offset = offset.add(p.size());
        }
        throw new IllegalArgumentException(address + " is not in the pool of " + city.id());
    }
}
