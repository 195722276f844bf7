// The x87 transcendental instructions: fsin, fcos, fsincos, fptan, fpatan, f2xm1, fyl2x,
// fyl2xp1. Special operands (zeros, infinities, NaNs, denormals, out-of-range arguments)
// behave as on the reference processor; finite results come from series evaluated in the
// wide arithmetic of x87_wide.ts and are then rounded under RC. They are accurate to well
// under one unit in the last place but, unlike the rest of the x87, not guaranteed to be
// bit-identical to hardware (whose own results are not always correctly rounded either).
// Like hardware, fsin/fcos/fsincos/fptan reduce their argument with a 66-bit value of pi.
import {
  FE_IE, FE_DE, FE_ZE, FE_PE, K_ZERO, K_DENORMAL, K_INF, K_BAD, BIAS, TOP_BIT, INDEF_SIG,
  INDEF_SE, classify, isNaN, propagateNaN, setIndefinite, outSig, outSE,
} from "./x87_fp";
import {
  fcw, fsw, setFsw, stSig, stSE, stEmpty, setSt, push, pop, stackFault, precheck, setFlags,
  setIndefiniteSt, SW_C1, SW_C2,
} from "./x87_state";
import {
  W, wFrom80, wFromInt, wFromFixed, wConst, wCopy, wMul, wAdd, wDiv, wDivSmall, wSqrt, wScale,
  wRound, wIsZero, wNeg, wExp, wSetNeg, wJam,
} from "./x87_wide";

// Wide temporaries W(0)..W(19) (W(20).. belong to x87_wide).
const A: u32 = 0, B: u32 = 1, R: u32 = 2, S: u32 = 3, C: u32 = 4, T: u32 = 5, U: u32 = 6, V: u32 = 7;
const K1: u32 = 8, K2: u32 = 9, X2: u32 = 10, P: u32 = 11, Q: u32 = 12;

function piTo(i: u32): void {
  wConst(W(i), 0xc90fdaa22168c234, 0xc4c6628b80dc1cd1, 2);
}
function ln2To(i: u32): void {
  wConst(W(i), 0xb17217f7d1cf79ab, 0xc9e3b39803f2f6af, 0);
}
function log2eTo(i: u32): void {
  wConst(W(i), 0xb8aa3b295c17f0bb, 0xbe87fed0691d3e88, 1);
}
// ln 2 and log2(e) rounded up: their product exceeds 1 by a hair, so log2 of a power of two
// comes out just above the integer and inexact, as the reference's does.
function ln2UpTo(i: u32): void {
  wConst(W(i), 0xb17217f7d1cf79ab, 0xc9e3b39803f2f6b0, 0);
}
function log2eUpTo(i: u32): void {
  wConst(W(i), 0xb8aa3b295c17f0bb, 0xbe87fed0691d3e89, 1);
}

// ---- series ----

// Stop adding terms once they fall 130 bits below the sum.
@inline function negligible(term: u32, sum: u32): bool {
  return wIsZero(W(term)) || wExp(W(term)) < wExp(W(sum)) - 130;
}

// W(d) = sin(W(x)) for |x| <= pi/4 (about).
function sinSeries(d: u32, x: u32): void {
  wMul(W(X2), W(x), W(x));
  wCopy(W(T), W(x));
  wCopy(W(d), W(x));
  for (let n: u32 = 1; n < 40; n++) {
    wMul(W(T), W(T), W(X2));
    wDivSmall(W(T), W(T), (2 * n) * (2 * n + 1));
    wAdd(W(d), W(d), W(T), (n & 1) != 0);
    if (negligible(T, d)) break;
  }
}

function cosSeries(d: u32, x: u32): void {
  wMul(W(X2), W(x), W(x));
  wFromInt(W(T), 1);
  wFromInt(W(d), 1);
  for (let n: u32 = 1; n < 40; n++) {
    wMul(W(T), W(T), W(X2));
    wDivSmall(W(T), W(T), (2 * n - 1) * (2 * n));
    wAdd(W(d), W(d), W(T), (n & 1) != 0);
    if (negligible(T, d)) break;
  }
}

