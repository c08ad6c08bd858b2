// "Did you mean" suggestions for names a user may have misspelled: policy options, scanner arguments, kinds and
// API groups.

/** Levenshtein distance (insertions, deletions, substitutions; case-sensitive). */
export function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/** How far a misspelling may be from what was meant: 2 edits, more for long words (one in three characters). */
export function nearEnough(word: string, distance: number): boolean {
    return distance <= Math.max(2, Math.floor(word.length / 3));
}

/**
 * The candidate closest to `word` (ignoring case, so `deployment` suggests `Deployment`) when it is near enough to be a
 * misspelling of it.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const c of candidates) {
        const d = editDistance(word.toLowerCase(), c.toLowerCase());
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best !== undefined && best !== word && nearEnough(word, bestDistance) ? best : undefined;
}
