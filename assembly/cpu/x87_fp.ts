// 80-bit extended-precision arithmetic in software, rounded exactly as the x87 rounds.
// A value is a significand (u64, explicit integer bit) and a sign/exponent word (u32:
// sign << 15 | biased exponent), the register format itself. Each operation takes the
// control word (rounding control, precision control, exception masks), leaves its result in
// outSig/outSE and returns the exception bits it raised (FSW layout) plus FE_C1 when the
// result was rounded up in magnitude. Whether a result is committed when an exception is
// unmasked is the caller's business, except for overflow and underflow, whose unmasked
// response (exponent rebiased by 24576) is produced here.
import { mulhu } from "./alu";

export const FE_IE: u32 = 0x01;
export const FE_DE: u32 = 0x02;
export const FE_ZE: u32 = 0x04;
export const FE_OE: u32 = 0x08;
export const FE_UE: u32 = 0x10;
export const FE_PE: u32 = 0x20;
export const FE_C1: u32 = 0x200;

export const RC_NEAR: u32 = 0;
export const RC_DOWN: u32 = 1;
export const RC_UP: u32 = 2;
export const RC_ZERO: u32 = 3;

export const BIAS: i32 = 16383;
export const TOP_BIT: u64 = 0x8000000000000000;
export const QUIET_BIT: u64 = 0x4000000000000000;
export const INDEF_SIG: u64 = 0xc000000000000000;
export const INDEF_SE: u32 = 0xffff;
const REBIAS: i32 = 24576; // exponent adjustment of unmasked overflow/underflow results

// Operand classes.
export const K_ZERO: u32 = 0;
export const K_NORMAL: u32 = 1;
export const K_DENORMAL: u32 = 2; // exponent 0, including pseudo-denormals (integer bit set)
export const K_INF: u32 = 3;
export const K_QNAN: u32 = 4;
export const K_SNAN: u32 = 5;
export const K_BAD: u32 = 6; // unnormals, pseudo-infinities, pseudo-NaNs: invalid operands

export let outSig: u64 = 0;
export let outSE: u32 = 0;

export function classify(sig: u64, se: u32): u32 {
  const e = se & 0x7fff;
  if (e == 0) return sig == 0 ? K_ZERO : K_DENORMAL;
  if ((sig >> 63) == 0) return K_BAD;
  if (e == 0x7fff) {
    if ((sig << 1) == 0) return K_INF;
    return (sig & QUIET_BIT) != 0 ? K_QNAN : K_SNAN;
  }
  return K_NORMAL;
}

@inline export function isNaN(k: u32): bool {
  return k == K_QNAN || k == K_SNAN;
}

@inline export function rcOf(ctl: u32): u32 {
  return (ctl >> 10) & 3;
}

// Significand bits kept by the precision control field (PC = 0: 24, 2: 53, 3: 64).
export function pcBits(ctl: u32): u32 {
  const pc = (ctl >> 8) & 3;
  return pc == 0 ? 24 : pc == 2 ? 53 : 64;
}

// ---- results ----

@inline function setOut(sig: u64, se: u32): void {
  outSig = sig;
  outSE = se;
}

export function setIndefinite(): u32 {
  setOut(INDEF_SIG, INDEF_SE);
  return FE_IE;
}

// NaN operand(s): the quieted NaN with the larger significand (the positive one on a tie); a
// QNaN wins over an SNaN. IE when either operand is signalling.
export function propagateNaN(aSig: u64, aSE: u32, ka: u32, bSig: u64, bSE: u32, kb: u32): u32 {
  const flags = ka == K_SNAN || kb == K_SNAN ? FE_IE : 0;
  let useA: bool;
  if (!isNaN(kb)) useA = true;
  else if (!isNaN(ka)) useA = false;
  else if (ka != kb) useA = ka == K_QNAN;
  else if (aSig != bSig) useA = aSig > bSig;
  else useA = (aSE & 0x8000) == 0;
  if (useA) setOut(aSig | QUIET_BIT, aSE);
  else setOut(bSig | QUIET_BIT, bSE);
  return flags;
}

