// Wide floating point for the x87 transcendental instructions: about 125 significant bits,
// so results rounded to the 64-bit register significand are nearly always the correctly
// rounded ones. A number lives in a 24-byte slot of static memory (no allocation):
//   +0 u64 mantissa high, +8 u64 mantissa low (a fraction in [1/2, 1), top bit set unless
//   the number is zero), +16 i32 exponent, +20 u32 sign (1 = negative).
// value = (-1)^sign * mantissa / 2^128 * 2^exponent. Results are truncated, not rounded.
import { BIAS, roundPack, mul128, mulHi, mulLo } from "./x87_fp";

const SLOTS: u32 = 24;
const POOL: usize = memory.data(24 * SLOTS);

// Slot i of the pool; callers name their temporaries by index.
@inline export function W(i: u32): u32 {
  return <u32>POOL + i * 24;
}

@inline function hi(p: u32): u64 { return load<u64>(p); }
@inline function lo(p: u32): u64 { return load<u64>(p + 8); }
@inline function ex(p: u32): i32 { return load<i32>(p + 16); }
@inline function sg(p: u32): u32 { return load<u32>(p + 20); }

@inline function put(p: u32, h: u64, l: u64, e: i32, s: u32): void {
  store<u64>(p, h);
  store<u64>(p + 8, l);
  store<i32>(p + 16, e);
  store<u32>(p + 20, s);
}

@inline export function wIsZero(p: u32): bool {
  return hi(p) == 0 && lo(p) == 0;
}

export function wNeg(p: u32): bool {
  return sg(p) != 0;
}

export function wExp(p: u32): i32 {
  return ex(p);
}

// Shift left until the top bit is set.
function setNorm(p: u32, h: u64, l: u64, e: i32, s: u32): void {
  if (h == 0) {
    if (l == 0) {
      put(p, 0, 0, 0, s);
      return;
    }
    h = l;
    l = 0;
    e -= 64;
  }
  const z = <i32>clz<u64>(h);
  if (z != 0) {
    h = (h << <u64>z) | (l >> <u64>(64 - z));
    l <<= <u64>z;
    e -= z;
  }
  put(p, h, l, e, s);
}

export function wCopy(d: u32, a: u32): void {
  put(d, hi(a), lo(a), ex(a), sg(a));
}

export function wSetNeg(p: u32, neg: bool): void {
  store<u32>(p + 20, neg ? 1 : 0);
}

// An 80-bit register value (finite).
export function wFrom80(p: u32, sig: u64, se: u32): void {
  let e: i32 = <i32>(se & 0x7fff);
  if (e == 0) e = 1;
  setNorm(p, sig, 0, e - BIAS + 1, se >> 15);
}

export function wFromInt(p: u32, v: i64): void {
  const neg = v < 0;
  setNorm(p, neg ? <u64>0 - <u64>v : <u64>v, 0, 64, neg ? 1 : 0);
}

// A constant given as its 128-bit mantissa and exponent.
export function wConst(p: u32, h: u64, l: u64, e: i32): void {
  put(p, h, l, e, 0);
}

// Fixed point: the signed integer m (two words, magnitude) times 2^-scale.
export function wFromFixed(p: u32, h: u64, l: u64, neg: bool, scale: i32): void {
  setNorm(p, h, l, 128 - scale, neg ? 1 : 0);
}

export function wFromF64(p: u32, v: f64): void {
  if (v == 0) {
    put(p, 0, 0, 0, 0);
    return;
  }
  const b = reinterpret<u64>(v);
  const e = <i32>((b >> 52) & 0x7ff);
  const m = (b & 0xfffffffffffff) | 0x10000000000000;
  setNorm(p, m << 11, 0, e - 1022, <u32>(b >> 63));
}

function toF64(p: u32): f64 {
  if (wIsZero(p)) return 0;
  const m = <f64>(hi(p) >> 11) * 2.0 ** -53;
  const v = m * Math.pow(2, <f64>ex(p));
  return sg(p) != 0 ? -v : v;
}

