// SSE/SSE2 conversions between integers, binary32 and binary64: cvtsi2ss/sd, cvt(t)ss2si,
// cvt(t)sd2si, cvtss2sd, cvtsd2ss, cvtps2pd, cvtpd2ps, cvtdq2ps, cvt(t)ps2dq, cvtdq2pd,
// cvt(t)pd2dq. The MMX forms (cvtpi2ps, cvtps2pi ...) are not implemented (#UD).
import { DEC } from "../layout";
import { D_REX } from "./decode";
import { dReg, setReg, rmRead } from "./regs";
import { faulted } from "./mem";
import { srcOperand, xreg, AL_MM, AL_NONE } from "./sse_operand";
import { sseReady, fpStart, fpAccum, fpCommit } from "./sse_mxcsr";
import {
  IE, DE, PE, RC_ZERO, notePre, notePost, fpElementStart, rc, signOf, isNaNv, isSNaN, isInf, isZero,
  isDenormal, quiet, daz, unpack, upM, upX, norm128, nSig, nExp, roundPack, roundShiftMode, rInexact,
} from "./sse_softfloat";
import { lane, setLane } from "./sse_fparith";

const RES: u32 = <u32>memory.data(16, 16);

@inline function wide(): bool {
  return (load<u8>(DEC + D_REX) & 8) != 0;
}

// Signed integer (size 4 or 8 bytes) to binary32/64, rounded by MXCSR.RC.
function intToFp(v: u64, size: u32, dbl: bool): u64 {
  const s = size == 8 ? <i64>v : <i64><i32>v;
  if (s == 0) return 0;
  const sign: u64 = s < 0 ? signOf(dbl) : 0;
  const mag: u64 = s < 0 ? <u64>(-s) : <u64>s; // -2^63 wraps to 2^63, its magnitude
  norm128(0, mag, 0);
  return roundPack(sign, nExp, nSig, dbl);
}

// binary32/64 to a signed integer of `size` bytes, rounded by RC or truncated. NaN, infinity
// and out-of-range values give the "integer indefinite" (the minimum integer) with IE.
function fpToInt(b0: u64, dbl: bool, trunc: bool, size: u32): u64 {
  const b = daz(b0, dbl);
  const indefinite: u64 = size == 8 ? 0x8000000000000000 : 0x80000000;
  if (isNaNv(b, dbl) || isInf(b, dbl)) {
    notePre(IE);
    return indefinite;
  }
  if (isZero(b, dbl)) return 0;
  const neg = (b & signOf(dbl)) != 0;
  unpack(b, dbl);
  let mag: u64;
  let inexact = false;
  if (upX >= 0) {
    if (upX > (dbl ? 11 : 40)) { // past bit 63: out of range even for -2^63
      notePre(IE);
      return indefinite;
    }
    mag = upM << <u64>upX;
  } else {
    mag = roundShiftMode(upM, <u32>(-upX), neg, trunc ? RC_ZERO : rc());
    inexact = rInexact;
  }
  const limit: u64 = (size == 8 ? 0x7fffffffffffffff : 0x7fffffff) + (neg ? 1 : 0);
  if (mag > limit) {
    notePre(IE);
    return indefinite;
  }
  if (inexact) notePost(PE);
  const r = neg ? <u64>(-<i64>mag) : mag;
  return size == 8 ? r : r & 0xffffffff;
}

// Between the two float formats (`toDbl`: binary32 -> binary64).
function fpToFp(b0: u64, toDbl: bool): u64 {
  const b = daz(b0, !toDbl);
  const sign: u64 = toDbl ? (b & 0x80000000) << 32 : (b >> 32) & 0x80000000;
  if (isNaNv(b, !toDbl)) {
    if (isSNaN(b, !toDbl)) notePre(IE);
    const q = quiet(b, !toDbl);
    return toDbl
      ? sign | 0x7ff0000000000000 | ((q & 0x7fffff) << 29)
      : sign | 0x7f800000 | ((q & 0x000fffffffffffff) >> 29);
  }
  if (isInf(b, !toDbl)) return sign | (toDbl ? 0x7ff0000000000000 : 0x7f800000);
  if (isZero(b, !toDbl)) return sign;
  if (isDenormal(b, !toDbl)) notePre(DE);
  unpack(b, !toDbl);
  norm128(0, upM, upX);
  return roundPack(sign, nExp, nSig, toDbl);
}

