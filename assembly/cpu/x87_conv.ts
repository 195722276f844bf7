// Conversions between the 80-bit register format and the memory formats: single and double
// precision, 16/32/64-bit integers, 18-digit packed BCD, and rounding to an integer value.
// Results land in outSig/outSE (register values) or outBits (memory values); the functions
// return the exception bits raised, like the arithmetic in x87_fp.ts.
import {
  FE_IE, FE_DE, FE_OE, FE_UE, FE_PE, FE_C1, RC_NEAR, RC_DOWN, RC_UP, BIAS, TOP_BIT, QUIET_BIT,
  K_ZERO, K_DENORMAL, K_INF, K_QNAN, K_SNAN, K_BAD, classify, normalize, nExp, nSig, rcOf,
  outSig, outSE, propagateNaN,
} from "./x87_fp";

export let outBits: u64 = 0;
// The register result of the widening conversions (mirrors x87_fp's outSig/outSE).
export let cSig: u64 = 0;
export let cSE: u32 = 0;

// ---- memory floats to 80 bits (exact) ----

// A binary float with `fracBits` fraction bits and exponent bias `bias`, widened. Returns IE
// for an SNaN, DE for a denormal (normalised here).
function fromBinary(b: u64, fracBits: u32, expBits: u32, bias: i32): u32 {
  const sign: u32 = <u32>(b >> <u64>(fracBits + expBits)) != 0 ? 0x8000 : 0;
  const expMax: u32 = (1 << expBits) - 1;
  const exp = <u32>(b >> <u64>fracBits) & expMax;
  const frac = b & ((<u64>1 << <u64>fracBits) - 1);
  const up: u64 = <u64>(63 - fracBits);
  if (exp == expMax) {
    if (frac == 0) {
      cSig = TOP_BIT;
      cSE = sign | 0x7fff;
      return 0;
    }
    // NaNs keep their payload; a signalling one stays signalling so the operation using it
    // raises IE and picks NaN operands by the usual rules (fld quiets it itself).
    cSig = TOP_BIT | (frac << up);
    cSE = sign | 0x7fff;
    return (cSig & QUIET_BIT) != 0 ? 0 : FE_IE;
  }
  if (exp == 0) {
    if (frac == 0) {
      cSig = 0;
      cSE = sign;
      return 0;
    }
    const s = <i32>clz<u64>(frac);
    cSig = frac << <u64>s;
    // value = frac * 2^(1 - bias - fracBits) = cSig * 2^(e - BIAS - 63)
    cSE = sign | <u32>(BIAS + 63 + 1 - bias - <i32>fracBits - s);
    return FE_DE;
  }
  cSig = TOP_BIT | (frac << up);
  cSE = sign | <u32>(<i32>exp - bias + BIAS);
  return 0;
}

export function fromF32(b: u32): u32 {
  return fromBinary(<u64>b, 23, 8, 127);
}

export function fromF64(b: u64): u32 {
  return fromBinary(b, 52, 11, 1023);
}

export function fromInt(v: i64): void {
  if (v == 0) {
    cSig = 0;
    cSE = 0;
    return;
  }
  const neg = v < 0;
  const m: u64 = neg ? <u64>0 - <u64>v : <u64>v;
  const s = <i32>clz<u64>(m);
  cSig = m << <u64>s;
  cSE = (neg ? 0x8000 : 0) | <u32>(BIAS + 63 - s);
}

// ---- 80 bits to memory floats (rounded by RC) ----

