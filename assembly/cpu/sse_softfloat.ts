// Exact IEEE binary32/binary64 arithmetic with x86 SSE semantics, in integers.
// wasm float ops round to nearest only and report no exceptions, while MXCSR asks for four
// rounding modes, FTZ/DAZ and exact IE DE ZE OE UE PE flags, so every rounding operation goes
// through roundPack() below. A value is carried unpacked as a 64-bit significand `sig` with its
// leading one at bit 62 and every lost bit OR-ed into bit 0 (sticky), and an exponent `exp`:
// value = sig * 2^(exp - 62). Bit patterns of either format travel in a u64 (binary32 in the low
// half); `dbl` selects the format.
import { mulhu } from "./alu";

// MXCSR bits.
export const IE: u32 = 1;
export const DE: u32 = 2;
export const ZE: u32 = 4;
export const OE: u32 = 8;
export const UE: u32 = 16;
export const PE: u32 = 32;
export const DAZ: u32 = 0x40;
export const FTZ: u32 = 0x8000;
export const RC_NEAREST: u32 = 0;
export const RC_DOWN: u32 = 1;
export const RC_UP: u32 = 2;
export const RC_ZERO: u32 = 3;

// The MXCSR the current instruction runs under, and the exception conditions it found:
// pre-computation (IE DE ZE) and post-computation (OE UE PE) of the element being computed.
export let mxc: u32 = 0x1f80;
export let preF: u32 = 0;
export let postF: u32 = 0;

export function fpBegin(mx: u32): void {
  mxc = mx;
}

@inline export function notePre(f: u32): void {
  preF |= f;
}

@inline export function notePost(f: u32): void {
  postF |= f;
}

@inline export function fpElementStart(): void {
  preF = 0;
  postF = 0;
}

@inline export function rc(): u32 {
  return (mxc >> 13) & 3;
}

// ---- classification ----
@inline export function signOf(dbl: bool): u64 {
  return dbl ? 0x8000000000000000 : 0x80000000;
}
@inline function expMask(dbl: bool): u64 {
  return dbl ? 0x7ff0000000000000 : 0x7f800000;
}
@inline function fracMask(dbl: bool): u64 {
  return dbl ? 0x000fffffffffffff : 0x7fffff;
}
@inline function quietBit(dbl: bool): u64 {
  return dbl ? 0x0008000000000000 : 0x400000;
}
@inline export function isNaNv(b: u64, dbl: bool): bool {
  return (b & ~signOf(dbl)) > expMask(dbl);
}
@inline export function isSNaN(b: u64, dbl: bool): bool {
  return isNaNv(b, dbl) && (b & quietBit(dbl)) == 0;
}
@inline export function isInf(b: u64, dbl: bool): bool {
  return (b & ~signOf(dbl)) == expMask(dbl);
}
@inline export function isZero(b: u64, dbl: bool): bool {
  return (b & ~signOf(dbl)) == 0;
}
@inline export function isDenormal(b: u64, dbl: bool): bool {
  return (b & expMask(dbl)) == 0 && (b & fracMask(dbl)) != 0;
}
@inline export function quiet(b: u64, dbl: bool): u64 {
  return b | quietBit(dbl);
}
// The "real indefinite" QNaN x86 returns for invalid operations.
@inline export function defaultNaN(dbl: bool): u64 {
  return dbl ? 0xfff8000000000000 : 0xffc00000;
}
@inline export function infOf(sign: u64, dbl: bool): u64 {
  return sign | expMask(dbl);
}

// DAZ: a denormal input is read as a zero of the same sign (before any exception check).
@inline export function daz(b: u64, dbl: bool): u64 {
  if ((mxc & DAZ) != 0 && isDenormal(b, dbl)) return b & signOf(dbl);
  return b;
}

// ---- unpacking ----
// Finite non-zero b as an integer significand and exponent: value = upM * 2^upX, with the
// significand's leading one at bit 23 / 52 (denormals are normalised).
export let upM: u64 = 0;
export let upX: i32 = 0;

export function unpack(b: u64, dbl: bool): void {
  const p: i32 = dbl ? 53 : 24;
  const e = <i32>((b & expMask(dbl)) >> (dbl ? 52 : 23));
  let m = b & fracMask(dbl);
  let x: i32;
  if (e == 0) {
    const shift = <i32>clz<u64>(m) - (64 - p);
    m <<= <u64>shift;
    x = (dbl ? -1074 : -149) - shift;
  } else {
    m |= <u64>1 << <u64>(p - 1);
    x = e - (dbl ? 1075 : 150);
  }
  upM = m;
  upX = x;
}

// ---- 128-bit helpers (results in w128Hi/w128Lo) ----
let w128Hi: u64 = 0;
let w128Lo: u64 = 0;

function mul64(a: u64, b: u64): void {
  w128Lo = a * b;
  w128Hi = mulhu(a, b);
}

