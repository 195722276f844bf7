// The x87 register file in the FPU area of the vCPU (layout in x87.ts): the register stack,
// the tag bits, the status word with its exception and condition bits, and the last
// instruction/operand pointers.
import { FPU, SEL, RIP, DEC } from "../layout";
import { D_SEG, D_BASE, D_MODRM } from "./decode";
import { eaNoSeg } from "./regs";
import { FE_IE, FE_C1, INDEF_SIG, INDEF_SE } from "./x87_fp";

export const F_FCW: u32 = FPU + 0; // u16
export const F_FSW: u32 = FPU + 2; // u16, TOP in bits 13:11
export const F_TAG: u32 = FPU + 4; // u8: bit i set = physical register i in use
export const F_FOP: u32 = FPU + 6; // u16: low 11 bits of the last opcode
export const F_FIP: u32 = FPU + 8; // u64
export const F_FDP: u32 = FPU + 16; // u64
export const F_FCS: u32 = FPU + 24; // u16
export const F_FDS: u32 = FPU + 26; // u16
export const F_REGS: u32 = FPU + 32; // 8 x 16 bytes, physical order
export const F_STAGE: u32 = FPU + 0x100; // staging buffer for fldenv/frstor images

export const SW_SF: u32 = 0x40;
export const SW_ES: u32 = 0x80;
export const SW_C0: u32 = 0x100;
export const SW_C1: u32 = 0x200;
export const SW_C2: u32 = 0x400;
export const SW_C3: u32 = 0x4000;
export const SW_B: u32 = 0x8000;
export const SW_CC: u32 = SW_C0 | SW_C1 | SW_C2 | SW_C3;

@inline export function fcw(): u32 {
  return load<u16>(F_FCW);
}

@inline export function fsw(): u32 {
  return load<u16>(F_FSW);
}

// Store the status word with ES (and its copy B) derived from the unmasked exception flags.
export function setFsw(v: u32): void {
  v &= ~(SW_ES | SW_B);
  if ((v & ~fcw() & 0x3f) != 0) v |= SW_ES | SW_B;
  store<u16>(F_FSW, <u16>v);
}

// Reserved control-word bits read back as: bit 6 set, bits 7 and 13..15 clear.
export function setFcw(v: u32): void {
  store<u16>(F_FCW, <u16>((v & 0x1f3f) | 0x40));
  setFsw(fsw());
}

@inline export function top(): u32 {
  return (fsw() >> 11) & 7;
}

export function setTop(t: u32): void {
  store<u16>(F_FSW, <u16>((fsw() & ~0x3800) | ((t & 7) << 11)));
}

@inline export function phys(i: u32): u32 {
  return (top() + i) & 7;
}

@inline export function physAddr(p: u32): u32 {
  return F_REGS + (p << 4);
}

@inline export function stAddr(i: u32): u32 {
  return physAddr(phys(i));
}

@inline export function stSig(i: u32): u64 {
  return load<u64>(stAddr(i));
}

@inline export function stSE(i: u32): u32 {
  return load<u16>(stAddr(i) + 8);
}

@inline export function physEmpty(p: u32): bool {
  return ((load<u8>(F_TAG) >> p) & 1) == 0;
}

@inline export function stEmpty(i: u32): bool {
  return physEmpty(phys(i));
}

export function setPhysTag(p: u32, used: bool): void {
  const t: u32 = load<u8>(F_TAG);
  store<u8>(F_TAG, <u8>(used ? t | (1 << p) : t & ~(1 << p)));
}

// Write ST(i) and mark it in use.
export function setSt(i: u32, sig: u64, se: u32): void {
  const p = phys(i);
  store<u64>(physAddr(p), sig);
  store<u16>(physAddr(p) + 8, <u16>se);
  setPhysTag(p, true);
}

export function push(sig: u64, se: u32): void {
  setTop(top() - 1);
  setSt(0, sig, se);
}

