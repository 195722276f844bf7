// Lazy arithmetic flags. An instruction records what it computed (kind, size, result and
// operands); CF/PF/AF/ZF/SF/OF are derived only when something reads them. While
// FL_OP == F_NONE the arithmetic bits in RFLAGS are the truth.
import { RFLAGS, FL_OP, FL_RES, FL_A, FL_B, FL_C } from "../layout";

export const F_NONE: u32 = 0;
export const F_ADD: u32 = 1;
export const F_ADC: u32 = 2; // FL_C = carry in
export const F_SUB: u32 = 3;
export const F_SBB: u32 = 4; // FL_C = carry in
export const F_LOGIC: u32 = 5; // CF = OF = AF = 0
export const F_INC: u32 = 6; // FL_C = CF before the instruction
export const F_DEC: u32 = 7; // FL_C = CF before the instruction
export const F_RES: u32 = 8; // ZF/SF/PF from the result; CF, AF, OF taken from FL_C's bits

export const CF: u64 = 0x1;
export const PF: u64 = 0x4;
export const AF: u64 = 0x10;
export const ZF: u64 = 0x40;
export const SF: u64 = 0x80;
export const TF: u64 = 0x100;
export const IF: u64 = 0x200;
export const DF: u64 = 0x400;
export const OF: u64 = 0x800;
export const IOPL: u64 = 0x3000;
export const NT: u64 = 0x4000;
export const RF: u64 = 0x10000;
export const AC: u64 = 0x40000;
export const ID: u64 = 0x200000;
export const ARITH: u64 = 0x8d5;

const FL_SIZE: u32 = FL_OP + 4;

@inline export function setLazy(kind: u32, size: u32, res: u64, a: u64, b: u64): void {
  store<u64>(FL_OP, <u64>kind | (<u64>size << 32));
  store<u64>(FL_RES, res);
  store<u64>(FL_A, a);
  store<u64>(FL_B, b);
}

@inline export function setLazyC(kind: u32, size: u32, res: u64, a: u64, b: u64, c: u64): void {
  setLazy(kind, size, res, a, b);
  store<u64>(FL_C, c);
}

// Flags fully given by the result plus explicit CF/AF/OF bits (logic ops, shifts, multiplies).
@inline export function setResFlags(size: u32, res: u64, cao: u64): void {
  store<u64>(FL_OP, <u64>F_RES | (<u64>size << 32));
  store<u64>(FL_RES, res);
  store<u64>(FL_C, cao);
}

@inline export function sizeMask(size: u32): u64 {
  return size == 8 ? <u64>-1 : ((<u64>1 << (<u64>size << 3)) - 1);
}

@inline export function signBit(size: u32): u64 {
  return <u64>1 << ((<u64>size << 3) - 1);
}

@inline function parity(v: u64): u64 {
  return (popcnt<u32>(<u32>v & 0xff) & 1) == 0 ? PF : 0;
}

// CF alone, the cheapest common query (adc/sbb/rcl/rcr/inc/dec need it).
export function getCF(): u64 {
  const op = load<u32>(FL_OP);
  if (op == F_NONE) return load<u64>(RFLAGS) & CF;
  const size = load<u32>(FL_SIZE);
  const m = sizeMask(size);
  const res = load<u64>(FL_RES) & m;
  const a = load<u64>(FL_A) & m;
  const b = load<u64>(FL_B) & m;
  switch (op) {
    case F_ADD: return res < a ? CF : 0;
    case F_ADC: return (load<u64>(FL_C) != 0 ? res <= a : res < a) ? CF : 0;
    case F_SUB: return a < b ? CF : 0;
    case F_SBB: return (load<u64>(FL_C) != 0 ? a <= b : a < b) ? CF : 0;
    case F_LOGIC: return 0;
    case F_INC:
    case F_DEC: return load<u64>(FL_C) & CF;
    default: return load<u64>(FL_C) & CF;
  }
}