// F3/F2 0F 2A: cvtsi2ss/cvtsi2sd xmm, r/m32 (r/m64 with REX.W).
export function cvtSi2Fp(p: u32): bool {
  if (p < 2) return false; // cvtpi2ps/cvtpi2pd: MMX forms
  if (!sseReady()) return true;
  const size: u32 = wide() ? 8 : 4;
  const v = rmRead(size);
  if (faulted) return true;
  const dbl = p == 2;
  fpStart();
  fpElementStart();
  const r = intToFp(v, size, dbl);
  fpAccum();
  if (!fpCommit()) return true;
  setLane(xreg(), 0, dbl, r);
  return true;
}

// F3/F2 0F 2C/2D: cvttss2si/cvtss2si/cvttsd2si/cvtsd2si r32/r64, xmm/m32/m64.
export function cvtFp2Si(b: u32, p: u32): bool {
  if (p < 2) return false; // cvt(t)ps2pi/cvt(t)pd2pi: MMX forms
  if (!sseReady()) return true;
  const dbl = p == 2;
  const src = srcOperand(dbl ? 8 : 4, AL_NONE);
  if (src == 0) return true;
  const size: u32 = wide() ? 8 : 4;
  fpStart();
  fpElementStart();
  const r = fpToInt(lane(src, 0, dbl), dbl, b == 0x2c, size);
  fpAccum();
  if (!fpCommit()) return true;
  setReg(dReg(), size, r);
  return true;
}

// 0F 5A: cvtps2pd (none), cvtpd2ps (66), cvtss2sd (F3), cvtsd2ss (F2).
export function cvtFpFp(p: u32): bool {
  if (!sseReady()) return true;
  const fromDbl = p == 1 || p == 2;
  const scalar = p >= 2;
  const srcSize: u32 = scalar ? (fromDbl ? 8 : 4) : p == 0 ? 8 : 16;
  const src = srcOperand(srcSize, srcSize == 16 ? AL_MM : AL_NONE);
  if (src == 0) return true;
  const n: u32 = scalar ? 1 : 2;
  fpStart();
  for (let i: u32 = 0; i < n; i++) {
    fpElementStart();
    setLane(RES, i, !fromDbl, fpToFp(lane(src, i, fromDbl), !fromDbl));
    fpAccum();
  }
  if (!fpCommit()) return true;
  const dst = xreg();
  for (let i: u32 = 0; i < n; i++) setLane(dst, i, !fromDbl, lane(RES, i, !fromDbl));
  if (p == 1) store<u64>(dst + 8, 0); // cvtpd2ps clears the upper half
  return true;
}

// 0F 5B: cvtdq2ps (none), cvtps2dq (66), cvttps2dq (F3).
export function cvtDqPs(p: u32): bool {
  if (p == 2) return false;
  if (!sseReady()) return true;
  const src = srcOperand(16, AL_MM);
  if (src == 0) return true;
  fpStart();
  for (let i: u32 = 0; i < 4; i++) {
    fpElementStart();
    const v = <u64>load<u32>(src + (i << 2));
    const r = p == 0 ? intToFp(v, 4, false) : fpToInt(v, false, p == 3, 4);
    store<u32>(RES + (i << 2), <u32>r);
    fpAccum();
  }
  if (!fpCommit()) return true;
  v128.store(xreg(), v128.load(RES));
  return true;
}

// 0F E6: cvttpd2dq (66), cvtdq2pd (F3), cvtpd2dq (F2).
export function cvtPdDq(p: u32): bool {
  if (p == 0) return false;
  if (!sseReady()) return true;
  const toDbl = p == 3;
  const src = srcOperand(toDbl ? 8 : 16, toDbl ? AL_NONE : AL_MM);
  if (src == 0) return true;
  fpStart();
  for (let i: u32 = 0; i < 2; i++) {
    fpElementStart();
    if (toDbl) store<u64>(RES + (i << 3), intToFp(<u64>load<u32>(src + (i << 2)), 4, true));
    else store<u32>(RES + (i << 2), <u32>fpToInt(load<u64>(src + (i << 3)), true, p == 1, 4));
    fpAccum();
  }
  if (!fpCommit()) return true;
  const dst = xreg();
  if (toDbl) v128.store(dst, v128.load(RES));
  else {
    store<u64>(dst, load<u64>(RES));
    store<u64>(dst + 8, 0);
  }
  return true;
}