export function pop(): void {
  setPhysTag(phys(0), false);
  setTop(top() + 1);
}

// ---- status flags ----

// Record exception flags and C1 from an operation's result bits (x87_fp.ts layout).
export function setFlags(r: u32): void {
  setFsw((fsw() & ~SW_C1) | (r & (0x3f | FE_C1)));
}

// Record exception flags, leaving C1 as it is.
export function orFlags(r: u32): void {
  setFsw(fsw() | (r & 0x3f));
}

export function setCC(cc: u32): void {
  setFsw((fsw() & ~SW_CC) | cc);
}

@inline export function unmasked(r: u32): u32 {
  return r & ~fcw() & 0x3f;
}

// Stack underflow (an empty operand) or overflow (a push onto a full register): IE and SF,
// C1 telling which. Returns true when IE is masked, i.e. the masked response goes ahead.
export function stackFault(overflow: bool): bool {
  setFsw((fsw() & ~SW_C1) | FE_IE | SW_SF | (overflow ? SW_C1 : 0));
  return (fcw() & FE_IE) != 0;
}

// An operation's invalid/denormal/zero-divide exception that is unmasked stops it before
// any register changes: record only those flags (C1 cleared) and return false.
export function precheck(r: u32): bool {
  const u = unmasked(r) & 0x07;
  if (u == 0) return true;
  setFsw((fsw() & ~SW_C1) | (r & 0x07));
  return false;
}

// Write an operation's result to ST(i), with its flags, unless an unmasked pre-computation
// exception forbids it. Returns whether the result was written.
export function commitSt(i: u32, sig: u64, se: u32, r: u32): bool {
  if (!precheck(r)) return false;
  setSt(i, sig, se);
  setFlags(r);
  return true;
}

export function setIndefiniteSt(i: u32): void {
  setSt(i, INDEF_SIG, INDEF_SE);
}

// ---- last instruction and operand pointers (FIP/FCS/FOP, FDP/FDS) ----

// Every x87 instruction except the control ones records where it was and what it was.
export function noteInsn(op: u32, mem: bool): void {
  store<u16>(F_FOP, <u16>(((op & 7) << 8) | <u32>load<u8>(DEC + D_MODRM)));
  store<u64>(F_FIP, load<u64>(RIP));
  store<u16>(F_FCS, load<u16>(SEL + 2));
  if (mem) {
    store<u64>(F_FDP, eaNoSeg());
    store<u16>(F_FDS, load<u16>(SEL + dataSegOffset()));
  }
}

// The selector the memory operand went through: FS/GS overrides, SS for rSP/rBP bases,
// DS otherwise.
function dataSegOffset(): u32 {
  const s = load<u8>(DEC + D_SEG);
  if (s == 1) return 8;
  if (s == 2) return 10;
  const b = load<u8>(DEC + D_BASE);
  return b == 4 || b == 5 ? 4 : 6;
}

// ---- register classification for the tag word and fxam ----

// Full tag of a physical register: 0 valid, 1 zero, 2 special, 3 empty.
export function fullTag(p: u32): u32 {
  if (physEmpty(p)) return 3;
  const a = physAddr(p);
  const sig = load<u64>(a);
  const e: u32 = load<u16>(a + 8) & 0x7fff;
  if (e == 0x7fff) return 2;
  if (e == 0) return sig == 0 ? 1 : 2;
  return (sig >> 63) != 0 ? 0 : 2;
}

export function fullTagWord(): u32 {
  let w: u32 = 0;
  for (let p: u32 = 0; p < 8; p++) w |= fullTag(p) << (p * 2);
  return w;
}

// Tag word from an image (2 bits per register): only "empty" (3) matters.
export function loadTagWord(w: u32): void {
  let t: u32 = 0;
  for (let p: u32 = 0; p < 8; p++) if (((w >> (p * 2)) & 3) != 3) t |= 1 << p;
  store<u8>(F_TAG, <u8>t);
}