// W(d) = atanh(W(t)) = t + t^3/3 + t^5/5 ... for small |t|.
function atanhSeries(d: u32, t: u32): void {
  wMul(W(X2), W(t), W(t));
  wCopy(W(P), W(t));
  wCopy(W(d), W(t));
  for (let k: u32 = 1; k < 200; k++) {
    wMul(W(P), W(P), W(X2));
    wDivSmall(W(T), W(P), 2 * k + 1);
    wAdd(W(d), W(d), W(T), false);
    if (negligible(T, d)) break;
  }
}

// W(d) = atan(W(t)) for 0 <= t <= 1: halve the angle until t < 1/10, then the series.
function atanSeries(d: u32, t: u32): void {
  wCopy(W(Q), W(t));
  let doublings = 0;
  while (wExp(W(Q)) > -3 && doublings < 4) {
    // t / (1 + sqrt(1 + t^2))
    wMul(W(U), W(Q), W(Q));
    wFromInt(W(V), 1);
    wAdd(W(U), W(U), W(V), false);
    wSqrt(W(U), W(U));
    wAdd(W(U), W(U), W(V), false);
    wDiv(W(Q), W(Q), W(U));
    doublings++;
  }
  wMul(W(X2), W(Q), W(Q));
  wCopy(W(P), W(Q));
  wCopy(W(d), W(Q));
  for (let k: u32 = 1; k < 200; k++) {
    wMul(W(P), W(P), W(X2));
    wDivSmall(W(T), W(P), 2 * k + 1);
    wAdd(W(d), W(d), W(T), (k & 1) != 0);
    if (negligible(T, d)) break;
  }
  wScale(W(d), W(d), doublings);
}

// W(d) = e^W(u) - 1 for |u| up to about 1.
function expm1Series(d: u32, u: u32): void {
  wCopy(W(T), W(u));
  wCopy(W(d), W(u));
  for (let n: u32 = 2; n < 80; n++) {
    wMul(W(T), W(T), W(u));
    wDivSmall(W(T), W(T), n);
    wAdd(W(d), W(d), W(T), false);
    if (negligible(T, d)) break;
  }
}

// W(d) = log2(W(m)) for m > 0.
function log2Wide(d: u32, m: u32): void {
  // m = f * 2^k with f in [1/sqrt2, sqrt2)
  let k = wExp(W(m));
  wCopy(W(U), W(m));
  wScale(W(U), W(U), -k); // [1/2, 1)
  if (load<u64>(W(U)) < 0xb504f333f9de6484) {
    wScale(W(U), W(U), 1);
    k--;
  }
  // ln m = k ln 2 + ln f, ln f = 2 atanh((f - 1) / (f + 1)); log2 m = ln m log2(e).
  wFromInt(W(V), 1);
  wAdd(W(K1), W(U), W(V), true);
  wAdd(W(K2), W(U), W(V), false);
  wDiv(W(K1), W(K1), W(K2));
  atanhSeries(d, K1);
  wScale(W(d), W(d), 1);
  wFromInt(W(K1), <i64>k);
  ln2UpTo(K2);
  wMul(W(K1), W(K1), W(K2));
  wAdd(W(d), W(d), W(K1), false);
  log2eUpTo(K2);
  wMul(W(d), W(d), W(K2));
}

// ---- argument reduction for the trigonometric instructions ----

// |x| = q * (pi66 / 2) + r with |r| <= about pi/4: r in W(R), q mod 4 returned. pi66 is
// pi rounded to 66 bits, as the processor uses; the division is exact.
const P_HI: u64 = 0x3; // pi66 / 2 = 0x3243F6A8885A308D3 * 2^-65
const P_LO: u64 = 0x243f6a8885a308d3;