// ---- normalisation ----

export let nExp: i32 = 0;
export let nSig: u64 = 0;

// Finite nonzero value as nSig (integer bit set) * 2^(nExp - BIAS - 63); nExp may drop below 1.
export function normalize(sig: u64, se: u32): void {
  let e: i32 = <i32>(se & 0x7fff);
  if (e == 0) e = 1;
  const s = <i32>clz<u64>(sig);
  nSig = sig << <u64>s;
  nExp = e - s;
}

// ---- rounding ----

// Round the 128-bit significand s0:s1 at the bit k of s0 (k = 64 - precision). Leaves the
// kept bits in rSig (0 with rCarry = 1 when they overflowed), whether bits were lost in
// rInexact and whether the magnitude went up in rUp.
let rSig: u64 = 0;
let rCarry: bool = false;
let rInexact: bool = false;
let rUp: bool = false;

function roundAt(s0: u64, s1: u64, k: u32, neg: bool, rc: u32): void {
  let cmp: i32; // rest compared with half an ulp
  if (k == 0) {
    rInexact = s1 != 0;
    cmp = s1 > TOP_BIT ? 1 : s1 == TOP_BIT ? 0 : -1;
  } else {
    const mask = (<u64>1 << <u64>k) - 1;
    const low = s0 & mask;
    const half = <u64>1 << <u64>(k - 1);
    rInexact = low != 0 || s1 != 0;
    cmp = low > half ? 1 : low < half ? -1 : s1 != 0 ? 1 : 0;
  }
  const kept = k == 0 ? s0 : s0 & ~((<u64>1 << <u64>k) - 1);
  const one: u64 = <u64>1 << <u64>k;
  let up = false;
  if (rc == RC_NEAR) up = cmp > 0 || (cmp == 0 && (kept & one) != 0);
  else if (rc == RC_DOWN) up = neg && rInexact;
  else if (rc == RC_UP) up = !neg && rInexact;
  rUp = up;
  if (up) {
    rSig = kept + one;
    rCarry = rSig == 0;
  } else {
    rSig = kept;
    rCarry = false;
  }
}

// Shift s0:s1 right by n, ORing the bits shifted out into the last bit (sticky).
let j0: u64 = 0;
let j1: u64 = 0;
function shiftRightJam(s0: u64, s1: u64, n: u32): void {
  if (n == 0) {
    j0 = s0;
    j1 = s1;
  } else if (n < 64) {
    j1 = (s0 << <u64>(64 - n)) | (s1 >> <u64>n) | ((s1 << <u64>(64 - n)) != 0 ? 1 : 0);
    j0 = s0 >> <u64>n;
  } else if (n == 64) {
    j1 = s0 | (s1 != 0 ? 1 : 0);
    j0 = 0;
  } else if (n < 128) {
    j1 = (s0 >> <u64>(n - 64)) | ((s0 << <u64>(128 - n)) != 0 || s1 != 0 ? 1 : 0);
    j0 = 0;
  } else {
    j1 = s0 != 0 || s1 != 0 ? 1 : 0;
    j0 = 0;
  }
}

