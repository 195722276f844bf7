// x87 arithmetic and comparison instructions on the register stack: the eight operations
// of the D8/DC/DA/DE groups (add, mul, com, comp, sub, subr, div, divr) with register or
// already-read memory operands, the compare family (fcom, fucom, fcomi, ficom, ftst), and the
// one-operand D9 group (fchs, fabs, fxam, fsqrt, frndint, constants).
import {
  FE_IE, FE_DE, K_ZERO, K_NORMAL, K_DENORMAL, K_INF, K_QNAN, K_SNAN, K_BAD, classify, isNaN,
  normalize, nExp, nSig, fpAdd, fpMul, fpDiv, fpSqrt, pcBits, outSig, outSE, rcOf, RC_NEAR,
  RC_UP, INDEF_SIG, INDEF_SE,
} from "./x87_fp";
import { roundIntValue, cSig, cSE } from "./x87_conv";
import {
  fcw, fsw, setFsw, stSig, stSE, stEmpty, setSt, push, pop, stackFault, commitSt, unmasked,
  SW_C0, SW_C1, SW_C2, SW_C3, SW_CC, setIndefiniteSt,
} from "./x87_state";
import { setArith, CF, PF, ZF, ARITH } from "./flags";

export const OP_ADD: u32 = 0;
export const OP_MUL: u32 = 1;
export const OP_COM: u32 = 2;
export const OP_COMP: u32 = 3;
export const OP_SUB: u32 = 4; // x - y
export const OP_SUBR: u32 = 5; // y - x
export const OP_DIV: u32 = 6; // x / y
export const OP_DIVR: u32 = 7; // y / x

// x op y with x = ST(0) and y the other operand; result in outSig/outSE.
function compute(kind: u32, xSig: u64, xSE: u32, ySig: u64, ySE: u32, extra: u32): u32 {
  const ctl = fcw();
  const prec = pcBits(ctl);
  switch (kind) {
    case OP_ADD: return fpAdd(xSig, xSE, ySig, ySE, false, ctl, prec, extra);
    case OP_MUL: return fpMul(xSig, xSE, ySig, ySE, ctl, prec, extra);
    case OP_SUB: return fpAdd(xSig, xSE, ySig, ySE, true, ctl, prec, extra);
    case OP_SUBR: return fpAdd(ySig, ySE, xSig, xSE, true, ctl, prec, extra);
    case OP_DIV: return fpDiv(xSig, xSE, ySig, ySE, ctl, prec, extra);
    default: return fpDiv(ySig, ySE, xSig, xSE, ctl, prec, extra);
  }
}

// ST(0) = ST(0) op y, y from memory (already widened; `extra` = DE for a denormal source).
export function arithMem(kind: u32, ySig: u64, ySE: u32, extra: u32): void {
  if (kind == OP_COM || kind == OP_COMP) {
    compareSt0(ySig, ySE, false, extra, kind == OP_COMP ? 1 : 0, false, false);
    return;
  }
  if (stEmpty(0)) {
    if (stackFault(false)) setIndefiniteSt(0);
    return;
  }
  const r = compute(kind, stSig(0), stSE(0), ySig, ySE, extra);
  commitSt(0, outSig, outSE, r);
}

// Register forms. toSti: the destination is ST(i) (DC/DE groups), else ST(0) (D8 group).
export function arithReg(kind: u32, i: u32, toSti: bool, popAfter: bool): void {
  if (kind == OP_COM || kind == OP_COMP) {
    compareReg(i, false, kind == OP_COMP ? 1 : 0, false);
    return;
  }
  const dst = toSti ? i : 0;
  if (stEmpty(0) || stEmpty(i)) {
    if (stackFault(false)) {
      setIndefiniteSt(dst);
      if (popAfter) pop();
    }
    return;
  }
  const r = compute(kind, stSig(0), stSE(0), stSig(i), stSE(i), 0);
  if (commitSt(dst, outSig, outSE, r) && popAfter) pop();
}

