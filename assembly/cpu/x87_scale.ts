// The exact x87 operations on exponents: fprem/fprem1 (partial remainder), fscale and
// fxtract.
import {
  FE_DE, FE_ZE, K_ZERO, K_DENORMAL, K_INF, K_BAD, BIAS, TOP_BIT, INDEF_SIG, INDEF_SE, classify,
  isNaN, normalize, nExp, nSig, propagateNaN, setIndefinite, roundPack, outSig, outSE,
} from "./x87_fp";
import { fromInt, cSig, cSE } from "./x87_conv";
import {
  fcw, fsw, setFsw, stSig, stSE, stEmpty, setSt, push, stackFault, precheck, setFlags,
  setIndefiniteSt, SW_C0, SW_C1, SW_C2, SW_C3, SW_CC,
} from "./x87_state";

// Both ST(0) and ST(1) present? Otherwise stack underflow, masked response: ST(0) = indefinite.
function twoOperands(): bool {
  if (!stEmpty(0) && !stEmpty(1)) return true;
  if (stackFault(false)) setIndefiniteSt(0);
  return false;
}

// ---- fprem / fprem1 ----

// When the exponents differ by 64 or more only a partial remainder is computed; the
// reference processor reduces the difference by 32 + (difference mod 32) bits per step.
export function fprem(nearest: bool): void {
  if (!twoOperands()) return;
  const aSig = stSig(0), aSE = stSE(0), bSig = stSig(1), bSE = stSE(1);
  const ka = classify(aSig, aSE), kb = classify(bSig, bSE);
  let r: u32;
  let cc: u32 = 0;
  if (ka == K_BAD || kb == K_BAD) r = setIndefinite();
  else if (isNaN(ka) || isNaN(kb)) r = propagateNaN(aSig, aSE, ka, bSig, bSE, kb);
  else if (ka == K_INF || kb == K_ZERO) r = setIndefinite();
  else {
    r = ka == K_DENORMAL || kb == K_DENORMAL ? FE_DE : 0;
    if (ka == K_ZERO) {
      outSigL = aSig;
      outSEL = aSE;
    } else if (kb == K_INF) {
      // The quotient is 0 and the remainder a, re-encoded as when |a| < |b| (the reference
      // processor normalizes pseudo-denormals and underflows a denormal when UE is unmasked).
      normalize(aSig, aSE);
      r |= roundPack((aSE & 0x8000) != 0, nExp, nSig, 0, fcw(), 64);
      outSigL = outSig;
      outSEL = outSE;
    } else {
      r |= remainder(aSig, aSE, bSig, bSE, nearest);
      cc = remCC;
    }
    if (!precheck(r)) return;
    setSt(0, outSigL, outSEL);
    setFlags(r);
    setFsw((fsw() & ~SW_CC) | cc);
    return;
  }
  if (!precheck(r)) return;
  setSt(0, outSig, outSE);
  setFlags(r);
  setFsw(fsw() & ~(SW_C0 | SW_C2 | SW_C3));
}

let outSigL: u64 = 0;
let outSEL: u32 = 0;
let remCC: u32 = 0;

function remainder(aSig: u64, aSE: u32, bSig: u64, bSE: u32, nearest: bool): u32 {
  const neg = (aSE & 0x8000) != 0;
  normalize(aSig, aSE);
  const ea = nExp, ma = nSig;
  normalize(bSig, bSE);
  const eb = nExp, mb = nSig;
  const d = ea - eb;
  remCC = 0;
  if (d < 0) {
    // |a| < |b|: the quotient is 0, or 1 for fprem1 when |a| > |b| / 2.
    if (nearest && d == -1 && ma > mb) {
      // |b| - |a| = (2·mb - ma) in units of a's last bit.
      remCC = SW_C1;
      const f = roundPack(!neg, ea, mb - (ma - mb), 0, fcw(), 64);
      outSigL = outSig;
      outSEL = outSE;
      return f;
    }
    // The quotient is 0 and the remainder a itself, re-encoded (pseudo-denormals become
    // normal; a tiny value underflows when that is unmasked).
    const f = roundPack(neg, ea, ma, 0, fcw(), 64);
    outSigL = outSig;
    outSEL = outSE;
    return f;
  }
  let steps: i32 = d;
  let partial = false;
  if (d >= 64) {
    steps = 32 + (d & 31);
    partial = true;
  }
  // Long division of ma * 2^steps by mb: quotient bits in q, remainder in rem (< mb).
  let rem = ma;
  let q: u64 = 0;
  if (rem >= mb) {
    rem -= mb;
    q = 1;
  }
  for (let k = 0; k < steps; k++) {
    const carry = rem >> 63;
    rem <<= 1;
    q <<= 1;
    if (carry != 0 || rem >= mb) {
      rem -= mb;
      q |= 1;
    }
  }
  let rneg = neg;
  if (!partial && nearest) {
    // Round the quotient to nearest even: compare 2·rem with mb.
    const twice = rem >> 63 != 0 ? 1 : (rem << 1) > mb ? 1 : (rem << 1) == mb ? 0 : -1;
    if (twice > 0 || (twice == 0 && (q & 1) != 0)) {
      q++;
      rem = mb - rem;
      rneg = !neg;
    }
  }
  if (partial) remCC = SW_C2;
  else remCC = ((q & 4) != 0 ? SW_C0 : 0) | ((q & 2) != 0 ? SW_C3 : 0) | ((q & 1) != 0 ? SW_C1 : 0);
  if (rem == 0) {
    outSigL = 0;
    outSEL = neg ? 0x8000 : 0;
    return 0;
  }
  const f = roundPack(rneg, eb + (partial ? d - steps : 0), rem, 0, fcw(), 64);
  outSigL = outSig;
  outSEL = outSE;
  return f;
}