// Round the exact value (-1)^neg * (s0 + s1 / 2^64) * 2^(e - BIAS - 63) to `prec` significand
// bits under ctl, with the x87's overflow and underflow responses. Tininess is detected after
// rounding; masked tiny results are denormalised and rounded at the same bit position.
export function roundPack(neg: bool, e: i32, s0: u64, s1: u64, ctl: u32, prec: u32): u32 {
  const sign: u32 = neg ? 0x8000 : 0;
  if (s0 == 0) {
    if (s1 == 0) {
      setOut(0, sign);
      return 0;
    }
    s0 = s1;
    s1 = 0;
    e -= 64;
  }
  const z = <i32>clz<u64>(s0);
  if (z != 0) {
    s0 = (s0 << <u64>z) | (s1 >> <u64>(64 - z));
    s1 = s1 << <u64>z;
    e -= z;
  }
  const rc = rcOf(ctl);
  const k = 64 - prec;
  roundAt(s0, s1, k, neg, rc);
  let sig = rSig;
  let e2 = e;
  if (rCarry) {
    sig = TOP_BIT;
    e2++;
  }
  let flags: u32 = (rInexact ? FE_PE : 0) | (rUp ? FE_C1 : 0);
  if (e2 >= 0x7fff) {
    // Unmasked: the exponent rebiased into range; when even that does not fit (fscale's
    // massive overflow) a signed infinity in every rounding mode (SDM vol. 1 8.5.4), with
    // C1 set as the reference processor does.
    if ((ctl & FE_OE) == 0) {
      if (e2 - REBIAS < 0x7fff) {
        setOut(sig, sign | <u32>((e2 - REBIAS) & 0x7fff));
        return flags | FE_OE;
      }
      setOut(TOP_BIT, sign | 0x7fff);
      return FE_OE | FE_PE | FE_C1;
    }
    const toInf = rc == RC_NEAR || (rc == RC_DOWN && neg) || (rc == RC_UP && !neg);
    if (toInf) {
      setOut(TOP_BIT, sign | 0x7fff);
      return FE_OE | FE_PE | FE_C1;
    }
    setOut(k == 0 ? <u64>-1 : ~((<u64>1 << <u64>k) - 1), sign | 0x7ffe);
    return FE_OE | FE_PE;
  }
  if (e2 < 1) {
    if ((ctl & FE_UE) == 0) {
      if (e2 + REBIAS >= 1) { // rebiased, as for overflow
        setOut(sig, sign | <u32>((e2 + REBIAS) & 0x7fff));
        return flags | FE_UE;
      }
      // Massive underflow (fscale): still tiny after rebiasing gives a signed zero, in
      // every rounding mode (SDM vol. 1 8.5.5; C1 clear, as the reference processor does).
      setOut(0, sign);
      return FE_UE | FE_PE;
    }
    shiftRightJam(s0, s1, <u32>(1 - e));
    roundAt(j0, j1, k, neg, rc);
    flags = rInexact ? FE_PE | FE_UE : 0;
    if (rUp) flags |= FE_C1;
    if (rCarry) setOut(TOP_BIT, sign | 1);
    else setOut(rSig, sign | ((rSig >> 63) != 0 ? 1 : 0));
    return flags;
  }
  setOut(sig, sign | <u32>e2);
  return flags;
}

// ---- 64 x 64 -> 128 multiply ----
export let mulHi: u64 = 0;
export let mulLo: u64 = 0;
export function mul128(a: u64, b: u64): void {
  mulLo = a * b;
  mulHi = mulhu(a, b);
}

// ---- the basic operations ----

