/**
 * mulberry32: a small, fast, seeded PRNG returning floats in [0, 1); the same
 * sequence for the same seed. Plain JavaScript, so both the bench's TypeScript
 * (drill.ts) and its stand-alone scripts run by `node` (soak-flood.mjs) use it.
 * @param {number} seed
 * @returns {() => number}
 */
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
