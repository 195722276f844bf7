// x87 data movement: loads (fld, fild, fbld), stores (fst, fist, fbstp), exchanges and
// conditional moves, and the stack-pointer and tag instructions. Memory is read before and
// written before any register changes, so a faulting access leaves the x87 state as it was.
import { FE_IE, FE_OE, FE_UE, QUIET_BIT, INDEF_SIG, INDEF_SE } from "./x87_fp";
import { fromF32, fromF64, fromInt, fromBcd, toF32, toF64, toInt, toBcd, cSig, cSE, outBits, bcdLo, bcdHi } from "./x87_conv";
import {
  fcw, fsw, setFsw, stSig, stSE, stEmpty, setSt, push, pop, stackFault, precheck, setFlags,
  unmasked, setIndefiniteSt, setTop, top, phys, setPhysTag, noteInsn, SW_C1,
} from "./x87_state";
import { wr16, wr32, wr64, probeWrite, faulted } from "./mem";
import { cond } from "./flags";

// Room for one more value? Otherwise stack overflow: the masked response pushes the
// indefinite. Returns true when the caller should push.
function roomToPush(): bool {
  if (stEmpty(7)) return true;
  if (stackFault(true)) push(INDEF_SIG, INDEF_SE);
  return false;
}

// Push a loaded value. Only an unmasked invalid operand (a signalling NaN) stops the load;
// a denormal source is loaded even when DE is unmasked.
function pushValue(sig: u64, se: u32, r: u32): void {
  if (!precheck(r & FE_IE)) return;
  push(sig, se);
  setFlags(r & ~SW_C1);
}

// fld m32 / m64: SNaNs arrive quieted (IE), denormals normalised (DE).
export function fldF32(bits: u32): void {
  if (!roomToPush()) return;
  const r = fromF32(bits);
  pushValue((r & FE_IE) != 0 ? cSig | QUIET_BIT : cSig, cSE, r);
}

export function fldF64(bits: u64): void {
  if (!roomToPush()) return;
  const r = fromF64(bits);
  pushValue((r & FE_IE) != 0 ? cSig | QUIET_BIT : cSig, cSE, r);
}

// fld m80 and fld st(i) copy the value unexamined.
export function fldRaw(sig: u64, se: u32): void {
  if (!roomToPush()) return;
  pushValue(sig, se, 0);
}

export function fldSt(i: u32): void {
  if (stEmpty(i)) {
    if (stackFault(false)) fldRaw(INDEF_SIG, INDEF_SE);
    return;
  }
  fldRaw(stSig(i), stSE(i));
}

export function fildInt(v: i64): void {
  if (!roomToPush()) return;
  fromInt(v);
  pushValue(cSig, cSE, 0);
}

export function fbld(lo: u64, hi: u32): void {
  if (!roomToPush()) return;
  fromBcd(lo, hi);
  pushValue(cSig, cSE, 0);
}

// ---- stores to memory ----

// Format of a store: 4 = m32 float, 8 = m64 float, 10 = m80, 0x12/0x14/0x18 = m16/32/64 int,
// 0x1a = m80 BCD.
export const ST_F32: u32 = 4;
export const ST_F64: u32 = 8;
export const ST_F80: u32 = 10;
export const ST_I16: u32 = 0x12;
export const ST_I32: u32 = 0x14;
export const ST_I64: u32 = 0x18;
export const ST_BCD: u32 = 0x1a;

// Store ST(0) to va in the given format, popping when asked. The value is converted first;
// an unmasked invalid, overflow or underflow stores nothing and does not pop.
export function storeSt0(va: u64, fmt: u32, popAfter: bool, op: u32): void {
  const size: u32 = fmt == ST_F80 || fmt == ST_BCD ? 10 : fmt & 0xf;
  if (!probeWrite(va, size)) return;
  noteInsn(op, true);
  let r: u32 = 0;
  let lo: u64 = 0;
  let hi: u32 = 0;
  if (stEmpty(0)) {
    if (!stackFault(false)) return;
    r = FE_IE;
    lo = indefiniteBits(fmt);
    hi = fmt == ST_F80 || fmt == ST_BCD ? 0xffff : 0;
    if (fmt == ST_F80) lo = INDEF_SIG;
  } else {
    const sig = stSig(0), se = stSE(0);
    const ctl = fcw();
    if (fmt == ST_F32) r = toF32(sig, se, ctl);
    else if (fmt == ST_F64) r = toF64(sig, se, ctl);
    else if (fmt == ST_F80) r = 0;
    else if (fmt == ST_BCD) r = toBcd(sig, se, ctl);
    else r = toInt(sig, se, ctl, fmt & 0xf, false);
    if ((unmasked(r) & (FE_IE | FE_OE | FE_UE)) != 0) {
      setFsw((fsw() & ~SW_C1) | (r & 0x3f));
      return;
    }
    if (fmt == ST_F80) {
      lo = sig;
      hi = se;
    } else if (fmt == ST_BCD) {
      lo = bcdLo;
      hi = bcdHi;
    } else lo = outBits;
  }
  if (size == 10) {
    wr64(va, lo);
    wr16(va + 8, <u64>hi);
  } else if (size == 8) wr64(va, lo);
  else if (size == 4) wr32(va, lo);
  else wr16(va, lo);
  if (faulted) return;
  if (!stEmpty(0)) setFlags(r);
  if (popAfter) pop();
}

function indefiniteBits(fmt: u32): u64 {
  switch (fmt) {
    case ST_F32: return 0xffc00000;
    case ST_F64: return 0xfff8000000000000;
    case ST_I16: return 0x8000;
    case ST_I32: return 0x80000000;
    case ST_I64: return 0x8000000000000000;
    default: return <u64>0xc0 << 56; // BCD indefinite, with 0xffff above
  }
}

// fst/fstp st(i).
export function fstSt(i: u32, popAfter: bool): void {
  if (stEmpty(0)) {
    if (!stackFault(false)) return;
    setIndefiniteSt(i);
  } else {
    setSt(i, stSig(0), stSE(0));
    setFsw(fsw() & ~SW_C1);
  }
  if (popAfter) pop();
}

// fxch: an empty side is first replaced by the indefinite (masked underflow).
export function fxch(i: u32): void {
  if (stEmpty(0) || stEmpty(i)) {
    if (!stackFault(false)) return;
    if (stEmpty(0)) setIndefiniteSt(0);
    if (stEmpty(i)) setIndefiniteSt(i);
  } else setFsw(fsw() & ~SW_C1);
  const s0 = stSig(0), e0 = stSE(0);
  setSt(0, stSig(i), stSE(i));
  setSt(i, s0, e0);
}

// fcmovcc st(0), st(i) with the integer condition code cc.
export function fcmov(i: u32, cc: u32): void {
  if (stEmpty(0) || stEmpty(i)) {
    if (stackFault(false)) setIndefiniteSt(0);
    return;
  }
  if (cond(cc)) setSt(0, stSig(i), stSE(i));
  setFsw(fsw() & ~SW_C1);
}

export function ffree(i: u32, popAfter: bool): void {
  setPhysTag(phys(i), false);
  if (popAfter) setTop(top() + 1);
}

export function fincdec(delta: u32): void {
  setTop(top() + delta);
  setFsw(fsw() & ~SW_C1);
}