// a + b, or a - b when `sub`. `extra` carries DE for a denormal memory operand (already
// widened to 80 bits, so no longer visible as denormal here).
export function fpAdd(aSig: u64, aSE: u32, bSig: u64, bSE: u32, sub: bool, ctl: u32, prec: u32, extra: u32): u32 {
  const ka = classify(aSig, aSE), kb = classify(bSig, bSE);
  if (ka == K_BAD || kb == K_BAD) return setIndefinite();
  if (isNaN(ka) || isNaN(kb)) return propagateNaN(aSig, aSE, ka, bSig, bSE, kb);
  if (sub) bSE ^= 0x8000;
  let flags = extra;
  if (ka == K_DENORMAL || kb == K_DENORMAL) flags |= FE_DE;
  const na = (aSE & 0x8000) != 0, nb = (bSE & 0x8000) != 0;
  if (ka == K_INF || kb == K_INF) {
    if (ka == K_INF && kb == K_INF && na != nb) return setIndefinite();
    setOut(TOP_BIT, ka == K_INF ? aSE : bSE);
    return flags;
  }
  if (ka == K_ZERO && kb == K_ZERO) {
    const neg = na == nb ? na : rcOf(ctl) == RC_DOWN;
    setOut(0, neg ? 0x8000 : 0);
    return flags;
  }
  if (ka == K_ZERO || kb == K_ZERO) {
    // x + 0: still rounded to the precision control (and a denormal stays one).
    if (ka == K_ZERO) normalize(bSig, bSE);
    else normalize(aSig, aSE);
    return flags | roundPack(ka == K_ZERO ? nb : na, nExp, nSig, 0, ctl, prec);
  }
  normalize(aSig, aSE);
  let ea = nExp, ma = nSig;
  normalize(bSig, bSE);
  let eb = nExp, mb = nSig;
  let negA = na, negB = nb;
  if (eb > ea || (eb == ea && mb > ma)) {
    const te = ea; ea = eb; eb = te;
    const tm = ma; ma = mb; mb = tm;
    const tn = negA; negA = negB; negB = tn;
  }
  shiftRightJam(mb, 0, <u32>(ea - eb));
  const b0 = j0, b1 = j1;
  if (negA == negB) {
    let lo = b1;
    let hi = ma + b0;
    if (hi < ma) {
      // carry out of the top: shift right one, keeping the sticky bit
      const st: u64 = lo & 1;
      lo = (lo >> 1) | (hi << 63) | st;
      hi = (hi >> 1) | TOP_BIT;
      return flags | roundPack(negA, ea + 1, hi, lo, ctl, prec);
    }
    return flags | roundPack(negA, ea, hi, lo, ctl, prec);
  }
  const lo: u64 = 0 - b1;
  const hi: u64 = ma - b0 - (b1 != 0 ? 1 : 0);
  if (hi == 0 && lo == 0) {
    setOut(0, rcOf(ctl) == RC_DOWN ? 0x8000 : 0);
    return flags;
  }
  return flags | roundPack(negA, ea, hi, lo, ctl, prec);
}

export function fpMul(aSig: u64, aSE: u32, bSig: u64, bSE: u32, ctl: u32, prec: u32, extra: u32): u32 {
  const ka = classify(aSig, aSE), kb = classify(bSig, bSE);
  if (ka == K_BAD || kb == K_BAD) return setIndefinite();
  if (isNaN(ka) || isNaN(kb)) return propagateNaN(aSig, aSE, ka, bSig, bSE, kb);
  const sign = (aSE ^ bSE) & 0x8000;
  if ((ka == K_INF && kb == K_ZERO) || (ka == K_ZERO && kb == K_INF)) return setIndefinite();
  let flags = extra;
  if (ka == K_DENORMAL || kb == K_DENORMAL) flags |= FE_DE;
  if (ka == K_INF || kb == K_INF) {
    setOut(TOP_BIT, sign | 0x7fff);
    return flags;
  }
  if (ka == K_ZERO || kb == K_ZERO) {
    setOut(0, sign);
    return flags;
  }
  normalize(aSig, aSE);
  const ea = nExp, ma = nSig;
  normalize(bSig, bSE);
  mul128(ma, nSig);
  return flags | roundPack(sign != 0, ea + nExp - BIAS + 1, mulHi, mulLo, ctl, prec);
}