function reduce(sig: u64, se: u32): u32 {
  let e: i32 = <i32>(se & 0x7fff);
  if (e == 0) e = 1;
  const sh = e - BIAS - 63 + 65; // |x| = sig * 2^(sh - 65)
  if (sh < 0) {
    wFrom80(W(R), sig, se & 0x7fff);
    return 0;
  }
  // N = sig << sh (at most 128 bits), divided by P one bit at a time.
  let nh: u64 = sh == 0 ? 0 : sh >= 64 ? sig : sig >> <u64>(64 - sh);
  let nl: u64 = sh >= 64 ? 0 : sig << <u64>sh;
  let rh: u64 = 0, rl: u64 = 0, q: u64 = 0;
  for (let i = 0; i < 128; i++) {
    rh = (rh << 1) | (rl >> 63);
    rl = (rl << 1) | (nh >> 63);
    nh = (nh << 1) | (nl >> 63);
    nl <<= 1;
    q <<= 1;
    if (rh > P_HI || (rh == P_HI && rl >= P_LO)) {
      rh = rh - P_HI - (rl < P_LO ? 1 : 0);
      rl -= P_LO;
      q |= 1;
    }
  }
  // Round the quotient to nearest: remainder above P/2 means one more, negative remainder.
  let neg = false;
  const twoH = (rh << 1) | (rl >> 63), twoL = rl << 1;
  if (twoH > P_HI || (twoH == P_HI && twoL > P_LO)) {
    rh = P_HI - rh - (P_LO < rl ? 1 : 0);
    rl = P_LO - rl;
    q++;
    neg = true;
  }
  wFromFixed(W(R), rh, rl, neg, 65);
  return <u32>(q & 3);
}

// ---- common operand handling ----

// ST(0) present? Otherwise masked stack underflow: ST(0) = indefinite.
function haveSt0(): bool {
  if (!stEmpty(0)) return true;
  if (stackFault(false)) setIndefiniteSt(0);
  return false;
}

// ST(0) and ST(1) present (for the instructions that write ST(1) and pop)?
function haveTwo(): bool {
  if (!stEmpty(0) && !stEmpty(1)) return true;
  if (stackFault(false)) {
    setIndefiniteSt(1);
    pop();
  }
  return false;
}

// Write ST(1) and pop, unless an unmasked pre-computation exception stops it.
function finishPop(sig: u64, se: u32, r: u32): void {
  if (!precheck(r)) return;
  setSt(1, sig, se);
  setFlags(r);
  pop();
}

// ---- fsin, fcos, fsincos, fptan ----

const M_SIN: u32 = 1;
const M_COS: u32 = 2;
const M_TAN: u32 = 4;

// Arguments of 2^63 or more are out of range: C2 set, nothing else changes.
function outOfRange(se: u32): bool {
  return (se & 0x7fff) >= <u32>(BIAS + 63) && (se & 0x7fff) != 0x7fff;
}

export function fsin(): void {
  trig(M_SIN);
}

export function fcos(): void {
  trig(M_COS);
}

export function fsincos(): void {
  trig(M_SIN | M_COS);
}

export function fptan(): void {
  trig(M_TAN);
}

