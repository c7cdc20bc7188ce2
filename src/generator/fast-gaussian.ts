/**
 * Box-Muller as Sfc32.gaussian() computes it, from the same 32-bit draws, but with table-based
 * log, sin and cos instead of Math.log, Math.sin and Math.cos (the bulk of a window's cost). The
 * results are within GAUSSIAN_APPROX_ERROR of the exact ones, not equal: callers use them only
 * where that bound is checked (CarSignal's fast windows, see car-source.ts).
 */

/**
 * Worst case, derived below: sin and cos each within ~2e-15 of Math's (table entries, and the
 * exact code's own rounding of 2 pi v), times r <= 6.7; log(u) within ~3e-16 absolute for u in
 * [1/2, 1) and ~5e-15 below, which moves r = sqrt(-2 log u) by |d log| / r: at most ~1.5e-11,
 * reached only for u within 2^-31 of 1. The constant leaves a margin of 5 over their sum.
 */
export const GAUSSIAN_APPROX_ERROR = 1e-10;

const TWO_32 = 4294967296;

// sin and cos of 2 pi v / 2^32: a table at the top TURN_BITS bits of v, and the rest of the angle,
// b < 2 pi / 2^TURN_BITS = 0.0061, by Taylor series (terms left out < 1e-16).
const TURN_BITS = 10;
const TURN_SHIFT = 32 - TURN_BITS;
const TURN_REST_MASK = (1 << TURN_SHIFT) - 1;
const RADIANS_PER_UNIT = (2 * Math.PI) / TWO_32;
const SIN_TABLE = Float64Array.from({ length: 1 << TURN_BITS }, (_, k) => Math.sin((2 * Math.PI * k) / (1 << TURN_BITS)));
const COS_TABLE = Float64Array.from({ length: 1 << TURN_BITS }, (_, k) => Math.cos((2 * Math.PI * k) / (1 << TURN_BITS)));

// log(u / 2^32): shift u up to m in [2^31, 2^32), so u / 2^32 = m / 2^32 x 2^-shift; the next
// LOG_BITS bits of m pick c, the middle of its interval, and log(m / 2^32) = log c + log1p(r)
// with |r| <= 2^-(LOG_BITS + 1), where five series terms leave out < 1e-17.
const LOG_BITS = 8;
const LOG_INDEX_SHIFT = 31 - LOG_BITS;
const LOG_INDEX_MASK = (1 << LOG_BITS) - 1;
const LOG_MIDDLES = Float64Array.from({ length: 1 << LOG_BITS }, (_, j) => ((1 << LOG_BITS) + j + 0.5) / (1 << (LOG_BITS + 1)));
const LOG_TABLE = LOG_MIDDLES.map((c) => Math.log(c));
/** 1 / (c x 2^32), so that m x it - 1 = r. */
const LOG_INVERSE_TABLE = LOG_MIDDLES.map((c) => 1 / (c * TWO_32));

/**
 * The pairs Sfc32.gaussian() makes from the raw draws u, v (integers in [0, 2^32)) at draws[2k],
 * draws[2k + 1]: r cos(2 pi v / 2^32) goes to out[at + 2k], r sin(...) to out[at + 2k + 1], with
 * r = sqrt(-2 log(u / 2^32)). Returns false, leaving out partly written, at a u of 0 (gaussian()
 * draws again there). No calls in the loop: V8 boxes every number a non-inlined call returns.
 */
export function gaussianPairsApprox(draws: Uint32Array, pairs: number, out: Float64Array, at: number): boolean {
  for (let k = 0; k < pairs; k++) {
    const u = draws[2 * k]!;
    const v = draws[2 * k + 1]!;
    if (u === 0) return false;

    const shift = Math.clz32(u);
    const m = (u << shift) >>> 0;
    const j = (m >>> LOG_INDEX_SHIFT) & LOG_INDEX_MASK;
    const r = m * LOG_INVERSE_TABLE[j]! - 1;
    const log1p = r * (1 - r * (1 / 2 - r * (1 / 3 - r * (1 / 4 - r / 5))));
    const radius = Math.sqrt(-2 * (LOG_TABLE[j]! + log1p - shift * Math.LN2));

    const turn = v >>> TURN_SHIFT;
    const b = (v & TURN_REST_MASK) * RADIANS_PER_UNIT;
    const b2 = b * b;
    const sinB = b * (1 - b2 * (1 / 6 - b2 / 120));
    const cosB = 1 - b2 * (1 / 2 - b2 * (1 / 24 - b2 / 720));
    const sinTurn = SIN_TABLE[turn]!;
    const cosTurn = COS_TABLE[turn]!;
    out[at + 2 * k] = radius * (cosTurn * cosB - sinTurn * sinB);
    out[at + 2 * k + 1] = radius * (sinTurn * cosB + cosTurn * sinB);
  }
  return true;
}
