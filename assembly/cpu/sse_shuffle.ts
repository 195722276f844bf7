// SSE/SSE2 shuffles, interleaves and packs: punpck*, unpck*ps/pd, pack*, pshufd, pshuflw,
// pshufhw, shufps, shufpd.
import { DEC } from "../layout";
import { D_IMM } from "./decode";
import { srcOperand, srcOperandLow, xreg, AL_MM } from "./sse_operand";
import { sseReady } from "./sse_mxcsr";

const TMP: u32 = <u32>memory.data(16, 16);

@inline function imm8(): u32 {
  return <u32>load<u8>(DEC + D_IMM);
}

// 66 0F 60-6D (and 0F 14/15 through their dword/qword equivalents).
function interleave(b: u32, a: v128, s: v128): v128 {
  switch (b) {
    case 0x60: return i8x16.shuffle(a, s, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    case 0x61: return i16x8.shuffle(a, s, 0, 8, 1, 9, 2, 10, 3, 11);
    case 0x62: return i32x4.shuffle(a, s, 0, 4, 1, 5);
    case 0x63: return i8x16.narrow_i16x8_s(a, s);
    case 0x67: return i8x16.narrow_i16x8_u(a, s);
    case 0x68: return i8x16.shuffle(a, s, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    case 0x69: return i16x8.shuffle(a, s, 4, 12, 5, 13, 6, 14, 7, 15);
    case 0x6a: return i32x4.shuffle(a, s, 2, 6, 3, 7);
    case 0x6b: return i16x8.narrow_i32x4_s(a, s);
    case 0x6c: return i64x2.shuffle(a, s, 0, 2);
    default: return i64x2.shuffle(a, s, 1, 3); // 0x6d
  }
}

// 66 0F 60-63, 67-6D: punpckl/h bw wd dq qdq, packsswb, packuswb, packssdw.
export function isInterleave(b: u32): bool {
  return (b >= 0x60 && b <= 0x63) || (b >= 0x67 && b <= 0x6d);
}

export function interleaveInsn(b: u32): bool {
  if (!sseReady()) return true;
  const lowOnly = b == 0x60 || b == 0x61 || b == 0x62 || b == 0x6c;
  const src = lowOnly ? srcOperandLow() : srcOperand(16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  v128.store(dst, interleave(b, v128.load(dst), v128.load(src)));
  return true;
}

// 0F 14/15 unpcklps/unpckhps, 66: unpcklpd/unpckhpd.
export function unpckInsn(b: u32, p: u32): bool {
  if (!sseReady()) return true;
  const src = b == 0x14 ? srcOperandLow() : srcOperand(16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  const op: u32 = p == 1 ? (b == 0x14 ? 0x6c : 0x6d) : b == 0x14 ? 0x62 : 0x6a;
  v128.store(dst, interleave(op, v128.load(dst), v128.load(src)));
  return true;
}

// 0F 70 ib: 66 pshufd, F2 pshuflw, F3 pshufhw.
export function pshufInsn(p: u32): bool {
  if (!sseReady()) return true;
  const src = srcOperand(16, AL_MM);
  if (src == 0) return true;
  const imm = imm8();
  if (p == 1) {
    for (let i: u32 = 0; i < 4; i++) store<u32>(TMP + (i << 2), load<u32>(src + (((imm >> (i << 1)) & 3) << 2)));
  } else {
    const base: u32 = p == 2 ? 0 : 8; // the shuffled quadword; the other is copied
    store<u64>(TMP + (8 - base), load<u64>(src + (8 - base)));
    for (let i: u32 = 0; i < 4; i++) {
      store<u16>(TMP + base + (i << 1), load<u16>(src + base + (((imm >> (i << 1)) & 3) << 1)));
    }
  }
  v128.store(xreg(), v128.load(TMP));
  return true;
}

// 0F C6 ib shufps (66: shufpd): the low result lanes from the destination, the high from the
// source.
export function shufInsn(p: u32): bool {
  if (!sseReady()) return true;
  const src = srcOperand(16, AL_MM);
  if (src == 0) return true;
  const dst = xreg();
  const imm = imm8();
  if (p == 1) {
    store<u64>(TMP, load<u64>(dst + ((imm & 1) << 3)));
    store<u64>(TMP + 8, load<u64>(src + (((imm >> 1) & 1) << 3)));
  } else {
    store<u32>(TMP, load<u32>(dst + ((imm & 3) << 2)));
    store<u32>(TMP + 4, load<u32>(dst + (((imm >> 2) & 3) << 2)));
    store<u32>(TMP + 8, load<u32>(src + (((imm >> 4) & 3) << 2)));
    store<u32>(TMP + 12, load<u32>(src + (((imm >> 6) & 3) << 2)));
  }
  v128.store(dst, v128.load(TMP));
  return true;
}
