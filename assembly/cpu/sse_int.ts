// SSE2 packed-integer and bitwise instructions (66 0F xx with an xmm/m128 source), the shifts
// by xmm count and by immediate (groups 12-14), and the ps/pd logic ops. wasm SIMD has the
// same semantics for all of these, lane for lane.
import { DEC } from "../layout";
import { D_IMM } from "./decode";
import { dReg } from "./regs";
import { srcOperand, srcOperandLow, xreg, xrm, isReg, AL_MM } from "./sse_operand";
import { sseReady } from "./sse_mxcsr";

// Zero, a value, zero: byte shifts read a 16-byte window out of this.
const BYTES: u32 = <u32>memory.data(48, 16);

// Whether 66 0F b is one of the two-operand integer ops below.
export function isIntOp(b: u32): bool {
  if (b >= 0xd1 && b <= 0xfe) return b != 0xd6 && b != 0xd7 && b != 0xe6 && b != 0xe7 && b != 0xf0 && b != 0xf7;
  return b == 0x74 || b == 0x75 || b == 0x76 || b == 0x64 || b == 0x65 || b == 0x66;
}

// Lanes of `width` bits shifted by count (any u64): 0 logical right, 1 arithmetic right,
// 2 left. Counts at or past the width clear the lanes (arithmetic: fill with the sign).
function shiftLanes(v: v128, kind: u32, width: u32, count: u64): v128 {
  if (count >= <u64>width) {
    if (kind != 1) return i64x2.splat(0);
    count = <u64>(width - 1);
  }
  const c = <i32>count;
  if (width == 16) return kind == 0 ? i16x8.shr_u(v, c) : kind == 1 ? i16x8.shr_s(v, c) : i16x8.shl(v, c);
  if (width == 32) return kind == 0 ? i32x4.shr_u(v, c) : kind == 1 ? i32x4.shr_s(v, c) : i32x4.shl(v, c);
  return kind == 0 ? i64x2.shr_u(v, c) : i64x2.shl(v, c);
}

// The high 16 bits of each signed or unsigned 16x16 product.
function mulHigh16(a: v128, b: v128, signed: bool): v128 {
  const lo = signed ? i32x4.extmul_low_i16x8_s(a, b) : i32x4.extmul_low_i16x8_u(a, b);
  const hi = signed ? i32x4.extmul_high_i16x8_s(a, b) : i32x4.extmul_high_i16x8_u(a, b);
  return i8x16.shuffle(lo, hi, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
}

// psadbw: the sums of absolute byte differences of each 8-byte half, in the low word of each
// quadword.
function sadBytes(a: v128, b: v128): v128 {
  const d = v128.or(i8x16.sub_sat_u(a, b), i8x16.sub_sat_u(b, a));
  const s = i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(d));
  const lo = <i64>(i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1));
  const hi = <i64>(i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3));
  return i64x2.replace_lane(i64x2.splat(lo), 1, hi);
}