// ---- fscale: ST(0) * 2^trunc(ST(1)) ----

export function fscale(): void {
  if (!twoOperands()) return;
  const aSig = stSig(0), aSE = stSE(0), bSig = stSig(1), bSE = stSE(1);
  const ka = classify(aSig, aSE), kb = classify(bSig, bSE);
  let r: u32;
  const bNeg = (bSE & 0x8000) != 0;
  if (ka == K_BAD || kb == K_BAD) r = setIndefinite();
  else if (isNaN(ka) || isNaN(kb)) r = propagateNaN(aSig, aSE, ka, bSig, bSE, kb);
  else if (kb == K_INF && ((ka == K_ZERO && !bNeg) || (ka == K_INF && bNeg))) r = setIndefinite();
  else {
    r = ka == K_DENORMAL || kb == K_DENORMAL ? FE_DE : 0;
    if (ka == K_ZERO || ka == K_INF) {
      outSigL = aSig;
      outSEL = aSE;
    } else if (kb == K_INF) {
      outSigL = bNeg ? 0 : TOP_BIT;
      outSEL = (aSE & 0x8000) | (bNeg ? 0 : 0x7fff);
    } else {
      const n = truncScale(bSig, bSE);
      normalize(aSig, aSE);
      r |= roundPack((aSE & 0x8000) != 0, nExp + n, nSig, 0, fcw(), 64);
      outSigL = outSig;
      outSEL = outSE;
    }
    if (!precheck(r)) return;
    setSt(0, outSigL, outSEL);
    setFlags(r);
    return;
  }
  if (!precheck(r)) return;
  setSt(0, outSig, outSE);
  setFlags(r);
}

// trunc(b) as an exponent adjustment, clamped where the result is certain to over- or
// underflow anyway.
function truncScale(sig: u64, se: u32): i32 {
  if (classify(sig, se) == K_ZERO) return 0;
  normalize(sig, se);
  const E = nExp - BIAS;
  if (E < 0) return 0;
  const m: i32 = E >= 20 ? 0x100000 : <i32>(nSig >> <u64>(63 - E));
  return (se & 0x8000) != 0 ? -m : m;
}

// ---- fxtract: ST(0) = exponent, then push the significand ----

export function fxtract(): void {
  if (stEmpty(0)) {
    if (stackFault(false)) {
      setIndefiniteSt(0);
      if (stEmpty(7)) push(INDEF_SIG, INDEF_SE);
    }
    return;
  }
  if (!stEmpty(7)) {
    if (stackFault(true)) {
      setIndefiniteSt(0);
      push(INDEF_SIG, INDEF_SE);
    }
    return;
  }
  const aSig = stSig(0), aSE = stSE(0);
  const k = classify(aSig, aSE);
  let r: u32 = 0;
  let eSig: u64, eSE: u32, mSig: u64, mSE: u32;
  if (k == K_BAD || isNaN(k)) {
    r = k == K_BAD ? setIndefinite() : propagateNaN(aSig, aSE, k, 0, 0, K_ZERO);
    eSig = outSig;
    eSE = outSE;
    mSig = outSig;
    mSE = outSE;
  } else if (k == K_ZERO) {
    r = FE_ZE;
    eSig = TOP_BIT;
    eSE = 0xffff;
    mSig = 0;
    mSE = aSE;
  } else if (k == K_INF) {
    eSig = TOP_BIT;
    eSE = 0x7fff;
    mSig = aSig;
    mSE = aSE;
  } else {
    if (k == K_DENORMAL) r = FE_DE;
    normalize(aSig, aSE);
    fromInt(<i64>(nExp - BIAS));
    eSig = cSig;
    eSE = cSE;
    mSig = nSig;
    mSE = (aSE & 0x8000) | <u32>BIAS;
  }
  if (!precheck(r)) return;
  setSt(0, eSig, eSE);
  push(mSig, mSE);
  setFlags(r);
}