function trig(mode: u32): void {
  const pushes = mode == (M_SIN | M_COS) || mode == M_TAN;
  if (!haveSt0()) {
    if (pushes && (fcw() & FE_IE) != 0 && stEmpty(7)) push(INDEF_SIG, INDEF_SE);
    return;
  }
  if (pushes && !stEmpty(7)) {
    if (stackFault(true)) {
      setIndefiniteSt(0);
      push(INDEF_SIG, INDEF_SE);
    }
    return;
  }
  const sig = stSig(0), se = stSE(0);
  const k = classify(sig, se);
  if (outOfRange(se) && k != K_BAD) {
    setFsw((fsw() & ~SW_C1) | SW_C2);
    return;
  }
  let r: u32 = 0;
  let aSig: u64, aSE: u32, bSig: u64 = 0, bSE: u32 = 0; // results: a to ST(0), b pushed
  if (k == K_BAD || k == K_INF || isNaN(k)) {
    r = isNaN(k) ? propagateNaN(sig, se, k, 0, 0, K_ZERO) : setIndefinite();
    aSig = outSig;
    aSE = outSE;
    bSig = outSig;
    bSE = outSE;
  } else if (k == K_ZERO) {
    // sin and tan keep the signed zero, cos is 1.
    aSig = mode == M_COS ? TOP_BIT : sig;
    aSE = mode == M_COS ? BIAS : se;
    bSig = TOP_BIT; // the pushed cos 0 or 1.0 of fptan
    bSE = BIAS;
  } else {
    if (k == K_DENORMAL) r = FE_DE;
    const neg = (se & 0x8000) != 0;
    const q = reduce(sig, se);
    const ctl = fcw();
    if (mode == M_TAN) {
      sinSeries(S, R);
      cosSeries(C, R);
      if ((q & 1) == 0) wDiv(W(A), W(S), W(C));
      else {
        wDiv(W(A), W(C), W(S));
        wSetNeg(W(A), !wNeg(W(A)));
      }
      if (neg) wSetNeg(W(A), !wNeg(W(A)));
      r |= wRound(W(A), ctl);
      aSig = outSig;
      aSE = outSE;
      bSig = TOP_BIT;
      bSE = BIAS;
    } else {
      // sin x and cos x from sin r and cos r by quadrant.
      sinSeries(S, R);
      cosSeries(C, R);
      const sinSrc = (q & 1) == 0 ? S : C;
      const cosSrc = (q & 1) == 0 ? C : S;
      wCopy(W(A), W(sinSrc));
      if ((q & 2) != 0) wSetNeg(W(A), !wNeg(W(A)));
      if (neg) wSetNeg(W(A), !wNeg(W(A)));
      wCopy(W(B), W(cosSrc));
      if (q == 1 || q == 2) wSetNeg(W(B), !wNeg(W(B)));
      if (mode == M_COS) {
        r |= wRound(W(B), ctl);
        aSig = outSig;
        aSE = outSE;
      } else {
        r |= wRound(W(A), ctl);
        aSig = outSig;
        aSE = outSE;
        if (mode != M_SIN) {
          // Flags of both results; C1 tells about the sine.
          r |= wRound(W(B), ctl) & ~SW_C1;
          bSig = outSig;
          bSE = outSE;
        }
      }
    }
  }
  if (!precheck(r)) return;
  setSt(0, aSig, aSE);
  if (pushes) push(bSig, bSE);
  setFlags(r);
  setFsw(fsw() & ~SW_C2);
}

// ---- fpatan: ST(1) = atan2(ST(1), ST(0)), pop ----