// Narrow to a binary float. Unmasked overflow or underflow stores nothing: the caller sees
// OE/UE unmasked in ctl and skips the store.
function toBinary(sig: u64, se: u32, ctl: u32, fracBits: u32, expBits: u32, bias: i32): u32 {
  const signBit: u64 = <u64>(se >> 15) << <u64>(fracBits + expBits);
  const expMax: i32 = (1 << expBits) - 1;
  const infBits: u64 = signBit | (<u64>expMax << <u64>fracBits);
  const k = classify(sig, se);
  const k2: u32 = 63 - fracBits; // significand bits dropped
  if (k == K_BAD) {
    outBits = infBits | (<u64>1 << <u64>(fracBits + expBits)) | (<u64>1 << <u64>(fracBits - 1)); // QNaN indefinite
    return FE_IE;
  }
  if (k == K_QNAN || k == K_SNAN) {
    outBits = infBits | ((sig >> <u64>k2) & ((<u64>1 << <u64>fracBits) - 1)) | (<u64>1 << <u64>(fracBits - 1));
    return k == K_SNAN ? FE_IE : 0;
  }
  if (k == K_INF) {
    outBits = infBits;
    return 0;
  }
  if (k == K_ZERO) {
    outBits = signBit;
    return 0;
  }
  const neg = (se & 0x8000) != 0;
  const rc = rcOf(ctl);
  normalize(sig, se);
  const m = nSig;
  let E: i32 = nExp - BIAS + bias;
  let flags: u32 = 0;
  // Round at bit k2 with an unbounded exponent first.
  const half: u64 = <u64>1 << <u64>(k2 - 1);
  const low = m & ((<u64>1 << <u64>k2) - 1);
  let kept = m >> <u64>k2;
  let up = roundUp(neg, rc, low, half, kept);
  let r = kept + (up ? 1 : 0);
  if (low != 0) flags |= FE_PE;
  if (up) flags |= FE_C1;
  let E2 = E;
  if ((r >> <u64>(fracBits + 1)) != 0) {
    r >>= 1;
    E2++;
  }
  if (E2 >= expMax) {
    if ((ctl & FE_OE) == 0) return FE_OE;
    const toInf = rc == RC_NEAR || (rc == RC_DOWN && neg) || (rc == RC_UP && !neg);
    outBits = toInf ? infBits : infBits - 1;
    return toInf ? FE_OE | FE_PE | FE_C1 : FE_OE | FE_PE;
  }
  if (E2 < 1) {
    if ((ctl & FE_UE) == 0) return FE_UE;
    // Denormalise: shift by 1 - E more bits, keeping a sticky bit.
    const sh = <u32>(1 - E) + k2;
    let kept2: u64, low2: u64, half2: u64;
    if (sh >= 64) {
      kept2 = 0;
      half2 = TOP_BIT;
      low2 = sh == 64 ? m : 1; // beyond the half bit only a sticky bit remains
    } else {
      kept2 = m >> <u64>sh;
      low2 = m & ((<u64>1 << <u64>sh) - 1);
      half2 = <u64>1 << <u64>(sh - 1);
    }
    const up2 = roundUp(neg, rc, low2, half2, kept2);
    outBits = signBit | (kept2 + (up2 ? 1 : 0)); // a carry into the exponent field is right
    if (low2 == 0) return 0;
    return FE_UE | FE_PE | (up2 ? FE_C1 : 0);
  }
  outBits = signBit | (<u64>E2 << <u64>fracBits) | (r & ((<u64>1 << <u64>fracBits) - 1));
  return flags;
}

// Rounding decision for the dropped bits `low` (half = one half ulp) of the kept bits.
function roundUp(neg: bool, rc: u32, low: u64, half: u64, kept: u64): bool {
  if (low == 0) return false;
  if (rc == RC_NEAR) return low > half || (low == half && (kept & 1) != 0);
  if (rc == RC_DOWN) return neg;
  if (rc == RC_UP) return !neg;
  return false;
}

export function toF32(sig: u64, se: u32, ctl: u32): u32 {
  return toBinary(sig, se, ctl, 23, 8, 127);
}

export function toF64(sig: u64, se: u32, ctl: u32): u32 {
  return toBinary(sig, se, ctl, 52, 11, 1023);
}

// ---- integers ----

// Round a finite value to an integer under rc: magnitude in rMag, sign in rNeg, PE/C1 flags.
let rMag: u64 = 0;
let rNeg: bool = false;
let rBig: bool = false; // magnitude >= 2^64 (only when the exponent says so)
function roundToInteger(sig: u64, se: u32, rc: u32): u32 {
  rNeg = (se & 0x8000) != 0;
  rBig = false;
  if (classify(sig, se) == K_ZERO) {
    rMag = 0;
    return 0;
  }
  normalize(sig, se);
  const E = nExp - BIAS; // value = nSig * 2^(E - 63)
  if (E >= 64) {
    rBig = true;
    rMag = nSig;
    return 0;
  }
  if (E >= 63) {
    rMag = nSig;
    return 0;
  }
  let ip: u64, frac: u64, sticky: bool;
  if (E >= 0) {
    ip = nSig >> <u64>(63 - E);
    frac = nSig << <u64>(E + 1);
    sticky = false;
  } else if (E >= -64) {
    ip = 0;
    frac = E == -1 ? nSig : nSig >> <u64>(-E - 1);
    sticky = E == -1 ? false : (nSig << <u64>(64 + E + 1)) != 0;
  } else {
    ip = 0;
    frac = 0;
    sticky = true;
  }
  const inexact = frac != 0 || sticky;
  let up = false;
  if (inexact) {
    if (rc == RC_NEAR) up = frac > TOP_BIT || (frac == TOP_BIT && (sticky || (ip & 1) != 0));
    else if (rc == RC_DOWN) up = rNeg;
    else if (rc == RC_UP) up = !rNeg;
  }
  rMag = ip + (up ? 1 : 0);
  return (inexact ? FE_PE : 0) | (up ? FE_C1 : 0);
}