// ---- comparisons ----

const REL_GT: u32 = 0;
const REL_LT: u32 = SW_C0;
const REL_EQ: u32 = SW_C3;
const REL_UN: u32 = SW_C3 | SW_C2 | SW_C0;

let rel: u32 = 0;

// Compare a with b: relation in `rel` (as C3/C2/C0), exception bits returned. quiet: QNaN
// operands do not raise IE (fucom).
function compareVals(aSig: u64, aSE: u32, bSig: u64, bSE: u32, quiet: bool, extra: u32): u32 {
  const ka = classify(aSig, aSE), kb = classify(bSig, bSE);
  if (ka == K_BAD || kb == K_BAD) {
    rel = REL_UN;
    return FE_IE;
  }
  if (isNaN(ka) || isNaN(kb)) {
    rel = REL_UN;
    return !quiet || ka == K_SNAN || kb == K_SNAN ? FE_IE : 0;
  }
  const flags = extra | (ka == K_DENORMAL || kb == K_DENORMAL ? FE_DE : 0);
  const c = cmpMag(aSig, aSE, ka, bSig, bSE, kb);
  rel = c == 0 ? REL_EQ : c < 0 ? REL_LT : REL_GT;
  return flags;
}

// Ordering of two ordered (non-NaN) values: -1, 0, 1.
function cmpMag(aSig: u64, aSE: u32, ka: u32, bSig: u64, bSE: u32, kb: u32): i32 {
  if (ka == K_ZERO && kb == K_ZERO) return 0;
  const na = (aSE & 0x8000) != 0 && ka != K_ZERO;
  const nb = (bSE & 0x8000) != 0 && kb != K_ZERO;
  if (na != nb) return na ? -1 : 1;
  let m: i32; // compare magnitudes
  if (ka == K_ZERO) m = -1;
  else if (kb == K_ZERO) m = 1;
  else if (ka == K_INF || kb == K_INF) m = ka == kb ? 0 : ka == K_INF ? 1 : -1;
  else {
    normalize(aSig, aSE);
    const ea = nExp, ma = nSig;
    normalize(bSig, bSE);
    if (ea != nExp) m = ea > nExp ? 1 : -1;
    else m = ma == nSig ? 0 : ma > nSig ? 1 : -1;
  }
  return na ? -m : m;
}

// Compare ST(0) with b and set C3/C2/C0 (or ZF/PF/CF when toEflags), then pop `pops`
// times unless an unmasked exception stopped it. The condition codes are written even then,
// as the reference processor does.
export function compareSt0(bSig: u64, bSE: u32, quiet: bool, extra: u32, pops: u32, toEflags: bool, bEmpty: bool): void {
  if (stEmpty(0) || bEmpty) {
    compareEmpty(pops, toEflags);
    return;
  }
  const r = compareVals(stSig(0), stSE(0), bSig, bSE, quiet, extra);
  finishCompare(r, pops, toEflags, (unmasked(r) & 0x07) != 0);
}

function compareEmpty(pops: u32, toEflags: bool): void {
  const go = stackFault(false);
  rel = REL_UN;
  writeRel(toEflags);
  if (go) for (let k: u32 = 0; k < pops; k++) pop();
}

function finishCompare(r: u32, pops: u32, toEflags: bool, stop: bool): void {
  setFsw((fsw() & ~SW_C1) | (r & 0x3f));
  writeRel(toEflags);
  if (!stop) for (let k: u32 = 0; k < pops; k++) pop();
}

function writeRel(toEflags: bool): void {
  if (toEflags) {
    let f: u64 = 0;
    if ((rel & SW_C0) != 0) f |= CF;
    if ((rel & SW_C2) != 0) f |= PF;
    if ((rel & SW_C3) != 0) f |= ZF;
    setArith(ARITH, f);
    setFsw(fsw() & ~SW_C1);
  } else setFsw((fsw() & ~SW_CC) | rel);
}