function shl128(hi: u64, lo: u64, n: u32): void {
  if (n == 0) {
    w128Hi = hi;
    w128Lo = lo;
  } else if (n >= 64) {
    w128Hi = lo << <u64>(n - 64);
    w128Lo = 0;
  } else {
    w128Hi = (hi << <u64>n) | (lo >> <u64>(64 - n));
    w128Lo = lo << <u64>n;
  }
}

// Normalise (hi:lo) * 2^x (non-zero) into the sig/exp form (results in nSig/nExp).
export let nSig: u64 = 0;
export let nExp: i32 = 0;

export function norm128(hi: u64, lo: u64, x: i32): void {
  if (hi == 0) {
    const l = 63 - <i32>clz<u64>(lo);
    if (l <= 62) nSig = lo << <u64>(62 - l);
    else nSig = (lo >> 1) | (lo & 1);
    nExp = x + l;
    return;
  }
  const l = 127 - <i32>clz<u64>(hi); // leading bit position, 64..127
  const sh = <u32>(l - 62); // right shift, 2..65
  let sig: u64;
  let lost: u64;
  if (sh < 64) {
    sig = (hi << <u64>(64 - sh)) | (lo >> <u64>sh);
    lost = lo << <u64>(64 - sh);
  } else {
    sig = hi >> <u64>(sh - 64);
    lost = lo | (sh > 64 ? hi << <u64>(128 - sh) : 0);
  }
  nSig = sig | (lost != 0 ? 1 : 0);
  nExp = x + l;
}

@inline function norm64(m: u64, x: i32): void {
  norm128(0, m, x);
}

// ---- rounding ----
// sig >> n rounded by the current mode for a value of sign `neg`; rInexact tells whether any
// non-zero bits were dropped.
export let rInexact: bool = false;

@inline function roundShift(sig: u64, n: u32, neg: bool): u64 {
  return roundShiftMode(sig, n, neg, rc());
}

export function roundShiftMode(sig: u64, n: u32, neg: bool, mode: u32): u64 {
  let kept: u64;
  let rem: u64;
  let half: u64;
  let tieOrAbove: bool;
  if (n == 0) {
    rInexact = false;
    return sig;
  }
  if (n >= 64) {
    kept = 0;
    rem = sig;
    // Callers keep sig below 2^63, so it is under half a unit (2^(n-1) >= 2^63).
    tieOrAbove = false;
    half = 0;
  } else {
    kept = sig >> <u64>n;
    rem = sig & ((<u64>1 << <u64>n) - 1);
    half = <u64>1 << <u64>(n - 1);
    tieOrAbove = rem >= half;
  }
  rInexact = rem != 0;
  if (rem == 0) return kept;
  let up = false;
  if (mode == RC_NEAREST) up = tieOrAbove && (rem != half || (kept & 1) != 0);
  else if (mode == RC_DOWN) up = neg;
  else if (mode == RC_UP) up = !neg;
  return up ? kept + 1 : kept;
}

// The masked overflow result: infinity or the largest finite value, by rounding mode.
function overflowResult(sign: u64, dbl: bool): u64 {
  const mode = rc();
  const neg = sign != 0;
  const toInf = mode == RC_NEAREST || (mode == RC_UP && !neg) || (mode == RC_DOWN && neg);
  const maxFinite: u64 = dbl ? 0x7fefffffffffffff : 0x7f7fffff;
  return sign | (toInf ? expMask(dbl) : maxFinite);
}

// Round sig * 2^(exp - 62) (sig with its leading one at bit 62) to the format under MXCSR:
// overflow and underflow (tininess after rounding, as x86 detects it), FTZ, denormal results.
// Conditions go to postF; the returned bits are meaningless when an unmasked OE/UE results.
export function roundPack(sign: u64, exp: i32, sig: u64, dbl: bool): u64 {
  const p: u32 = dbl ? 53 : 24;
  const emin: i32 = dbl ? -1022 : -126;
  const emax: i32 = dbl ? 1023 : 127;
  const drop: u32 = 63 - p;
  const neg = sign != 0;
  let m = roundShift(sig, drop, neg);
  const inexact = rInexact;
  let e = exp;
  if ((m >> <u64>p) != 0) {
    m >>= 1;
    e++;
  }
  if (e > emax) {
    postF |= OE;
    if ((mxc & (OE << 7)) != 0) {
      postF |= PE;
      return overflowResult(sign, dbl);
    }
    if (inexact) postF |= PE;
    return 0;
  }
  if (e < emin) {
    if ((mxc & (UE << 7)) == 0) {
      postF |= UE;
      if (inexact) postF |= PE;
      return 0;
    }
    if ((mxc & FTZ) != 0) {
      postF |= UE | PE;
      return sign;
    }
    const dm = roundShift(sig, drop + <u32>(emin - exp), neg);
    if (rInexact) postF |= UE | PE;
    return sign | dm;
  }
  if (inexact) postF |= PE;
  return sign | (<u64>(e + (dbl ? 1023 : 127)) << <u64>(dbl ? 52 : 23)) | (m & fracMask(dbl));
}