export function fpatan(): void {
  if (!haveTwo()) return;
  const xs = stSig(0), xe = stSE(0), ys = stSig(1), ye = stSE(1);
  const kx = classify(xs, xe), ky = classify(ys, ye);
  const ctl = fcw();
  let r: u32 = 0;
  if (kx == K_BAD || ky == K_BAD) {
    r = setIndefinite();
    finishPop(outSig, outSE, r);
    return;
  }
  if (isNaN(kx) || isNaN(ky)) {
    r = propagateNaN(ys, ye, ky, xs, xe, kx);
    finishPop(outSig, outSE, r);
    return;
  }
  if (kx == K_DENORMAL || ky == K_DENORMAL) r = FE_DE;
  const yNeg = (ye & 0x8000) != 0, xNeg = (xe & 0x8000) != 0;
  // The angle as a multiple of pi/4 for the special cases (-1: computed).
  let quarters: i32 = -1;
  if (ky == K_ZERO) quarters = xNeg ? 4 : 0;
  else if (kx == K_ZERO) quarters = 2;
  else if (ky == K_INF) quarters = kx == K_INF ? (xNeg ? 3 : 1) : 2;
  else if (kx == K_INF) quarters = xNeg ? 4 : 0;
  if (quarters == 0) {
    finishPop(0, yNeg ? 0x8000 : 0, r);
    return;
  }
  if (quarters > 0) {
    piTo(A);
    wScale(W(A), W(A), -2);
    if (quarters != 1) {
      wFromInt(W(B), quarters);
      wMul(W(A), W(A), W(B));
    }
  } else {
    wFrom80(W(U), ys, ye & 0x7fff);
    wFrom80(W(V), xs, xe & 0x7fff);
    const swap = wExp(W(U)) > wExp(W(V)) ||
      (wExp(W(U)) == wExp(W(V)) && (load<u64>(W(U)) > load<u64>(W(V)) || (load<u64>(W(U)) == load<u64>(W(V)) && load<u64>(W(U) + 8) > load<u64>(W(V) + 8))));
    if (swap) wDiv(W(B), W(V), W(U));
    else wDiv(W(B), W(U), W(V));
    atanSeries(A, B);
    if (swap) {
      piTo(B);
      wScale(W(B), W(B), -1);
      wAdd(W(A), W(B), W(A), true);
    }
    if (xNeg) {
      piTo(B);
      wAdd(W(A), W(B), W(A), true);
    }
  }
  wSetNeg(W(A), yNeg);
  r |= wRound(W(A), ctl);
  finishPop(outSig, outSE, r);
}

// ---- f2xm1: ST(0) = 2^ST(0) - 1 ----

export function f2xm1(): void {
  if (!haveSt0()) return;
  const sig = stSig(0), se = stSE(0);
  const k = classify(sig, se);
  const neg = (se & 0x8000) != 0;
  const e = <i32>(se & 0x7fff) - BIAS;
  let r: u32 = 0;
  if (k == K_BAD) r = setIndefinite();
  else if (isNaN(k)) r = propagateNaN(sig, se, k, 0, 0, K_ZERO);
  else if (k == K_ZERO) {
    outSigT = sig;
    outSET = se;
  } else if (k == K_INF) {
    outSigT = TOP_BIT;
    outSET = neg ? BIAS | 0x8000 : 0x7fff;
  } else if (e >= 0 && !(e == 0 && sig == TOP_BIT)) {
    // Outside the documented range [-1, 1] the reference returns the operand, inexact.
    r = FE_PE;
    outSigT = sig;
    outSET = se;
  } else {
    if (k == K_DENORMAL) r = FE_DE;
    // e^(x ln 2) - 1 by its series (|x ln 2| < 0.7).
    wFrom80(W(A), sig, se);
    ln2To(B);
    wMul(W(A), W(A), W(B));
    expm1Series(C, A);
    r |= wRound(W(C), fcw());
  }
  if (k == K_BAD || isNaN(k) || (k != K_ZERO && k != K_INF && (e < 0 || (e == 0 && sig == TOP_BIT)))) {
    outSigT = outSig;
    outSET = outSE;
  }
  if (!precheck(r)) return;
  setSt(0, outSigT, outSET);
  setFlags(r);
}

let outSigT: u64 = 0;
let outSET: u32 = 0;

// ---- fyl2x: ST(1) = ST(1) * log2(ST(0)), pop; fyl2xp1: ST(1) * log2(ST(0) + 1), pop ----

export function fyl2x(): void {
  ylog(false);
}

export function fyl2xp1(): void {
  ylog(true);
}

