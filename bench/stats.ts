// Small statistics for benchmarks on a noisy machine: medians, and bootstrap confidence intervals of
// statistics computed over rounds (a round runs every configuration once, back to back, so the values
// of one round share the machine's load and are resampled together).

import { Random } from "./resources";

/**
 * The items in the order of round `by`: rotated by one each round, so that drift in the machine's load reaches every
 * configuration alike and each goes first equally often.
 */
export function rotate<T>(items: readonly T[], by: number): T[] {
    const k = by % items.length;
    return [...items.slice(k), ...items.slice(0, k)];
}

export function median(values: readonly number[]): number {
    if (values.length === 0) {
        return NaN;
    }
    const s = [...values].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The value below which `p` (0..1) of the sorted values lie, interpolated linearly. */
export function quantile(sorted: readonly number[], p: number): number {
    if (sorted.length === 0) {
        return NaN;
    }
    const at = (sorted.length - 1) * p;
    const lo = Math.floor(at);
    const hi = Math.ceil(at);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export interface Interval {
    readonly low: number;
    readonly high: number;
}

/**
 * Percentile bootstrap: resamples the `rounds` round indices with replacement `resamples` times,
 * computes `statistic` on each resample and returns the central `level` interval. Deterministic
 * (seeded), so the same measurements always give the same interval.
 */
export function bootstrap(
    rounds: number,
    statistic: (indices: readonly number[]) => number,
    { resamples = 4000, level = 0.95, seed = 20260311 } = {},
): Interval {
    if (rounds < 1) {
        return { low: NaN, high: NaN };
    }
    const rnd = new Random(seed);
    const values: number[] = [];
    for (let i = 0; i < resamples; i++) {
        const indices = Array.from({ length: rounds }, () => rnd.int(0, rounds - 1));
        const v = statistic(indices);
        if (Number.isFinite(v)) {
            values.push(v);
        }
    }
    values.sort((a, b) => a - b);
    return { low: quantile(values, (1 - level) / 2), high: quantile(values, 1 - (1 - level) / 2) };
}

/** `values[i]` for each index: one resample of per-round values. */
export function pick(values: readonly number[], indices: readonly number[]): number[] {
    return indices.map((i) => values[i]);
}

/** median(a) ÷ median(b) with a paired bootstrap interval (a[i] and b[i] come from round i). */
export function ratioOfMedians(a: readonly number[], b: readonly number[]): { value: number } & Interval {
    const value = median(a) / median(b);
    return {
        value,
        ...bootstrap(Math.min(a.length, b.length), (ix) => median(pick(a, ix)) / median(pick(b, ix))),
    };
}

/** (median(a) − median(b)) ÷ `per`, with a paired bootstrap interval. */
export function differenceOfMedians(a: readonly number[], b: readonly number[], per = 1): { value: number } & Interval {
    const value = (median(a) - median(b)) / per;
    return {
        value,
        ...bootstrap(Math.min(a.length, b.length), (ix) => (median(pick(a, ix)) - median(pick(b, ix))) / per),
    };
}

/** An estimate as `value [low, high]`, with `digits` decimals. */
export function formatEstimate(e: { value: number } & Interval, digits: number): string {
    return `${e.value.toFixed(digits)} [${e.low.toFixed(digits)}, ${e.high.toFixed(digits)}]`;
}

/** How far a target ratio is met, given the interval: only a verdict the noise cannot overturn is definite. */
export type Verdict = "met" | "missed" | "inconclusive";

export function verdict(estimate: Interval, limit: number): Verdict {
    if (estimate.high <= limit) {
        return "met";
    }
    if (estimate.low > limit) {
        return "missed";
    }
    return "inconclusive";
}

/** (max − min) ÷ median: how much the runs of one configuration disagree. */
export function relativeSpread(values: readonly number[]): number {
    return values.length === 0 ? NaN : (Math.max(...values) - Math.min(...values)) / median(values);
}