// d = a * b.
export function wMul(d: u32, a: u32, b: u32): void {
  if (wIsZero(a) || wIsZero(b)) {
    put(d, 0, 0, 0, sg(a) ^ sg(b));
    return;
  }
  const ah = hi(a), al = lo(a), bh = hi(b), bl = lo(b);
  mul128(ah, bh);
  const p3 = mulHi, p2 = mulLo;
  mul128(ah, bl);
  const q1 = mulHi, q0 = mulLo;
  mul128(al, bh);
  const r1 = mulHi, r0 = mulLo;
  mul128(al, bl);
  const s1 = mulHi;
  // word 1 = q0 + r0 + s1, carries into word 2
  let w1 = q0 + r0;
  let c: u64 = w1 < q0 ? 1 : 0;
  w1 += s1;
  if (w1 < s1) c++;
  let w2 = p2 + q1;
  let c2: u64 = w2 < p2 ? 1 : 0;
  w2 += r1;
  if (w2 < r1) c2++;
  w2 += c;
  if (w2 < c) c2++;
  const w3 = p3 + c2;
  const e = ex(a) + ex(b);
  if ((w3 >> 63) == 0) put(d, (w3 << 1) | (w2 >> 63), (w2 << 1) | (w1 >> 63), e - 1, sg(a) ^ sg(b));
  else put(d, w3, w2, e, sg(a) ^ sg(b));
}

// d = a + b, or a - b.
export function wAdd(d: u32, a: u32, b: u32, sub: bool): void {
  const sb = sg(b) ^ (sub ? 1 : 0);
  if (wIsZero(b)) {
    wCopy(d, a);
    return;
  }
  if (wIsZero(a)) {
    put(d, hi(b), lo(b), ex(b), sb);
    return;
  }
  let xh = hi(a), xl = lo(a), xe = ex(a), xs = sg(a);
  let yh = hi(b), yl = lo(b), ye = ex(b), ys = sb;
  if (ye > xe || (ye == xe && (yh > xh || (yh == xh && yl > xl)))) {
    let t = xh; xh = yh; yh = t;
    t = xl; xl = yl; yl = t;
    const te = xe; xe = ye; ye = te;
    const ts = xs; xs = ys; ys = ts;
  }
  // Align b; bits shifted out leave a sticky last bit so a tiny b still tips the rounding.
  const n = xe - ye;
  if (n >= 128) {
    yh = 0;
    yl = 1;
  } else if (n >= 64) {
    const lost = yl != 0 || (n > 64 && (yh << <u64>(128 - n)) != 0);
    yl = (yh >> <u64>(n - 64)) | (lost ? 1 : 0);
    yh = 0;
  } else if (n > 0) {
    const lost = (yl << <u64>(64 - n)) != 0;
    yl = (yl >> <u64>n) | (yh << <u64>(64 - n)) | (lost ? 1 : 0);
    yh >>= <u64>n;
  }
  if (xs == ys) {
    const l = xl + yl;
    const h = xh + yh + (l < xl ? 1 : 0);
    const carry = h < xh || (h == xh && l < xl);
    if (carry) put(d, (h >> 1) | 0x8000000000000000, (l >> 1) | (h << 63), xe + 1, xs);
    else put(d, h, l, xe, xs);
    return;
  }
  const l = xl - yl;
  const h = xh - yh - (xl < yl ? 1 : 0);
  setNorm(d, h, l, xe, xs);
}