export function fpDiv(aSig: u64, aSE: u32, bSig: u64, bSE: u32, ctl: u32, prec: u32, extra: u32): u32 {
  const ka = classify(aSig, aSE), kb = classify(bSig, bSE);
  if (ka == K_BAD || kb == K_BAD) return setIndefinite();
  if (isNaN(ka) || isNaN(kb)) return propagateNaN(aSig, aSE, ka, bSig, bSE, kb);
  const sign = (aSE ^ bSE) & 0x8000;
  if ((ka == K_INF && kb == K_INF) || (ka == K_ZERO && kb == K_ZERO)) return setIndefinite();
  if (kb == K_ZERO && ka != K_INF) {
    // Division by zero is detected before the denormal check.
    setOut(TOP_BIT, sign | 0x7fff);
    return FE_ZE;
  }
  let flags = extra;
  if (ka == K_DENORMAL || kb == K_DENORMAL) flags |= FE_DE;
  if (ka == K_INF || kb == K_ZERO) {
    setOut(TOP_BIT, sign | 0x7fff);
    return flags;
  }
  if (kb == K_INF || ka == K_ZERO) {
    setOut(0, sign);
    return flags;
  }
  normalize(aSig, aSE);
  const ea = nExp, ma = nSig;
  normalize(bSig, bSE);
  const eb = nExp, mb = nSig;
  // Long division, one quotient bit per step: 64 significant bits, then a guard bit and
  // the sticky remainder.
  let e = ea - eb + BIAS;
  let r = ma;
  let q: u64 = 0;
  if (ma < mb) e--;
  else {
    r -= mb;
    q = 1;
  }
  let n = q == 1 ? 1 : 0;
  for (; n < 65; n++) {
    const carry = r >> 63;
    r <<= 1;
    const bit = carry != 0 || r >= mb;
    if (bit) r -= mb;
    if (n < 64) q = (q << 1) | (bit ? 1 : 0);
    else return flags | roundPack(sign != 0, e, q, (bit ? TOP_BIT : 0) | (r != 0 ? 1 : 0), ctl, prec);
  }
  return flags; // not reached
}

export function fpSqrt(aSig: u64, aSE: u32, ctl: u32, prec: u32): u32 {
  const ka = classify(aSig, aSE);
  if (ka == K_BAD) return setIndefinite();
  if (isNaN(ka)) return propagateNaN(aSig, aSE, ka, 0, 0, K_ZERO);
  if (ka == K_ZERO) {
    setOut(0, aSE);
    return 0;
  }
  if ((aSE & 0x8000) != 0) return setIndefinite();
  if (ka == K_INF) {
    setOut(TOP_BIT, 0x7fff);
    return 0;
  }
  const flags: u32 = ka == K_DENORMAL ? FE_DE : 0;
  normalize(aSig, aSE);
  const E = nExp - BIAS; // value = nSig * 2^(E - 63)
  // Radicand R = nSig << k with E - 63 - k even: sqrt(R) has 64 bits.
  const odd = (E & 1) != 0;
  let rHi: u64 = odd ? nSig : nSig >> 1;
  let rLo: u64 = odd ? 0 : nSig << 63;
  const k: i32 = odd ? 64 : 63;
  // Digit-by-digit square root; the remainder fits in 67 bits (remHi:remLo).
  let remHi: u64 = 0, remLo: u64 = 0;
  let root: u64 = 0;
  for (let i = 0; i < 64; i++) {
    remHi = (remHi << 2) | (remLo >> 62);
    remLo = (remLo << 2) | (rHi >> 62);
    rHi = (rHi << 2) | (rLo >> 62);
    rLo <<= 2;
    // trial = root * 4 + 1 (up to 66 bits)
    const tHi = root >> 62;
    const tLo = (root << 2) | 1;
    if (remHi > tHi || (remHi == tHi && remLo >= tLo)) {
      const borrow: u64 = remLo < tLo ? 1 : 0;
      remLo -= tLo;
      remHi = remHi - tHi - borrow;
      root = (root << 1) | 1;
    } else root <<= 1;
  }
  // remainder > root means the next bit (one half) is set; any remainder is sticky.
  const guard = remHi != 0 || remLo > root;
  const s1: u64 = (guard ? TOP_BIT : 0) | (remHi != 0 || remLo != 0 ? 1 : 0);
  const e = BIAS + 63 + ((E - 63 - k) >> 1);
  return flags | roundPack(false, e, root, s1, ctl, prec);
}
