// How `container-guard scan` tunes V8's heap for its own process. A scan holds what it read until the stack
// policies have run, and V8's defaults let the heap grow to several times that. Only the command's own process is
// tuned (never a program that calls run() in process), and nothing the user tuned is changed: node's own arguments
// and NODE_OPTIONS win. Figures: docs/scanning.md#speed.

import * as v8 from "v8";

/**
 * How much V8 lets the old generation grow past what survived the last full collection, in percent. V8's own factor
 * let 5,000 Deployment files peak at about 350 MiB of RSS with about 125 MiB alive, and at about 250 MiB with 25 here,
 * for about 6 % more CPU time.
 */
const HEAP_GROWING_PERCENT = 25;

/**
 * The young generation's size (both semi-spaces) at which it stops growing. V8 doubles it up to 32 MiB on 64-bit
 * Node.js 20; stopped at 16 MiB, the scan of 5,000 Deployment files peaked 20–30 MiB lower and took less CPU time
 * (median 12.0 → 10.6 s: each scavenge covers less memory), while keeping it at its initial 1 MiB cost about 13 %
 * more CPU time (short-lived objects promoted to the old generation).
 */
const YOUNG_GENERATION_LIMIT = 16 * 1024 * 1024;

/** The young generation is checked once every this many calls of `check` (a resource judged each). */
const CHECK_EVERY = 8;

export interface HeapTuning {
    /**
     * Called as the scan goes (once per resource judged): stops the young generation's growth once it reaches
     * YOUNG_GENERATION_LIMIT. V8 reads its growth factor each time it grows the young generation, while its maximum
     * size is fixed when the process starts; so the factor is set to 1 once the size is reached.
     */
    check(): void;
}

/** What tuning reads and sets (V8 itself, or a test's stand-ins). */
export interface HeapControls {
    /** The young generation's current size in bytes (both semi-spaces). */
    youngGenerationSize(): number | undefined;
    setFlags(flags: string): void;
}

const V8_CONTROLS: HeapControls = {
    youngGenerationSize: () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.space_size,
    setFlags: (flags) => v8.setFlagsFromString(flags),
};

const UNTUNED: HeapTuning = { check() {} };

let current: HeapTuning = UNTUNED;

/** The process's heap tuning: a no-op unless tuneHeap ran (the command is the process's entry point). */
export function heapTuning(): HeapTuning {
    return current;
}

/** Tunes the heap of this process (the command's entry point): see heapTuner. heapTuning() returns it from now on. */
export function tuneHeap(given: readonly string[]): void {
    current = heapTuner(given, V8_CONTROLS);
}

/**
 * Sets the heap's growing factor and returns what the scan calls as it goes, leaving alone what the user set:
 * `given` is node's own arguments and NODE_OPTIONS.
 */
export function heapTuner(given: readonly string[], controls: HeapControls): HeapTuning {
    const set = given.join(" ");
    if (!/heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size/.test(set)) {
        controls.setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    }
    if (/semi[-_]space/.test(set)) {
        return UNTUNED;
    }
    let calls = 0;
    let capped = false;
    return {
        check() {
            if (capped || ++calls % CHECK_EVERY !== 0) {
                return;
            }
            const size = controls.youngGenerationSize();
            if (size === undefined) {
                capped = true; // not told the size (another V8): left as V8 sizes it
            } else if (size >= YOUNG_GENERATION_LIMIT) {
                controls.setFlags("--semi-space-growth-factor=1");
                capped = true;
            }
        },
    };
}