// ---- exact operations on finite non-zero operands ----

// a + b (the caller folds subtraction into b's sign).
export function addFinite(a: u64, b: u64, dbl: bool): u64 {
  const sm = signOf(dbl);
  unpack(a, dbl);
  norm64(upM, upX);
  let sa = nSig;
  let ea = nExp;
  let signA = a & sm;
  unpack(b, dbl);
  norm64(upM, upX);
  let sb = nSig;
  let eb = nExp;
  let signB = b & sm;
  if (eb > ea || (eb == ea && sb > sa)) {
    const ts = sa;
    sa = sb;
    sb = ts;
    const te = ea;
    ea = eb;
    eb = te;
    const tg = signA;
    signA = signB;
    signB = tg;
  }
  const d = <u32>(ea - eb);
  if (d >= 63) sb = 1;
  else if (d > 0) sb = (sb >> <u64>d) | ((sb & ((<u64>1 << <u64>d) - 1)) != 0 ? 1 : 0);
  if (signA == signB) {
    let s = sa + sb;
    let e = ea;
    if ((s >> 63) != 0) {
      s = (s >> 1) | (s & 1);
      e++;
    }
    return roundPack(signA, e, s, dbl);
  }
  const s = sa - sb;
  if (s == 0) return rc() == RC_DOWN ? sm : 0; // exact cancellation
  const lz = <i32>clz<u64>(s) - 1;
  return roundPack(signA, ea - lz, s << <u64>lz, dbl);
}

export function mulFinite(a: u64, b: u64, dbl: bool): u64 {
  const sign = (a ^ b) & signOf(dbl);
  unpack(a, dbl);
  const ma = upM;
  const xa = upX;
  unpack(b, dbl);
  if (dbl) {
    mul64(ma, upM);
    norm128(w128Hi, w128Lo, xa + upX);
  } else norm64(ma * upM, xa + upX);
  return roundPack(sign, nExp, nSig, dbl);
}

export function divFinite(a: u64, b: u64, dbl: bool): u64 {
  const sign = (a ^ b) & signOf(dbl);
  unpack(a, dbl);
  const ma = upM;
  const xa = upX;
  unpack(b, dbl);
  const mb = upM;
  const xb = upX;
  // q = floor(ma * 2^63 / mb) by long division in chunks that keep r << k below 2^64.
  const k: u32 = dbl ? 11 : 40;
  let q = ma / mb;
  let r = ma % mb;
  let left: u32 = 63;
  while (left > 0) {
    const c = left < k ? left : k;
    r <<= <u64>c;
    q = (q << <u64>c) | (r / mb);
    r = r % mb;
    left -= c;
  }
  const sticky: u64 = r != 0 ? 1 : 0;
  if ((q >> 63) != 0) return roundPack(sign, xa - xb, (q >> 1) | (q & 1) | sticky, dbl);
  return roundPack(sign, xa - xb - 1, q | sticky, dbl);
}

// Square root of a positive finite non-zero value. wasm's sqrt gives the round-to-nearest
// result r; comparing r*r with the operand exactly tells whether r is exact and on which side
// of the true root it lies, which is all the directed modes and PE need.
export function sqrtFinite(a: u64, dbl: bool): u64 {
  let r: u64 = dbl
    ? reinterpret<u64>(Math.sqrt(reinterpret<f64>(a)))
    : <u64>reinterpret<u32>(Mathf.sqrt(reinterpret<f32>(<u32>a)));
  unpack(a, dbl);
  const mx = upM;
  const xx = upX;
  unpack(r, dbl);
  const mr = upM;
  const xr = upX;
  mul64(mr, mr); // r*r = (w128Hi:w128Lo) * 2^(2 xr)
  const k = 2 * xr - xx;
  let lh = w128Hi;
  let ll = w128Lo;
  let rh: u64 = 0;
  let rl = mx;
  if (k >= 0) {
    shl128(lh, ll, <u32>k);
    lh = w128Hi;
    ll = w128Lo;
  } else {
    shl128(0, mx, <u32>(-k));
    rh = w128Hi;
    rl = w128Lo;
  }
  // cmp < 0: r*r < a, so the true root is above r.
  const cmp: i32 = lh != rh ? (lh < rh ? -1 : 1) : ll != rl ? (ll < rl ? -1 : 1) : 0;
  if (cmp == 0) return r;
  postF |= PE;
  const mode = rc();
  if (mode == RC_UP && cmp < 0) r++;
  else if ((mode == RC_DOWN || mode == RC_ZERO) && cmp > 0) r--;
  return r;
}
