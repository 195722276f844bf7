// One element of an SSE floating-point operation: x86's pre-computation checks (DAZ, NaN
// operands, invalid operations, divide by zero, denormal operands, in that priority) and then
// the exact computation. Conditions found go to preF/postF (sse_softfloat.ts).
import {
  IE, DE, ZE, notePre, rc, RC_DOWN, signOf, isNaNv, isSNaN, isInf, isZero, isDenormal, quiet,
  defaultNaN, infOf, daz, addFinite, mulFinite, divFinite, sqrtFinite, roundPack, unpack, upM, upX,
  norm128, nSig, nExp,
} from "./sse_softfloat";
import { fastArith, fastHit, OP_ADD, OP_MUL, OP_SUB } from "./sse_fpfast";

// A finite value passed through the rounding stage unchanged in value: a tiny result still
// meets FTZ and the underflow rules (x + 0 with x denormal is such a result).
function repack(b: u64, dbl: bool): u64 {
  unpack(b, dbl);
  norm128(0, upM, upX);
  return roundPack(b & signOf(dbl), nExp, nSig, dbl);
}

// add/sub/mul/div (op: OP_* of sse_fpfast.ts) of a (first operand, the destination) and b
// (the source).
export function fpArith(op: u32, a0: u64, b0: u64, dbl: bool): u64 {
  const fast = fastArith(op, a0, b0, dbl);
  if (fastHit) return fast;
  const a = daz(a0, dbl);
  let b = daz(b0, dbl);
  const sm = signOf(dbl);
  if (isNaNv(a, dbl) || isNaNv(b, dbl)) {
    if (isSNaN(a, dbl) || isSNaN(b, dbl)) notePre(IE);
    return isNaNv(a, dbl) ? quiet(a, dbl) : quiet(b, dbl);
  }
  const infA = isInf(a, dbl);
  const infB = isInf(b, dbl);
  const zeroA = isZero(a, dbl);
  const zeroB = isZero(b, dbl);
  if (op == OP_SUB) {
    b ^= sm;
    op = OP_ADD;
  }
  // Invalid operations and divide by zero outrank the denormal-operand condition.
  if (op == OP_ADD) {
    if (infA && infB && ((a ^ b) & sm) != 0) {
      notePre(IE);
      return defaultNaN(dbl);
    }
  } else if (op == OP_MUL) {
    if ((infA && zeroB) || (zeroA && infB)) {
      notePre(IE);
      return defaultNaN(dbl);
    }
  } else {
    if ((infA && infB) || (zeroA && zeroB)) {
      notePre(IE);
      return defaultNaN(dbl);
    }
    if (zeroB && !infA) {
      notePre(ZE);
      return infOf((a ^ b) & sm, dbl);
    }
  }
  if (isDenormal(a, dbl) || isDenormal(b, dbl)) notePre(DE);
  if (op == OP_ADD) {
    if (infA) return a;
    if (infB) return b;
    if (zeroA && zeroB) {
      if (((a ^ b) & sm) == 0) return a;
      return rc() == RC_DOWN ? sm : 0;
    }
    if (zeroA) return repack(b, dbl);
    if (zeroB) return repack(a, dbl);
    return addFinite(a, b, dbl);
  }
  const sign = (a ^ b) & sm;
  if (op == OP_MUL) {
    if (infA || infB) return infOf(sign, dbl);
    if (zeroA || zeroB) return sign;
    return mulFinite(a, b, dbl);
  }
  if (infA) return infOf(sign, dbl);
  if (infB || zeroA) return sign;
  return divFinite(a, b, dbl);
}

export function fpSqrt(b0: u64, dbl: bool): u64 {
  const b = daz(b0, dbl);
  if (isNaNv(b, dbl)) {
    if (isSNaN(b, dbl)) notePre(IE);
    return quiet(b, dbl);
  }
  if (isZero(b, dbl)) return b;
  if ((b & signOf(dbl)) != 0) {
    notePre(IE);
    return defaultNaN(dbl);
  }
  if (isDenormal(b, dbl)) notePre(DE);
  if (isInf(b, dbl)) return b;
  return sqrtFinite(b, dbl);
}

// Ordered comparison of non-NaN values: -1, 0, 1 (+0 and -0 are equal).
export function fpCompare(a: u64, b: u64, dbl: bool): i32 {
  const sm = signOf(dbl);
  if (isZero(a, dbl) && isZero(b, dbl)) return 0;
  if (a == b) return 0;
  const na = (a & sm) != 0;
  const nb = (b & sm) != 0;
  if (na != nb) return na ? -1 : 1;
  const lt = (a & ~sm) < (b & ~sm);
  return na ? (lt ? 1 : -1) : (lt ? -1 : 1);
}

// min/max: x86 returns the second operand when either is a NaN or both are zeros.
export function fpMinMax(isMax: bool, a0: u64, b0: u64, dbl: bool): u64 {
  const a = daz(a0, dbl);
  const b = daz(b0, dbl);
  if (isNaNv(a, dbl) || isNaNv(b, dbl)) {
    notePre(IE);
    return b;
  }
  if (isDenormal(a, dbl) || isDenormal(b, dbl)) notePre(DE);
  const c = fpCompare(a, b, dbl);
  if (isMax) return c > 0 ? a : b;
  return c < 0 ? a : b;
}

// cmpps predicate (imm8 & 7) as all-ones/zero.
export function fpCmpPredicate(pred: u32, a0: u64, b0: u64, dbl: bool): bool {
  const a = daz(a0, dbl);
  const b = daz(b0, dbl);
  const p = pred & 7;
  if (isNaNv(a, dbl) || isNaNv(b, dbl)) {
    // LT LE NLT NLE signal on any NaN; the others on signalling NaNs only.
    const signalling = p == 1 || p == 2 || p == 5 || p == 6;
    if (signalling || isSNaN(a, dbl) || isSNaN(b, dbl)) notePre(IE);
    return p == 3 || p == 4 || p == 5 || p == 6; // UNORD NEQ NLT NLE hold for unordered
  }
  if (isDenormal(a, dbl) || isDenormal(b, dbl)) notePre(DE);
  const c = fpCompare(a, b, dbl);
  switch (p) {
    case 0: return c == 0;
    case 1: return c < 0;
    case 2: return c <= 0;
    case 3: return false;
    case 4: return c != 0;
    case 5: return c >= 0;
    case 6: return c > 0;
    default: return true;
  }
}

// comiss/ucomiss: 0 equal, 1 less, 2 greater, 3 unordered.
export function fpCompareFlags(signalQuiet: bool, a0: u64, b0: u64, dbl: bool): u32 {
  const a = daz(a0, dbl);
  const b = daz(b0, dbl);
  if (isNaNv(a, dbl) || isNaNv(b, dbl)) {
    if (signalQuiet || isSNaN(a, dbl) || isSNaN(b, dbl)) notePre(IE);
    return 3;
  }
  if (isDenormal(a, dbl) || isDenormal(b, dbl)) notePre(DE);
  const c = fpCompare(a, b, dbl);
  return c == 0 ? 0 : c < 0 ? 1 : 2;
}
