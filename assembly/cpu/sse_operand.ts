// Operand access for SSE instructions: XMM registers, the ModRM source operand (register or
// memory, with the 16-byte alignment rules of legacy SSE) and the memory destination.
import { XMM, MXCSR, DEC } from "../layout";
import { D_REP, D_P66, D_REX } from "./decode";
import { dMod, dReg, dRm, ea } from "./regs";
import { rd128, wr128, rd64, rd32, rd16, wr64, wr32, wr16, faulted, raiseGP0 } from "./mem";

// Alignment rules for 16-byte memory operands.
export const AL_NONE: u32 = 0; // movups, movdqu and every operand narrower than 16 bytes
export const AL_MM: u32 = 1; // must be aligned unless MXCSR.MM (AMD misaligned-SSE mode) is set
export const AL_ALWAYS: u32 = 2; // movaps, movdqa, movnt*, fxsave: aligned even with MXCSR.MM

const MXCSR_MM: u32 = 1 << 17;

// Bounce buffer for memory source operands (a register source is used in place).
const SRC_TMP: u32 = <u32>memory.data(16, 16);

// Mandatory-prefix class: 0 none, 1 = 66, 2 = F2, 3 = F3 (F2/F3 win over 66).
@inline export function pfx(): u32 {
  const rep = <u32>load<u8>(DEC + D_REP);
  if (rep != 0) return rep;
  return load<u8>(DEC + D_P66) != 0 ? 1 : 0;
}

@inline export function rexW(): bool {
  return (load<u8>(DEC + D_REX) & 8) != 0;
}

// The register named by ModRM.reg.
@inline export function xreg(): u32 {
  return XMM + (dReg() << 4);
}

// The register named by ModRM.rm (register forms only).
@inline export function xrm(): u32 {
  return XMM + (dRm() << 4);
}

@inline export function isReg(): bool {
  return dMod() == 3;
}

// Whether a 16-byte access at va breaks the alignment rule `align`.
@inline export function misaligned(va: u64, align: u32): bool {
  if (align == AL_NONE || (<u32>va & 15) == 0) return false;
  return align == AL_ALWAYS || (load<u32>(MXCSR) & MXCSR_MM) == 0;
}

// Host address of the r/m source operand of `size` bytes (16, 8, 4 or 2). A register operand
// is returned in place; a memory operand is read into SRC_TMP. Returns 0 after a fault.
export function srcOperand(size: u32, align: u32): u32 {
  if (dMod() == 3) return XMM + (dRm() << 4);
  const va = ea();
  if (size == 16) {
    if (misaligned(va, align)) {
      raiseGP0();
      return 0;
    }
    rd128(va, SRC_TMP);
  } else if (size == 8) store<u64>(SRC_TMP, rd64(va));
  else if (size == 4) store<u32>(SRC_TMP, <u32>rd32(va));
  else store<u16>(SRC_TMP, <u16>rd16(va));
  return faulted ? 0 : SRC_TMP;
}

// An m128 source of which the instruction uses only the low 8 bytes (punpckl*, unpcklps/pd,
// shift counts): the alignment rule is that of m128, but only 8 bytes are read, as the
// reference processor does (visible when MXCSR.MM lets the operand straddle a page).
export function srcOperandLow(): u32 {
  if (dMod() == 3) return XMM + (dRm() << 4);
  const va = ea();
  if (misaligned(va, AL_MM)) {
    raiseGP0();
    return 0;
  }
  store<u64>(SRC_TMP, rd64(va));
  return faulted ? 0 : SRC_TMP;
}

// Write `size` bytes from host address src to the memory operand (size 16, 8, 4 or 2).
// Returns false after a fault, with memory unchanged (a page-crossing write checks both pages).
export function storeOperand(src: u32, size: u32, align: u32): bool {
  const va = ea();
  if (size == 16) {
    if (misaligned(va, align)) {
      raiseGP0();
      return false;
    }
    wr128(va, src);
  } else if (size == 8) wr64(va, load<u64>(src));
  else if (size == 4) wr32(va, <u64>load<u32>(src));
  else wr16(va, <u64>load<u16>(src));
  return !faulted;
}
