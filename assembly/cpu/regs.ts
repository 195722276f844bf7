// Register-file and operand access for the instruction being executed.
import { REGS, DEC, FS_BASE, GS_BASE } from "../layout";
import { D_REX, D_DISP, D_BASE, D_INDEX, D_SCALE, D_ASIZE, D_SEG, D_MOD, D_RM, D_REG, NO_REG, RIP_REL } from "./decode";
import { rdN, wrN, probeWrite, faulted } from "./mem";

export const RAX: u32 = 0;
export const RCX: u32 = 1;
export const RDX: u32 = 2;
export const RBX: u32 = 3;
export const RSP: u32 = 4;
export const RBP: u32 = 5;
export const RSI: u32 = 6;
export const RDI: u32 = 7;

// Address of the next instruction; control transfers write it.
export let nrip: u64 = 0;
export function setNrip(v: u64): void {
  nrip = v;
}

@inline export function reg64(r: u32): u64 {
  return load<u64>(REGS + (r << 3));
}

@inline export function setReg64(r: u32, v: u64): void {
  store<u64>(REGS + (r << 3), v);
}

// Byte-register offset: without REX, 4..7 name AH CH DH BH.
@inline function r8off(r: u32): u32 {
  if (r >= 4 && r < 8 && load<u8>(DEC + D_REX) == 0) return ((r - 4) << 3) + 1;
  return r << 3;
}

export function getReg(r: u32, size: u32): u64 {
  if (size == 8) return load<u64>(REGS + (r << 3));
  if (size == 4) return <u64>load<u32>(REGS + (r << 3));
  if (size == 2) return <u64>load<u16>(REGS + (r << 3));
  return <u64>load<u8>(REGS + r8off(r));
}

// 32-bit writes zero the upper half; 8- and 16-bit writes leave the rest.
export function setReg(r: u32, size: u32, v: u64): void {
  if (size == 8) store<u64>(REGS + (r << 3), v);
  else if (size == 4) store<u64>(REGS + (r << 3), v & 0xffffffff);
  else if (size == 2) store<u16>(REGS + (r << 3), <u16>v);
  else store<u8>(REGS + r8off(r), <u8>v);
}

@inline export function dMod(): u32 {
  return load<u8>(DEC + D_MOD);
}
@inline export function dReg(): u32 {
  return load<u8>(DEC + D_REG);
}
@inline export function dRm(): u32 {
  return load<u8>(DEC + D_RM);
}

// Segment base for FS/GS overrides (other segments are flat in 64-bit mode).
@inline export function segBase(): u64 {
  const s = load<u8>(DEC + D_SEG);
  if (s == 0) return 0;
  return s == 1 ? load<u64>(FS_BASE) : load<u64>(GS_BASE);
}

// Effective address without the segment base (lea).
export function eaNoSeg(): u64 {
  let a = <u64>load<i64>(DEC + D_DISP);
  const base = load<u8>(DEC + D_BASE);
  if (base < 16) a += load<u64>(REGS + (<u32>base << 3));
  else if (base == RIP_REL) a += nrip;
  const index = load<u8>(DEC + D_INDEX);
  if (index != NO_REG) a += load<u64>(REGS + (<u32>index << 3)) << <u64>load<u8>(DEC + D_SCALE);
  if (load<u8>(DEC + D_ASIZE) == 4) a &= 0xffffffff;
  return a;
}

// Linear address of the ModRM memory operand.
@inline export function ea(): u64 {
  return eaNoSeg() + segBase();
}

// Read the r/m operand.
export function rmRead(size: u32): u64 {
  if (dMod() == 3) return getReg(dRm(), size);
  return rdN(ea(), size);
}

// Write the r/m operand (the register form cannot fault).
export function rmWrite(size: u32, v: u64): void {
  if (dMod() == 3) setReg(dRm(), size, v);
  else wrN(ea(), size, v);
}

// Read-modify-write helpers: the address is checked for writing before anything changes.
export let rmwAddr: u64 = 0;
export function rmwRead(size: u32): u64 {
  if (dMod() == 3) return getReg(dRm(), size);
  rmwAddr = ea();
  if (!probeWrite(rmwAddr, size)) return 0;
  return rdN(rmwAddr, size);
}
export function rmwWrite(size: u32, v: u64): void {
  if (dMod() == 3) setReg(dRm(), size, v);
  else wrN(rmwAddr, size, v);
}

export function checkFault(): bool {
  return faulted;
}
