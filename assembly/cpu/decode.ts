// x86-64 instruction decoder: prefixes, opcode maps, ModRM/SIB, displacement, immediates.
// Fills the decoded-instruction record at DEC; the executor reads only that record.
import { DEC } from "../layout";
import { DECODE_ATTR } from "./gen/decode_table";
import { raise, EXC_UD, EXC_GP, fetchAvail, fetchFault, faulted } from "./mem";
import { specialise } from "./fast";

// Record fields (byte offsets from DEC).
export const D_OP: u32 = 0; // u16: map << 8 | opcode
export const D_LEN: u32 = 2; // u8
export const D_OSIZE: u32 = 3; // u8: 2, 4 or 8 (operand size of 'v' operands)
export const D_ASIZE: u32 = 4; // u8: 8, or 4 with 0x67
export const D_REP: u32 = 5; // u8: 0, 2 (F2) or 3 (F3): the last of them
export const D_SEG: u32 = 6; // u8: 0 none, 1 FS, 2 GS
export const D_P66: u32 = 7; // u8: operand-size prefix present
export const D_LOCK: u32 = 8; // u8
export const D_MOD: u32 = 9; // u8: ModRM.mod (3 = register operand)
export const D_REG: u32 = 10; // u8: ModRM.reg with REX.R
export const D_RM: u32 = 11; // u8: ModRM.rm with REX.B
export const D_BASE: u32 = 12; // u8: base register, NO_REG, or RIP_REL
export const D_INDEX: u32 = 13; // u8: index register or NO_REG
export const D_SCALE: u32 = 14; // u8: shift 0..3
export const D_REX: u32 = 15; // u8: the REX byte (0 when absent)
export const D_DISP: u32 = 16; // i64
export const D_IMM: u32 = 24; // u64
export const D_IMM2: u32 = 32; // u64
export const D_MODRM: u32 = 40; // u8: raw ModRM byte
export const D_PREFIXES: u32 = 41; // u8: count of prefix bytes
export const D_HANDLER: u32 = 42; // u8: specialised handler (cpu/fast.ts), 0 = generic
export const D_AUX: u32 = 43; // u8: handler argument (ALU op, condition code, ...)
export const D_DST: u32 = 44; // u8: handler destination register
export const D_SRC: u32 = 45; // u8: handler source register

export const NO_REG: u8 = 16;
export const RIP_REL: u8 = 17;

export const MAP_0F: u32 = 0x100;
export const MAP_0F38: u32 = 0x200;
export const MAP_0F3A: u32 = 0x300;

