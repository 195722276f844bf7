// SSE/SSE2 floating-point arithmetic and comparisons: add sub mul div sqrt min max and cmp in
// ps/pd/ss/sd forms, comiss/ucomiss/comisd/ucomisd. Every element is computed into RES first;
// nothing is written unless the whole instruction completes without an unmasked exception.
import { DEC } from "../layout";
import { D_IMM } from "./decode";
import { srcOperand, xreg, AL_MM } from "./sse_operand";
import { sseReady, fpStart, fpAccum, fpCommit } from "./sse_mxcsr";
import { fpElementStart } from "./sse_softfloat";
import { fpArith, fpSqrt, fpMinMax, fpCmpPredicate, fpCompareFlags } from "./sse_fpelem";
import { setArith, CF, PF, AF, ZF, SF, OF } from "./flags";

const RES: u32 = <u32>memory.data(16, 16);

@inline export function lane(addr: u32, i: u32, dbl: bool): u64 {
  return dbl ? load<u64>(addr + (i << 3)) : <u64>load<u32>(addr + (i << 2));
}

@inline export function setLane(addr: u32, i: u32, dbl: bool, v: u64): void {
  if (dbl) store<u64>(addr + (i << 3), v);
  else store<u32>(addr + (i << 2), <u32>v);
}

// Copy n result lanes from RES into the destination register.
function writeBack(dst: u32, n: u32, dbl: bool): void {
  for (let i: u32 = 0; i < n; i++) setLane(dst, i, dbl, lane(RES, i, dbl));
}

// 0F 51 58 59 5C 5D 5E 5F: sqrt add mul sub min div max. Prefix: none ps, 66 pd, F3 ss, F2 sd.
export function fpArithInsn(b: u32, p: u32): bool {
  if (!sseReady()) return true;
  const dbl = p == 1 || p == 2;
  const scalar = p >= 2;
  const src = srcOperand(scalar ? (dbl ? 8 : 4) : 16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  const n: u32 = scalar ? 1 : dbl ? 2 : 4;
  fpStart();
  for (let i: u32 = 0; i < n; i++) {
    const a = lane(dst, i, dbl);
    const s = lane(src, i, dbl);
    fpElementStart();
    let r: u64;
    if (b == 0x51) r = fpSqrt(s, dbl);
    else if (b == 0x5d || b == 0x5f) r = fpMinMax(b == 0x5f, a, s, dbl);
    else r = fpArith(b & 7, a, s, dbl);
    setLane(RES, i, dbl, r);
    fpAccum();
  }
  if (!fpCommit()) return true;
  writeBack(dst, n, dbl);
  return true;
}

// 0F C2 ib: cmpps/cmppd/cmpss/cmpsd with predicate imm8[2:0].
export function fpCmpInsn(p: u32): bool {
  if (!sseReady()) return true;
  const dbl = p == 1 || p == 2;
  const scalar = p >= 2;
  const src = srcOperand(scalar ? (dbl ? 8 : 4) : 16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  const n: u32 = scalar ? 1 : dbl ? 2 : 4;
  const pred = <u32>load<u8>(DEC + D_IMM);
  fpStart();
  for (let i: u32 = 0; i < n; i++) {
    fpElementStart();
    const t = fpCmpPredicate(pred, lane(dst, i, dbl), lane(src, i, dbl), dbl);
    setLane(RES, i, dbl, t ? <u64>-1 : 0);
    fpAccum();
  }
  if (!fpCommit()) return true;
  writeBack(dst, n, dbl);
  return true;
}

// 0F 2E ucomiss / 0F 2F comiss (66: sd). ZF PF CF = 111 unordered, 100 equal, 001 less,
// 000 greater; OF SF AF cleared. comis signals IE on QNaN operands too.
export function fpComisInsn(b: u32, p: u32): bool {
  if (p >= 2) return false;
  if (!sseReady()) return true;
  const dbl = p == 1;
  const src = srcOperand(dbl ? 8 : 4, AL_MM);
  if (src == 0) return true;
  fpStart();
  fpElementStart();
  const r = fpCompareFlags(b == 0x2f, lane(xreg(), 0, dbl), lane(src, 0, dbl), dbl);
  fpAccum();
  if (!fpCommit()) return true;
  const f: u64 = r == 3 ? ZF | PF | CF : r == 0 ? ZF : r == 1 ? CF : 0;
  setArith(ZF | PF | CF | OF | SF | AF, f);
  return true;
}
