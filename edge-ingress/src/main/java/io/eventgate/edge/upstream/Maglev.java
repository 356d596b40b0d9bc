package io.eventgate.edge.upstream;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of a prime size in which each instance takes
 * slots in the order of its own permutation, turn by turn, so that every instance holds about its share of the slots
 * and adding or removing one of N instances moves about 1/N of the keys. Weights give an instance more turns. Written
 * here because no kept library on Maven Central offers it on its own; the table is built once per set of instances.
 */
public final class Maglev {
    /** Slots: a prime well above the instances a pool has, so that shares stay within a fraction of a percent. */
    static final int SIZE = 65_537;

    private final int[] table;

    /** The table for instances named {@code names} (their addresses) with {@code weights}. */
    Maglev(List<String> names, int[] weights) {
        int n = names.size();
        long[] offset = new long[n];
        long[] skip = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] name = names.get(i).getBytes(StandardCharsets.UTF_8);
            offset[i] = Long.remainderUnsigned(hash(name, 0x9E3779B97F4A7C15L), SIZE);
            skip[i] = Long.remainderUnsigned(hash(name, 0xC2B2AE3D27D4EB4FL), SIZE - 1) + 1;
        }
        int maxWeight = 1;
        for (int weight : weights) {
            maxWeight = Math.max(maxWeight, weight);
        }
        table = new int[SIZE];
        java.util.Arrays.fill(table, -1);
        long[] next = new long[n];
        double[] credit = new double[n];
        int filled = 0;
        while (filled < SIZE) {
            for (int i = 0; i < n && filled < SIZE; i++) {
                credit[i] += (double) Math.max(weights[i], 0) / maxWeight;
                while (credit[i] >= 1 && filled < SIZE) {
                    credit[i] -= 1;
                    long slot;
                    do {
                        slot = (offset[i] + next[i] * skip[i]) % SIZE;
                        next[i]++;
                    } while (table[(int) slot] >= 0);
                    table[(int) slot] = i;
                    filled++;
                }
            }
        }
    }

    /** The index of the instance that holds {@code key}. */
    int lookup(String key) {
        return table[(int) Long.remainderUnsigned(hash(key.getBytes(StandardCharsets.UTF_8), 0), SIZE)];
    }

    /** FNV-1a over the bytes from {@code seed}, finished with SplitMix64's mixer: cheap, and well spread for short keys. */
    public static long hash(byte[] bytes, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