// Decode the instruction at host address p. Returns false after raising #UD/#GP/#PF.
export function decode(p: u32): bool {
  let i: u32 = 0;
  let osize: u32 = 4;
  let asize: u32 = 8;
  let rep: u32 = 0;
  let seg: u32 = 0;
  let p66: u32 = 0;
  let lock: u32 = 0;
  let rex: u32 = 0;
  let b: u32 = load<u8>(p);
  // Legacy prefixes, then at most one REX immediately before the opcode.
  while (true) {
    if (b == 0x66) p66 = 1;
    else if (b == 0x67) asize = 4;
    else if (b == 0xf2 || b == 0xf3) rep = b - 0xf0;
    else if (b == 0xf0) lock = 1;
    else if (b == 0x64) seg = 1;
    else if (b == 0x65) seg = 2;
    else if (b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26) {
      // null segment prefixes in 64-bit mode
    } else if ((b & 0xf0) == 0x40) {
      rex = b;
      i++;
      b = load<u8>(p + i);
      // A legacy prefix after REX cancels the REX.
      if (b == 0x66 || b == 0x67 || b == 0xf2 || b == 0xf3 || b == 0xf0 || b == 0x64 || b == 0x65 ||
          b == 0x2e || b == 0x36 || b == 0x3e || b == 0x26 || (b & 0xf0) == 0x40) {
        rex = 0;
        if (i >= 14) break;
        continue;
      }
      break;
    } else break;
    i++;
    if (i >= 15) break;
    b = load<u8>(p + i);
  }
  store<u8>(DEC + D_PREFIXES, <u8>i);
  if (i >= 15) return tooLong(i);
  let op: u32 = b;
  i++;
  if (op == 0x0f) {
    const b2: u32 = load<u8>(p + i);
    i++;
    if (b2 == 0x38) {
      op = MAP_0F38 | <u32>load<u8>(p + i);
      i++;
    } else if (b2 == 0x3a) {
      op = MAP_0F3A | <u32>load<u8>(p + i);
      i++;
    } else op = MAP_0F | b2;
  }
  const attr: u32 = unchecked(DECODE_ATTR[op]);
  if ((rex & 8) != 0) osize = 8;
  else if (p66 != 0) osize = 2;
  let mod: u32 = 3;
  let reg: u32 = 0;
  let rm: u32 = 0;
  let base: u32 = NO_REG;
  let index: u32 = NO_REG;
  let scale: u32 = 0;
  let disp: i64 = 0;
  let modrm: u32 = 0;
  if ((attr & 1) != 0) {
    modrm = load<u8>(p + i);
    i++;
    mod = modrm >> 6;
    reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    rm = (modrm & 7) | ((rex & 1) << 3);
    if (mod != 3) {
      const r = modrm & 7;
      if (r == 4) {
        const sib: u32 = load<u8>(p + i);
        i++;
        scale = sib >> 6;
        const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
        index = idx == 4 ? NO_REG : idx;
        const bs = sib & 7;
        if (bs == 5 && mod == 0) {
          base = NO_REG;
          disp = <i64>load<i32>(p + i);
          i += 4;
        } else base = bs | ((rex & 1) << 3);
      } else if (r == 5 && mod == 0) {
        base = RIP_REL;
        disp = <i64>load<i32>(p + i);
        i += 4;
      } else base = rm;
      if (mod == 1) {
        disp = <i64>load<i8>(p + i);
        i += 1;
      } else if (mod == 2) {
        disp = <i64>load<i32>(p + i);
        i += 4;
      }
    }
  }
  let imm: u64 = 0;
  let imm2: u64 = 0;
  let kind = (attr >> 1) & 15;
  if (kind == 7 || kind == 8) kind = ((modrm >> 3) & 7) < 2 ? (kind == 7 ? 1 : 3) : 0;
  switch (kind) {
    case 1:
      imm = <u64><i64>load<i8>(p + i);
      i += 1;
      break;
    case 2:
      imm = <u64>load<u16>(p + i);
      i += 2;
      break;
    case 3:
      if (osize == 2) {
        imm = <u64><i64>load<i16>(p + i);
        i += 2;
      } else {
        imm = <u64><i64>load<i32>(p + i);
        i += 4;
      }
      break;
    case 4:
      if (osize == 8) {
        imm = load<u64>(p + i);
        i += 8;
      } else if (osize == 2) {
        imm = <u64>load<u16>(p + i);
        i += 2;
      } else {
        imm = <u64>load<u32>(p + i);
        i += 4;
      }
      break;
    case 5:
      imm = <u64>load<u16>(p + i);
      imm2 = <u64>load<u8>(p + i + 2);
      i += 3;
      break;
    case 6:
      if (asize == 8) {
        imm = load<u64>(p + i);
        i += 8;
      } else {
        imm = <u64>load<u32>(p + i);
        i += 4;
      }
      break;
    case 9:
      imm = <u64><i64>load<i32>(p + i);
      i += 4;
      break;
    default:
      break;
  }
  if (i > 15) return tooLong(i);
  if (i > fetchAvail) {
    fetchFault();
    return false;
  }
  if (lock != 0 && !lockable(op, mod, (modrm >> 3) & 7)) {
    raise(EXC_UD, -1);
    return false;
  }
  if ((attr & 0x20) != 0) {
    raise(EXC_UD, -1);
    return false;
  }
  store<u16>(DEC + D_OP, <u16>op);
  store<u8>(DEC + D_LEN, <u8>i);
  store<u8>(DEC + D_OSIZE, <u8>osize);
  store<u8>(DEC + D_ASIZE, <u8>asize);
  store<u8>(DEC + D_REP, <u8>rep);
  store<u8>(DEC + D_SEG, <u8>seg);
  store<u8>(DEC + D_P66, <u8>p66);
  store<u8>(DEC + D_LOCK, <u8>lock);
  store<u8>(DEC + D_MOD, <u8>mod);
  store<u8>(DEC + D_REG, <u8>reg);
  store<u8>(DEC + D_RM, <u8>rm);
  store<u8>(DEC + D_BASE, <u8>base);
  store<u8>(DEC + D_INDEX, <u8>index);
  store<u8>(DEC + D_SCALE, <u8>scale);
  store<u8>(DEC + D_REX, <u8>rex);
  store<i64>(DEC + D_DISP, disp);
  store<u64>(DEC + D_IMM, imm);
  store<u64>(DEC + D_IMM2, imm2);
  store<u8>(DEC + D_MODRM, <u8>modrm);
  specialise(op, osize, mod, reg, rm, rex, seg, asize, p66 | lock | rep);
  return !faulted;
}

function tooLong(i: u32): bool {
  // The fetch itself may fault first when the bytes run into an unmapped page.
  if (i > fetchAvail) {
    fetchFault();
    return false;
  }
  raise(EXC_GP, 0);
  return false;
}

// LOCK is legal only on these read-modify-write forms, and only with a memory destination.
function lockable(op: u32, mod: u32, r: u32): bool {
  if (mod == 3) return false;
  if (op < 0x40) return (op & 7) < 2 && (op >> 3) != 7;
  switch (op) {
    case 0x80: case 0x81: case 0x83: return r != 7;
    case 0x86: case 0x87: return true;
    case 0xf6: case 0xf7: return r == 2 || r == 3;
    case 0xfe: case 0xff: return r < 2;
    case 0x1ab: case 0x1b3: case 0x1bb: case 0x1b0: case 0x1b1: case 0x1c0: case 0x1c1: return true;
    case 0x1ba: return r >= 5;
    case 0x1c7: return r == 1;
    default: return false;
  }
}