function ylog(plusOne: bool): void {
  if (!haveTwo()) return;
  const xs = stSig(0), xe = stSE(0), ys = stSig(1), ye = stSE(1);
  const kx = classify(xs, xe), ky = classify(ys, ye);
  const xNeg = (xe & 0x8000) != 0, yNeg = (ye & 0x8000) != 0;
  let r: u32 = 0;
  if (kx == K_BAD || ky == K_BAD) {
    finishPop(INDEF_SIG, INDEF_SE, setIndefinite());
    return;
  }
  if (isNaN(kx) || isNaN(ky)) {
    r = propagateNaN(ys, ye, ky, xs, xe, kx);
    finishPop(outSig, outSE, r);
    return;
  }
  // Sign of the logarithm: -1, 0 (log is zero), 1; and whether it is infinite.
  let logSign: i32;
  let logInf = false;
  if (plusOne) {
    if (kx == K_ZERO) logSign = 0;
    else if (kx == K_INF && xNeg) {
      finishPop(INDEF_SIG, INDEF_SE, setIndefinite());
      return;
    } else if (xNeg && (xe & 0x7fff) >= <u32>BIAS) {
      // x <= -1, outside the documented range: the reference returns x (inexact), or for a
      // zero or infinite y that y with its sign flipped.
      if (ky == K_ZERO || ky == K_INF) finishPop(ys, ye ^ 0x8000, 0);
      else finishPop(xs, xe, FE_PE | (ky == K_DENORMAL ? FE_DE : 0));
      return;
    } else logSign = xNeg ? -1 : 1;
    logInf = kx == K_INF;
  } else {
    if (xNeg && kx != K_ZERO) {
      finishPop(INDEF_SIG, INDEF_SE, setIndefinite());
      return;
    }
    if (kx == K_ZERO) {
      logSign = -1;
      logInf = true;
    } else if (kx == K_INF) {
      logSign = 1;
      logInf = true;
    } else if (xs == TOP_BIT && (xe & 0x7fff) == <u32>BIAS) logSign = 0;
    else logSign = (xe & 0x7fff) >= <u32>BIAS ? 1 : -1;
  }
  const denormal = kx == K_DENORMAL || ky == K_DENORMAL;
  // Infinity times zero is invalid.
  if ((ky == K_INF && logSign == 0) || (ky == K_ZERO && logInf)) {
    finishPop(INDEF_SIG, INDEF_SE, setIndefinite());
    return;
  }
  const resNeg = yNeg != (logSign < 0 || (logSign == 0 && plusOne && xNeg));
  if (logInf || ky == K_INF) {
    // y * log(0) with y finite is a division by zero.
    if (!plusOne && kx == K_ZERO && ky != K_INF) r = FE_ZE;
    else if (denormal) r = FE_DE;
    finishPop(TOP_BIT, resNeg ? 0xffff : 0x7fff, r);
    return;
  }
  if (denormal) r = FE_DE;
  if (logSign == 0 || ky == K_ZERO) {
    finishPop(0, resNeg ? 0x8000 : 0, r);
    return;
  }
  wFrom80(W(B), xs, xe);
  if (plusOne && wExp(W(B)) < -1) {
    // log2(1 + x) = 2 atanh(x / (2 + x)) log2(e), without forming 1 + x.
    wFromInt(W(U), 2);
    wAdd(W(U), W(U), W(B), false);
    wDiv(W(K1), W(B), W(U));
    atanhSeries(A, K1);
    wScale(W(A), W(A), 1);
    log2eTo(K2);
    wMul(W(A), W(A), W(K2));
  } else {
    if (plusOne) {
      wFromInt(W(U), 1);
      wAdd(W(B), W(B), W(U), false);
    }
    log2Wide(A, B);
  }
  wFrom80(W(C), ys, ye);
  wMul(W(A), W(A), W(C));
  // The reference's logarithm is inexact even where the true one is not (powers of two):
  // a sticky last bit makes the result inexact too (which matters for a tiny y: UE).
  wJam(W(A));
  r |= wRound(W(A), fcw());
  finishPop(outSig, outSE, r);
}