// To a signed integer of `bytes` bytes (2, 4, 8), rounded by RC or truncated. Out of range,
// NaN, infinity or invalid: IE, with the integer indefinite (the caller stores it if masked).
export function toInt(sig: u64, se: u32, ctl: u32, bytes: u32, truncate: bool): u32 {
  const bits: u64 = <u64>bytes << 3;
  const indefinite: u64 = <u64>1 << (bits - 1);
  const k = classify(sig, se);
  if (k == K_BAD || k == K_QNAN || k == K_SNAN || k == K_INF) {
    outBits = indefinite;
    return FE_IE;
  }
  const flags = roundToInteger(sig, se, truncate ? 3 : rcOf(ctl));
  const limit: u64 = rNeg ? indefinite : indefinite - 1;
  if (rBig || rMag > limit) {
    outBits = indefinite;
    return FE_IE;
  }
  const v: u64 = rNeg ? <u64>0 - rMag : rMag;
  outBits = bits == 64 ? v : v & ((<u64>1 << bits) - 1);
  return flags;
}

// frndint: the value rounded to an integer, as a register value.
export function roundIntValue(sig: u64, se: u32, ctl: u32): u32 {
  const k = classify(sig, se);
  if (k == K_BAD) {
    cSig = 0xc000000000000000;
    cSE = 0xffff;
    return FE_IE;
  }
  if (k == K_QNAN || k == K_SNAN) {
    const f = propagateNaN(sig, se, k, 0, 0, K_ZERO);
    cSig = outSig;
    cSE = outSE;
    return f;
  }
  if (k == K_INF || k == K_ZERO) {
    cSig = sig;
    cSE = se;
    return 0;
  }
  let flags = k == K_DENORMAL ? FE_DE : 0;
  normalize(sig, se);
  if (nExp - BIAS >= 63) {
    cSig = sig;
    cSE = se;
    return flags;
  }
  flags |= roundToInteger(sig, se, rcOf(ctl));
  if (rMag == 0) {
    cSig = 0;
    cSE = se & 0x8000;
  } else {
    const s = <i32>clz<u64>(rMag);
    cSig = rMag << <u64>s;
    cSE = (se & 0x8000) | <u32>(BIAS + 63 - s);
  }
  return flags;
}

// ---- packed BCD: 9 bytes of two digits each, then a sign byte ----

export let bcdLo: u64 = 0; // bytes 0..7
export let bcdHi: u32 = 0; // bytes 8..9

export function fromBcd(lo: u64, hi: u32): void {
  let v: u64 = 0;
  for (let i = 8; i >= 0; i--) {
    const byte: u64 = i == 8 ? <u64>(hi & 0xff) : (lo >> <u64>(i * 8)) & 0xff;
    v = v * 100 + (byte >> 4) * 10 + (byte & 15);
  }
  const neg = (hi & 0x8000) != 0;
  fromInt(<i64>v);
  if (neg) cSE |= 0x8000;
}

export function toBcd(sig: u64, se: u32, ctl: u32): u32 {
  const k = classify(sig, se);
  let flags: u32 = 0;
  let ok = k != K_BAD && k != K_QNAN && k != K_SNAN && k != K_INF;
  if (ok) {
    flags = roundToInteger(sig, se, rcOf(ctl));
    ok = !rBig && rMag <= 999999999999999999;
  }
  if (!ok) {
    bcdLo = <u64>0xc0 << 56; // BCD indefinite: FFFF C0 00..00
    bcdHi = 0xffff;
    return FE_IE;
  }
  let v = rMag;
  let lo: u64 = 0;
  for (let i = 0; i < 8; i++) {
    const d0 = v % 10;
    v /= 10;
    const d1 = v % 10;
    v /= 10;
    lo |= ((d1 << 4) | d0) << <u64>(i * 8);
  }
  const d0 = <u32>(v % 10);
  const d1 = <u32>((v / 10) % 10);
  bcdLo = lo;
  bcdHi = ((d1 << 4) | d0) | (rNeg ? 0x8000 : 0);
  return flags;
}
