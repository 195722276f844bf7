// SSE/SSE2 data movement: full-register, scalar and half-register moves, movd/movq, the
// non-temporal stores (which behave as ordinary stores here), mask extraction, pinsrw/pextrw
// and maskmovdqu.
import { DEC } from "../layout";
import { D_IMM, D_ASIZE } from "./decode";
import { dReg, dRm, getReg, setReg, rmRead, rmWrite, reg64, segBase, ea, RDI } from "./regs";
import { rd16, wr8, probeWrite, faulted } from "./mem";
import {
  srcOperand, storeOperand, xreg, xrm, isReg, rexW, AL_NONE, AL_ALWAYS,
} from "./sse_operand";
import { sseReady } from "./sse_mxcsr";

@inline function imm8(): u32 {
  return <u32>load<u8>(DEC + D_IMM);
}

// A 16-byte move between xmm and xmm/m128; `toRm` for the store direction.
function move128(toRm: bool, align: u32): void {
  if (!toRm) {
    const src = srcOperand(16, align);
    if (src != 0) v128.store(xreg(), v128.load(src));
  } else if (isReg()) v128.store(xrm(), v128.load(xreg()));
  else storeOperand(xreg(), 16, align);
}

// 0F 10/11: movups movupd movss movsd. A scalar load from memory clears the rest of the
// register; between registers only the low element moves.
export function movUps(b: u32, p: u32): bool {
  if (!sseReady()) return true;
  const toRm = b == 0x11;
  if (p <= 1) {
    move128(toRm, AL_NONE);
    return true;
  }
  const w: u32 = p == 3 ? 4 : 8;
  if (isReg()) {
    const from = toRm ? xreg() : xrm();
    const to = toRm ? xrm() : xreg();
    if (w == 4) store<u32>(to, load<u32>(from));
    else store<u64>(to, load<u64>(from));
  } else if (toRm) storeOperand(xreg(), w, AL_NONE);
  else {
    const src = srcOperand(w, AL_NONE);
    if (src == 0) return true;
    const v: u64 = w == 4 ? <u64>load<u32>(src) : load<u64>(src);
    const dst = xreg();
    store<u64>(dst, v);
    store<u64>(dst + 8, 0);
  }
  return true;
}

// 0F 28/29 movaps/movapd, 66 0F 6F/7F movdqa, F3 0F 6F/7F movdqu.
export function movAligned(toRm: bool, align: u32): bool {
  if (!sseReady()) return true;
  move128(toRm, align);
  return true;
}

// 0F 12/13/16/17: movlps movhlps movlpd (low half) and movhps movlhps movhpd (high half).
// The 13/17 stores and the 66 forms take memory operands only.
export function movHalf(b: u32, p: u32): bool {
  if (p > 1) return false; // F3/F2 0F 12/16 are SSE3
  const high = b >= 0x16;
  const toMem = (b & 1) != 0;
  if (isReg() && (toMem || p == 1)) return false;
  if (!sseReady()) return true;
  const off: u32 = high ? 8 : 0;
  if (toMem) {
    storeOperand(xreg() + off, 8, AL_NONE);
    return true;
  }
  if (isReg()) { // movhlps: low <- source high; movlhps: high <- source low
    store<u64>(xreg() + off, load<u64>(xrm() + (high ? 0 : 8)));
    return true;
  }
  const src = srcOperand(8, AL_NONE);
  if (src != 0) store<u64>(xreg() + off, load<u64>(src));
  return true;
}

// 0F 2B movntps/movntpd, 66 0F E7 movntdq: memory destinations only.
export function movNt(): bool {
  if (isReg()) return false;
  if (!sseReady()) return true;
  storeOperand(xreg(), 16, AL_ALWAYS);
  return true;
}

// 0F C3 movnti m32/m64, r32/r64: an integer store (no SSE state, so no #NM).
export function movnti(): bool {
  if (isReg()) return false;
  const size: u32 = rexW() ? 8 : 4;
  rmWrite(size, getReg(dReg(), size));
  return true;
}

// 0F 50 movmskps/movmskpd, 66 0F D7 pmovmskb: sign bits into a general register.
export function movMask(b: u32, p: u32): bool {
  if (!isReg()) return false;
  if (!sseReady()) return true;
  const v = v128.load(xrm());
  let m: u32;
  if (b == 0xd7) m = <u32>i8x16.bitmask(v);
  else if (p == 1) m = <u32>i64x2.bitmask(v);
  else m = <u32>i32x4.bitmask(v);
  setReg(dReg(), 8, <u64>m);
  return true;
}

// 66 0F 6E movd/movq xmm, r/m32/64 (the rest of the register cleared).
export function movdToXmm(): bool {
  if (!sseReady()) return true;
  const v = rmRead(rexW() ? 8 : 4);
  if (faulted) return true;
  const dst = xreg();
  store<u64>(dst, v);
  store<u64>(dst + 8, 0);
  return true;
}

// 66 0F 7E movd/movq r/m32/64, xmm; F3 0F 7E movq xmm, xmm/m64.
export function movdFromXmm(p: u32): bool {
  if (!sseReady()) return true;
  if (p == 3) {
    const src = srcOperand(8, AL_NONE);
    if (src == 0) return true;
    const v = load<u64>(src);
    const dst = xreg();
    store<u64>(dst, v);
    store<u64>(dst + 8, 0);
    return true;
  }
  const size: u32 = rexW() ? 8 : 4;
  rmWrite(size, size == 8 ? load<u64>(xreg()) : <u64>load<u32>(xreg()));
  return true;
}

// 66 0F D6 movq xmm/m64, xmm (a register destination has its upper half cleared).
export function movqStore(): bool {
  if (!sseReady()) return true;
  if (isReg()) {
    const dst = xrm();
    store<u64>(dst, load<u64>(xreg()));
    store<u64>(dst + 8, 0);
  } else storeOperand(xreg(), 8, AL_NONE);
  return true;
}

// 66 0F C4 pinsrw xmm, r32/m16, imm8.
export function pinsrw(): bool {
  if (!sseReady()) return true;
  let v: u32;
  if (isReg()) v = <u32>getReg(dRm(), 2);
  else {
    v = <u32>rd16(ea());
    if (faulted) return true;
  }
  store<u16>(xreg() + ((imm8() & 7) << 1), <u16>v);
  return true;
}

// 66 0F C5 pextrw r32, xmm, imm8 (zero-extended).
export function pextrw(): bool {
  if (!isReg()) return false;
  if (!sseReady()) return true;
  setReg(dReg(), 8, <u64>load<u16>(xrm() + ((imm8() & 7) << 1)));
  return true;
}

// 66 0F F7 maskmovdqu xmm1, xmm2: the bytes of xmm1 whose mask byte in xmm2 has its top bit
// set are stored at DS:rDI. Every selected byte is checked before any is written.
export function maskmovdqu(): bool {
  if (!isReg()) return false;
  if (!sseReady()) return true;
  let base = reg64(RDI);
  if (load<u8>(DEC + D_ASIZE) == 4) base &= 0xffffffff;
  base += segBase();
  const mask = <u32>i8x16.bitmask(v128.load(xrm()));
  if (mask == 0) return true;
  const data = xreg();
  for (let i: u32 = 0; i < 16; i++) {
    if ((mask & (1 << i)) != 0 && !probeWrite(base + <u64>i, 1)) return true;
  }
  for (let i: u32 = 0; i < 16; i++) {
    if ((mask & (1 << i)) != 0) wr8(base + <u64>i, <u64>load<u8>(data + i));
  }
  return true;
}