function intOp(b: u32, a: v128, s: v128): v128 {
  switch (b) {
    case 0x64: return i8x16.gt_s(a, s);
    case 0x65: return i16x8.gt_s(a, s);
    case 0x66: return i32x4.gt_s(a, s);
    case 0x74: return i8x16.eq(a, s);
    case 0x75: return i16x8.eq(a, s);
    case 0x76: return i32x4.eq(a, s);
    case 0xd1: return shiftLanes(a, 0, 16, i64x2.extract_lane(s, 0));
    case 0xd2: return shiftLanes(a, 0, 32, i64x2.extract_lane(s, 0));
    case 0xd3: return shiftLanes(a, 0, 64, i64x2.extract_lane(s, 0));
    case 0xd4: return i64x2.add(a, s);
    case 0xd5: return i16x8.mul(a, s);
    case 0xd8: return i8x16.sub_sat_u(a, s);
    case 0xd9: return i16x8.sub_sat_u(a, s);
    case 0xda: return i8x16.min_u(a, s);
    case 0xdb: return v128.and(a, s);
    case 0xdc: return i8x16.add_sat_u(a, s);
    case 0xdd: return i16x8.add_sat_u(a, s);
    case 0xde: return i8x16.max_u(a, s);
    case 0xdf: return v128.andnot(s, a);
    case 0xe0: return i8x16.avgr_u(a, s);
    case 0xe1: return shiftLanes(a, 1, 16, i64x2.extract_lane(s, 0));
    case 0xe2: return shiftLanes(a, 1, 32, i64x2.extract_lane(s, 0));
    case 0xe3: return i16x8.avgr_u(a, s);
    case 0xe4: return mulHigh16(a, s, false);
    case 0xe5: return mulHigh16(a, s, true);
    case 0xe8: return i8x16.sub_sat_s(a, s);
    case 0xe9: return i16x8.sub_sat_s(a, s);
    case 0xea: return i16x8.min_s(a, s);
    case 0xeb: return v128.or(a, s);
    case 0xec: return i8x16.add_sat_s(a, s);
    case 0xed: return i16x8.add_sat_s(a, s);
    case 0xee: return i16x8.max_s(a, s);
    case 0xef: return v128.xor(a, s);
    case 0xf1: return shiftLanes(a, 2, 16, i64x2.extract_lane(s, 0));
    case 0xf2: return shiftLanes(a, 2, 32, i64x2.extract_lane(s, 0));
    case 0xf3: return shiftLanes(a, 2, 64, i64x2.extract_lane(s, 0));
    case 0xf4: // pmuludq: lanes 0 and 2, unsigned, to 64 bits
      return i64x2.extmul_low_i32x4_u(i32x4.shuffle(a, a, 0, 2, 0, 2), i32x4.shuffle(s, s, 0, 2, 0, 2));
    case 0xf5: return i32x4.dot_i16x8_s(a, s);
    case 0xf6: return sadBytes(a, s);
    case 0xf8: return i8x16.sub(a, s);
    case 0xf9: return i16x8.sub(a, s);
    case 0xfa: return i32x4.sub(a, s);
    case 0xfb: return i64x2.sub(a, s);
    case 0xfc: return i8x16.add(a, s);
    case 0xfd: return i16x8.add(a, s);
    default: return i32x4.add(a, s); // 0xfe
  }
}

// 66 0F b with xmm, xmm/m128 (the caller checked isIntOp and the prefix).
export function intInsn(b: u32): bool {
  if (!sseReady()) return true;
  const countOnly = (b >= 0xd1 && b <= 0xd3) || b == 0xe1 || b == 0xe2 || (b >= 0xf1 && b <= 0xf3);
  const src = countOnly ? srcOperandLow() : srcOperand(16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  v128.store(dst, intOp(b, v128.load(dst), v128.load(src)));
  return true;
}

// 0F 54-57 andps andnps orps xorps (66: the pd forms): bitwise, no float semantics.
export function logicPs(b: u32): bool {
  if (!sseReady()) return true;
  const src = srcOperand(16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  const a = v128.load(dst);
  const s = v128.load(src);
  let r: v128;
  if (b == 0x54) r = v128.and(a, s);
  else if (b == 0x55) r = v128.andnot(s, a);
  else if (b == 0x56) r = v128.or(a, s);
  else r = v128.xor(a, s);
  v128.store(dst, r);
  return true;
}

// 66 0F 71/72/73 ib (register operand only): psrlw psraw psllw / psrld psrad pslld /
// psrlq psrldq psllq pslldq, selected by ModRM.reg.
export function shiftImm(b: u32): bool {
  if (!isReg()) return false;
  const r = dReg() & 7;
  const count = <u64>load<u8>(DEC + D_IMM);
  const dst = xrm();
  if (b == 0x73 && (r == 3 || r == 7)) {
    if (!sseReady()) return true;
    const n = count > 16 ? 16 : <u32>count;
    v128.store(BYTES, i64x2.splat(0));
    v128.store(BYTES + 16, v128.load(dst));
    v128.store(BYTES + 32, i64x2.splat(0));
    v128.store(dst, v128.load(r == 3 ? BYTES + 16 + n : BYTES + 16 - n));
    return true;
  }
  let kind: u32;
  if (r == 2) kind = 0;
  else if (r == 4 && b != 0x73) kind = 1;
  else if (r == 6) kind = 2;
  else return false;
  if (!sseReady()) return true;
  const width: u32 = b == 0x71 ? 16 : b == 0x72 ? 32 : 64;
  v128.store(dst, shiftLanes(v128.load(dst), kind, width, count));
  return true;
}