// fcom/fucom/fcomi family on ST(0) and ST(i).
export function compareReg(i: u32, quiet: bool, pops: u32, toEflags: bool): void {
  compareSt0(stSig(i), stSE(i), quiet, 0, pops, toEflags, stEmpty(i));
}

// ftst: compare with +0.0.
export function ftst(): void {
  compareSt0(0, 0, false, 0, 0, false, false);
}

// fxam: classify ST(0) into C3/C2/C0, sign in C1 (empty registers report C1 = 0).
export function fxam(): void {
  let cc: u32;
  if (stEmpty(0)) cc = SW_C3 | SW_C0;
  else {
    const sig = stSig(0), se = stSE(0);
    switch (classify(sig, se)) {
      case K_ZERO: cc = SW_C3; break;
      case K_DENORMAL: cc = SW_C3 | SW_C2; break;
      case K_NORMAL: cc = SW_C2; break;
      case K_INF: cc = SW_C2 | SW_C0; break;
      case K_QNAN: case K_SNAN: cc = SW_C0; break;
      default: cc = 0; break;
    }
    if ((se & 0x8000) != 0) cc |= SW_C1;
  }
  setFsw((fsw() & ~SW_CC) | cc);
}

// ---- one-operand instructions on ST(0) ----

// Empty ST(0): stack underflow; the masked response puts the indefinite there.
function st0Missing(): bool {
  if (!stEmpty(0)) return false;
  if (stackFault(false)) setIndefiniteSt(0);
  return true;
}

export function fchs(): void {
  if (st0Missing()) return;
  setSt(0, stSig(0), stSE(0) ^ 0x8000);
  setFsw(fsw() & ~SW_C1);
}

export function fabs(): void {
  if (st0Missing()) return;
  setSt(0, stSig(0), stSE(0) & 0x7fff);
  setFsw(fsw() & ~SW_C1);
}

export function fsqrt(): void {
  if (st0Missing()) return;
  const ctl = fcw();
  const r = fpSqrt(stSig(0), stSE(0), ctl, pcBits(ctl));
  commitSt(0, outSig, outSE, r);
}

export function frndint(): void {
  if (st0Missing()) return;
  const r = roundIntValue(stSig(0), stSE(0), fcw());
  commitSt(0, cSig, cSE, r);
}

// ---- constants ----

// fld1 fldl2t fldl2e fldpi fldlg2 fldln2 fldz (D9 E8..EE). The processor holds them with
// more bits than fit: round-to-nearest gives the correctly rounded value, round down and
// toward zero the truncated one, round up the truncated one plus one ulp.
const K_SIG_LOW: StaticArray<u64> = [
  0x8000000000000000, 0xd49a784bcd1b8afe, 0xb8aa3b295c17f0bb, 0xc90fdaa22168c234,
  0x9a209a84fbcff798, 0xb17217f7d1cf79ab, 0,
];
const K_SE: StaticArray<u32> = [0x3fff, 0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe, 0];
const K_NEAR_UP: StaticArray<bool> = [false, false, true, true, true, true, false];

export function fldConst(n: u32): void {
  if (!stEmpty(7)) {
    if (stackFault(true)) push(INDEF_SIG, INDEF_SE);
    return;
  }
  let sig = unchecked(K_SIG_LOW[n]);
  const exact = n == 0 || n == 6;
  const rc = rcOf(fcw());
  if (!exact && (rc == RC_UP || (rc == RC_NEAR && unchecked(K_NEAR_UP[n])))) sig++;
  push(sig, unchecked(K_SE[n]));
  setFsw(fsw() & ~SW_C1);
}

// Push with the stack-overflow check: the register below the top must be empty.
export function pushChecked(sig: u64, se: u32): bool {
  if (!stEmpty(7)) {
    if (stackFault(true)) push(INDEF_SIG, INDEF_SE);
    return false;
  }
  push(sig, se);
  return true;
}