// The six arithmetic flags as RFLAGS bits.
export function arithFlags(): u64 {
  const op = load<u32>(FL_OP);
  if (op == F_NONE) return load<u64>(RFLAGS) & ARITH;
  const size = load<u32>(FL_SIZE);
  const m = sizeMask(size);
  const s = signBit(size);
  const res = load<u64>(FL_RES) & m;
  const a = load<u64>(FL_A) & m;
  const b = load<u64>(FL_B) & m;
  let f: u64 = 0;
  switch (op) {
    case F_ADD:
      if (res < a) f |= CF;
      if (((a ^ res) & (b ^ res) & s) != 0) f |= OF;
      f |= (a ^ b ^ res) & AF;
      break;
    case F_ADC: {
      const c = load<u64>(FL_C) != 0;
      if (c ? res <= a : res < a) f |= CF;
      if (((a ^ res) & (b ^ res) & s) != 0) f |= OF;
      f |= (a ^ b ^ res) & AF;
      break;
    }
    case F_SUB:
      if (a < b) f |= CF;
      if (((a ^ b) & (a ^ res) & s) != 0) f |= OF;
      f |= (a ^ b ^ res) & AF;
      break;
    case F_SBB: {
      const c = load<u64>(FL_C) != 0;
      if (c ? a <= b : a < b) f |= CF;
      if (((a ^ b) & (a ^ res) & s) != 0) f |= OF;
      f |= (a ^ b ^ res) & AF;
      break;
    }
    case F_LOGIC:
      break;
    case F_INC:
      f |= load<u64>(FL_C) & CF;
      if (res == s) f |= OF;
      f |= (a ^ res) & AF;
      break;
    case F_DEC:
      f |= load<u64>(FL_C) & CF;
      if (res == s - 1) f |= OF;
      f |= (a ^ res) & AF;
      break;
    default: // F_RES
      f |= load<u64>(FL_C) & (CF | AF | OF);
      break;
  }
  if (res == 0) f |= ZF;
  if ((res & s) != 0) f |= SF;
  f |= parity(res);
  return f;
}

export function getRflags(): u64 {
  return (load<u64>(RFLAGS) & ~ARITH) | arithFlags() | 2;
}

// Replace all of RFLAGS (arith bits included) and drop the lazy state.
export function setRflags(v: u64): void {
  store<u64>(RFLAGS, v | 2);
  store<u32>(FL_OP, F_NONE);
}

// Update just the arithmetic bits given in mask.
export function setArith(mask: u64, bits: u64): void {
  const cur = getRflags();
  setRflags((cur & ~mask) | (bits & mask));
}

// Evaluate condition code cc (the low nibble of Jcc/SETcc/CMOVcc).
export function cond(cc: u32): bool {
  const op = load<u32>(FL_OP);
  if (op == F_SUB) {
    const size = load<u32>(FL_SIZE);
    const m = sizeMask(size);
    const a = load<u64>(FL_A) & m;
    const b = load<u64>(FL_B) & m;
    const sh = <u64>(64 - (size << 3));
    const sa = <i64>(a << sh);
    const sb = <i64>(b << sh);
    switch (cc) {
      case 2: return a < b;
      case 3: return a >= b;
      case 4: return a == b;
      case 5: return a != b;
      case 6: return a <= b;
      case 7: return a > b;
      case 12: return sa < sb;
      case 13: return sa >= sb;
      case 14: return sa <= sb;
      case 15: return sa > sb;
      default: break;
    }
  } else if (op == F_LOGIC) {
    const size = load<u32>(FL_SIZE);
    const res = load<u64>(FL_RES) & sizeMask(size);
    const neg = (res & signBit(size)) != 0;
    switch (cc) {
      case 0: return false;
      case 1: return true;
      case 2: return false;
      case 3: return true;
      case 4: return res == 0;
      case 5: return res != 0;
      case 6: return res == 0;
      case 7: return res != 0;
      case 8: return neg;
      case 9: return !neg;
      case 12: return neg;
      case 13: return !neg;
      case 14: return res == 0 || neg;
      case 15: return res != 0 && !neg;
      default: break;
    }
  }
  const f = arithFlags();
  let r: bool;
  switch (cc >> 1) {
    case 0: r = (f & OF) != 0; break;
    case 1: r = (f & CF) != 0; break;
    case 2: r = (f & ZF) != 0; break;
    case 3: r = (f & (CF | ZF)) != 0; break;
    case 4: r = (f & SF) != 0; break;
    case 5: r = (f & PF) != 0; break;
    case 6: r = ((f & SF) != 0) != ((f & OF) != 0); break;
    default: r = (f & ZF) != 0 || (((f & SF) != 0) != ((f & OF) != 0)); break;
  }
  return (cc & 1) != 0 ? !r : r;
}