// d = a / k for a small positive integer k (below 2^32).
export function wDivSmall(d: u32, a: u32, k: u32): void {
  // Long division in 32-bit limbs, one extra limb so the quotient keeps 128 bits.
  const kk = <u64>k;
  let r: u64 = 0;
  let q0: u64 = 0, q1: u64 = 0, q2: u64 = 0; // 160-bit quotient, q2 holds the top 32 bits
  const h = hi(a), l = lo(a);
  for (let i = 0; i < 5; i++) {
    let limb: u64;
    if (i == 0) limb = h >> 32;
    else if (i == 1) limb = h & 0xffffffff;
    else if (i == 2) limb = l >> 32;
    else if (i == 3) limb = l & 0xffffffff;
    else limb = 0;
    const cur = (r << 32) | limb;
    const q = cur / kk;
    r = cur - q * kk;
    q2 = (q2 << 32) | (q1 >> 32);
    q1 = (q1 << 32) | (q0 >> 32);
    q0 = (q0 << 32) | q;
  }
  // quotient = q2:q1:q0 (q2 < 2^32) = a.mantissa * 2^32 / k
  const e = ex(a);
  let th = (q2 << 32) | (q1 >> 32);
  let tl = (q1 << 32) | (q0 >> 32);
  let rest = q0 << 32;
  if (th == 0 && tl == 0) {
    put(d, 0, 0, 0, sg(a));
    return;
  }
  // normalise with the bits below
  const z = th != 0 ? <i32>clz<u64>(th) : 64 + <i32>clz<u64>(tl);
  for (let i = 0; i < z; i++) {
    th = (th << 1) | (tl >> 63);
    tl = (tl << 1) | (rest >> 63);
    rest <<= 1;
  }
  put(d, th, tl, e - z, sg(a));
}

// Set the last mantissa bit: the value is known to be inexact.
export function wJam(p: u32): void {
  if (!wIsZero(p)) store<u64>(p + 8, lo(p) | 1);
}

// d = a * 2^n.
export function wScale(d: u32, a: u32, n: i32): void {
  put(d, hi(a), lo(a), ex(a) + n, sg(a));
}

const T0: u32 = 20; // private temporaries (W(20)..W(23))

// d = a / b (b nonzero): Newton's iteration for 1/b from a double-precision start.
export function wDiv(d: u32, a: u32, b: u32): void {
  const y = W(T0), t = W(T0 + 1), one = W(T0 + 2), bb = W(T0 + 3);
  wCopy(bb, b);
  const be = ex(b);
  store<i32>(bb + 16, 0); // bb in [1/2, 1)
  store<u32>(bb + 20, 0);
  wFromF64(y, 1.0 / toF64(bb));
  wFromInt(one, 1);
  for (let i = 0; i < 2; i++) {
    wMul(t, bb, y);
    wAdd(t, one, t, true);
    wMul(t, y, t);
    wAdd(y, y, t, false);
  }
  wMul(d, a, y);
  store<i32>(d + 16, ex(d) - be);
  store<u32>(d + 20, sg(a) ^ sg(b));
}

// d = sqrt(a) (a >= 0): Newton's iteration for 1/sqrt(a), then a * that.
export function wSqrt(d: u32, a: u32): void {
  if (wIsZero(a)) {
    put(d, 0, 0, 0, 0);
    return;
  }
  const y = W(T0), t = W(T0 + 1), three = W(T0 + 2), aa = W(T0 + 3);
  // a = m * 2^e with e even, m in [1/4, 1)
  let e = ex(a);
  wCopy(aa, a);
  store<u32>(aa + 20, 0);
  const odd = (e & 1) != 0;
  store<i32>(aa + 16, odd ? 1 : 0);
  e -= odd ? 1 : 0;
  wFromF64(y, 1.0 / Math.sqrt(toF64(aa)));
  wFromInt(three, 3);
  for (let i = 0; i < 2; i++) {
    wMul(t, y, y);
    wMul(t, t, aa);
    wAdd(t, three, t, true);
    wMul(t, t, y);
    wScale(y, t, -1);
  }
  wMul(d, aa, y);
  store<i32>(d + 16, ex(d) + (e >> 1));
}

// Round to an 80-bit register value under ctl (64-bit significand); result and flags as
// x87_fp's operations.
export function wRound(p: u32, ctl: u32): u32 {
  return roundPack(sg(p) != 0, ex(p) + BIAS - 1, hi(p), lo(p), ctl, 64);
}
