/** Types of seeded-random.mjs (plain JavaScript, shared with scripts run by node). */
export function random(seed: number): () => number;
