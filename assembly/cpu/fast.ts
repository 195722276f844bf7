// Specialised handlers for the instruction forms that dominate real code (register moves,
// loads and stores, ALU ops, branches, calls, stack ops), chosen once at decode time and
// cached with the decoded block. Everything else runs in the generic executor (exec.ts).
// Only 32- and 64-bit operand sizes without segment overrides are specialised.
import { DEC, REGS, FL_OP, FL_A, FL_B, FL_RES, REC_SIZE } from "../layout";
import { D_HANDLER, D_LEN, D_AUX, D_DST, D_SRC, D_DISP, D_IMM, D_BASE, D_INDEX, D_SCALE, D_OSIZE, NO_REG, RIP_REL } from "./decode";
import { rd64, rd32, rd16, rd8, wr64, wr32, wr8, faulted, canonical, raiseGP0, mapEpoch, probeWrite } from "./mem";
import { setLazy, setLazyC, setResFlags, getCF, cond, OF, F_ADD, F_ADC, F_SUB, F_SBB, F_LOGIC, F_INC, F_DEC } from "./flags";
import { shift, imul2 } from "./alu";

export const H_GENERIC: u8 = 0;
const H_MOV_RR: u8 = 1;
const H_MOV_LOAD: u8 = 2;
const H_MOV_STORE: u8 = 3;
const H_LEA: u8 = 4;
const H_ALU_RR: u8 = 5;
const H_ALU_RI: u8 = 6;
const H_ALU_RM: u8 = 7;
const H_JCC: u8 = 8;
const H_JMP: u8 = 9;
const H_CALL: u8 = 10;
const H_RET: u8 = 11;
const H_PUSH: u8 = 12;
const H_POP: u8 = 13;
const H_INCDEC: u8 = 14;
const H_MOV_RI: u8 = 15;
const H_SHIFT_RI: u8 = 16;
const H_TEST_RR: u8 = 17;
const H_CMOV: u8 = 18;
const H_MOVZX_RR: u8 = 19;
const H_MOVZX_LOAD: u8 = 20;
const H_STORE8: u8 = 21;
const H_IMUL_RR: u8 = 22;
const H_IMUL_RM: u8 = 23;
const H_IMUL_RI: u8 = 24;
const H_ALU_AI: u8 = 25;
const H_CMP8_MI: u8 = 26;
const H_JMP_IND: u8 = 27;
const H_CMP8_RM: u8 = 28; // cmp m8, r8 (aux 0) or cmp r8, m8 (aux 1)
const H_CMP8_RI: u8 = 29;
const H_MOVSXD_RR: u8 = 30;
const H_MOVSXD_LOAD: u8 = 31;
const H_CDQE: u8 = 32; // cdqe, cwde
const H_NOP: u8 = 33;
// ALU register forms split by operation (no second dispatch): H_ALU_RR_OP + op, H_ALU_RI_OP + op.
const H_ALU_RR_OP: u8 = 40;
const H_ALU_RI_OP: u8 = 48;

// Byte registers 4..7 without REX are AH..BH: forms naming them stay generic.
@inline function lowByteReg(r: u32, rex: u32): bool {
  return rex != 0 || r < 4;
}

// Called by the decoder with the fields it found; stores the handler choice in the record.
export function specialise(op: u32, osize: u32, mod: u32, reg: u32, rm: u32, rex: u32, seg: u32, asize: u32, odd: u32): void {
  let h: u8 = H_GENERIC;
  let aux: u32 = 0;
  let dst: u32 = 0;
  let src: u32 = 0;
  const wide = osize == 8 || osize == 4;
  const plainMem = mod != 3 && seg == 0 && asize == 8;
  if (odd == 0 && wide) {
    if (op == 0x89 || op == 0x8b) {
      if (mod == 3) {
        h = H_MOV_RR;
        dst = op == 0x89 ? rm : reg;
        src = op == 0x89 ? reg : rm;
      } else if (plainMem) {
        h = op == 0x8b ? H_MOV_LOAD : H_MOV_STORE;
        dst = reg;
      }
    } else if (op == 0x8d && mod != 3 && asize == 8) {
      h = H_LEA;
      dst = reg;
    } else if (op < 0x40 && ((op & 7) == 1 || (op & 7) == 3)) {
      aux = op >> 3;
      if (mod == 3) {
        h = H_ALU_RR;
        dst = (op & 7) == 1 ? rm : reg;
        src = (op & 7) == 1 ? reg : rm;
      } else if ((op & 7) == 3 && plainMem) {
        h = H_ALU_RM;
        dst = reg;
      }
    } else if ((op == 0x81 || op == 0x83) && mod == 3) {
      h = H_ALU_RI;
      aux = reg & 7;
      dst = rm;
    } else if (op == 0x85 && mod == 3) {
      h = H_TEST_RR;
      dst = rm;
      src = reg;
    } else if (op == 0xff && mod == 3 && (reg & 7) < 2) {
      h = H_INCDEC;
      aux = reg & 7;
      dst = rm;
    } else if (op >= 0xb8 && op <= 0xbf) {
      h = H_MOV_RI;
      dst = (op & 7) | ((rex & 1) << 3);
    } else if (op == 0xc7 && mod == 3 && (reg & 7) == 0) {
      h = H_MOV_RI;
      dst = rm;
    } else if ((op == 0xc1 || op == 0xd1 || op == 0xd3) && mod == 3 && (reg & 7) >= 4) {
      h = H_SHIFT_RI;
      aux = reg & 7;
      dst = rm;
      src = op == 0xc1 ? 0 : op == 0xd1 ? 1 : 2; // count: imm8, 1, CL
    } else if (op >= 0x140 && op <= 0x14f && mod == 3) {
      h = H_CMOV;
      aux = op & 15;
      dst = reg;
      src = rm;
    } else if ((op == 0x1b6 || op == 0x1b7) && mod == 3) {
      h = H_MOVZX_RR;
      aux = op == 0x1b6 ? 1 : 2;
      dst = reg;
      src = rm;
      // Byte registers 4..7 without REX are AH..BH: leave those to the generic path.
      if (op == 0x1b6 && rex == 0 && rm >= 4 && rm < 8) h = H_GENERIC;
    } else if ((op == 0x1b6 || op == 0x1b7) && plainMem) {
      h = H_MOVZX_LOAD;
      aux = op == 0x1b6 ? 1 : 2;
      dst = reg;
    } else if (op == 0x1af) {
      if (mod == 3) {
        h = H_IMUL_RR;
        src = rm;
      } else if (plainMem) h = H_IMUL_RM;
      dst = reg;
    } else if ((op == 0x69 || op == 0x6b) && mod == 3) {
      h = H_IMUL_RI;
      dst = reg;
      src = rm;
    } else if (op < 0x40 && (op & 7) == 5) {
      h = H_ALU_AI;
      aux = op >> 3;
    } else if (op == 0x63 && osize == 8) {
      if (mod == 3) {
        h = H_MOVSXD_RR;
        src = rm;
      } else if (plainMem) h = H_MOVSXD_LOAD;
      dst = reg;
    } else if (op == 0x98) h = H_CDQE;
  }
  if (odd == 0 && h == H_GENERIC) {
    if ((op == 0x38 || op == 0x3a) && plainMem && lowByteReg(reg, rex)) {
      h = H_CMP8_RM;
      aux = op == 0x3a ? 1 : 0;
      dst = reg;
    } else if (op == 0x80 && mod == 3 && (reg & 7) == 7 && lowByteReg(rm, rex)) {
      h = H_CMP8_RI;
      dst = rm;
    } else if (op == 0x90 && (rex & 1) == 0) h = H_NOP;
  }
  if (odd == 0 && h == H_GENERIC) {
    if (op == 0x88 && plainMem && (rex != 0 || reg < 4)) {
      h = H_STORE8;
      dst = reg;
    } else if (op == 0x80 && plainMem && (reg & 7) == 7) {
      h = H_CMP8_MI;
    } else if (op == 0xff && (reg & 7) == 4 && (mod == 3 || plainMem)) {
      h = H_JMP_IND;
      src = mod == 3 ? 1 : 0;
      dst = rm;
    }
  }
  if (odd == 0 && h == H_GENERIC) {
    if ((op >= 0x70 && op <= 0x7f) || (op >= 0x180 && op <= 0x18f)) {
      h = H_JCC;
      aux = op & 15;
    } else if (op == 0xe9 || op == 0xeb) h = H_JMP;
    else if (op == 0xe8) h = H_CALL;
    else if (op == 0xc3) h = H_RET;
    else if (op >= 0x50 && op <= 0x57) {
      h = H_PUSH;
      dst = (op & 7) | ((rex & 1) << 3);
    } else if (op >= 0x58 && op <= 0x5f) {
      h = H_POP;
      dst = (op & 7) | ((rex & 1) << 3);
    }
  }
  if (h == H_ALU_RR && aux != 2 && aux != 3) h = H_ALU_RR_OP + <u8>aux;
  else if (h == H_ALU_RI && aux != 2 && aux != 3) h = H_ALU_RI_OP + <u8>aux;
  store<u8>(DEC + D_HANDLER, h);
  store<u8>(DEC + D_AUX, <u8>aux);
  store<u8>(DEC + D_DST, <u8>dst);
  store<u8>(DEC + D_SRC, <u8>src);
}

@inline function r64(r: u32): u64 {
  return load<u64>(REGS + (r << 3));
}

@inline function w64(r: u32, v: u64): void {
  store<u64>(REGS + (r << 3), v);
}

// Write a 32- or 64-bit result (32-bit writes zero-extend).
@inline function wsz(r: u32, size: u32, v: u64): void {
  store<u64>(REGS + (r << 3), size == 8 ? v : v & 0xffffffff);
}

@inline function ea(rec: u32, next: u64): u64 {
  let a = <u64>load<i64>(rec + D_DISP);
  const base = load<u8>(rec + D_BASE);
  if (base < 16) a += r64(base);
  else if (base == RIP_REL) a += next;
  const index = load<u8>(rec + D_INDEX);
  if (index != NO_REG) a += r64(index) << <u64>load<u8>(rec + D_SCALE);
  return a;
}

// A control transfer to a non-canonical address faults on the transferring instruction.
@inline function branch(target: u64, next: u64): u64 {
  if (canonical(target)) return target;
  raiseGP0();
  return next;
}

@inline function alu(op: u32, size: u32, a: u64, b: u64): u64 {
  const m: u64 = size == 8 ? <u64>-1 : 0xffffffff;
  a &= m;
  b &= m;
  let r: u64;
  switch (op) {
    case 0: r = a + b; setLazy(F_ADD, size, r, a, b); break;
    case 1: r = a | b; setLazy(F_LOGIC, size, r, a, b); break;
    case 2: { const c = getCF(); r = a + b + c; setLazyC(F_ADC, size, r, a, b, c); break; }
    case 3: { const c = getCF(); r = a - b - c; setLazyC(F_SBB, size, r, a, b, c); break; }
    case 4: r = a & b; setLazy(F_LOGIC, size, r, a, b); break;
    case 6: r = a ^ b; setLazy(F_LOGIC, size, r, a, b); break;
    default: r = a - b; setLazy(F_SUB, size, r, a, b); break;
  }
  return r & m;
}

// cmp of two bytes (already zero-extended).
@inline function cmp8(a: u64, b: u64): void {
  setLazy(F_SUB, 1, (a - b) & 0xff, a, b);
}

// One ALU form with a constant operation: inlined into each case, where the constant folds the
// operation's switch away (the split saves the second dispatch).
@inline function aluOp(rec: u32, size: u32, next: u64, op: u32, imm: bool): u64 {
  const m: u64 = size == 8 ? <u64>-1 : 0xffffffff;
  const d = <u32>load<u8>(rec + D_DST);
  const a = r64(d) & m;
  const b = (imm ? load<u64>(rec + D_IMM) : r64(load<u8>(rec + D_SRC))) & m;
  let r: u64;
  let kind: u32;
  switch (op) {
    case 0: r = a + b; kind = F_ADD; break;
    case 1: r = a | b; kind = F_LOGIC; break;
    case 4: r = a & b; kind = F_LOGIC; break;
    case 6: r = a ^ b; kind = F_LOGIC; break;
    default: r = a - b; kind = F_SUB; break; // 5 sub, 7 cmp
  }
  r &= m;
  setLazy(kind, size, r, a, b);
  if (op != 7) wsz(d, size, r);
  return next;
}

// Jcc after cmp/sub or test/logic ops (most of them) without materialising flags: the
// conditions that depend only on below, equal and less, from a truth table; others via cond().
const CC_FAST: u32 = 0xf0fc; // b ae e ne be a l ge le g
// Entry below | equal << 1 | less << 2 has bit cc set when condition cc holds.
const CC_TABLE: StaticArray<u16> = [0xa0a8, 0xa064, 0x6058, 0x6054, 0x50a8, 0x5064, 0x5058, 0x5054];

@inline function fastCond(cc: u32): bool {
  const op = load<u32>(FL_OP);
  if (((CC_FAST >> cc) & 1) != 0 && (op == F_SUB || op == F_LOGIC)) {
    const sh = <u64>(64 - (load<u32>(FL_OP + 4) << 3));
    let idx: u32;
    if (op == F_SUB) {
      const a = load<u64>(FL_A) << sh;
      const b = load<u64>(FL_B) << sh;
      idx = (a < b ? 1 : 0) | (a == b ? 2 : 0) | (<i64>a < <i64>b ? 4 : 0);
    } else {
      const r = load<u64>(FL_RES) << sh;
      idx = (r == 0 ? 2 : 0) | (<i64>r < 0 ? 4 : 0);
    }
    return ((<u32>unchecked(CC_TABLE[idx]) >> cc) & 1) != 0;
  }
  return cond(cc);
}

// Run the specialised handler h for the decoded record at rec; next is the address of the
// following instruction. Returns the address to continue at (check `faulted`).
export function execFast(rec: u32, h: u32, next: u64): u64 {
  return fastBody(rec, h, next);
}

// Why fastRun stopped (fastStop), when no fault did.
export const STOP_GENERIC: u32 = 0; // the record at fastRec needs the generic executor
export const STOP_END: u32 = 1; // the block's records (up to end) are done, falling through
export const STOP_TAKEN: u32 = 2; // the last instruction transferred control
export const STOP_EPOCH: u32 = 3; // the last instruction changed mappings or code, or asked for an exit
export let fastRec: u32 = 0; // the first record not run
export let fastStop: u32 = 0;

// Run the cached records from rec (the instruction at rip) while they have specialised handlers,
// until the record at end, a control transfer, a fault or a mapEpoch change. Returns the address
// of the next instruction (of the faulting one after a fault); fastRec and fastStop say where
// and why it stopped. One loop around the inlined handlers, so that the per-instruction state
// stays in registers instead of being spilled around a call.
export function fastRun(rec: u32, rip: u64, end: u32, epoch: u32): u64 {
  let stop = STOP_GENERIC;
  while (true) {
    const h = <u32>load<u8>(rec + D_HANDLER);
    if (h == 0) break;
    const next = rip + <u64>load<u8>(rec + D_LEN);
    const to = fastBody(rec, h, next);
    if (mapEpoch != epoch) {
      if (faulted) break; // rec and rip stay at the faulting instruction
      rec += REC_SIZE;
      rip = to;
      stop = STOP_EPOCH;
      break;
    }
    rec += REC_SIZE;
    rip = to;
    if (to != next) {
      stop = STOP_TAKEN;
      break;
    }
    if (rec >= end) {
      stop = STOP_END;
      break;
    }
  }
  fastRec = rec;
  fastStop = stop;
  return rip;
}

@inline function fastBody(rec: u32, h: u32, next: u64): u64 {
  const size = <u32>load<u8>(rec + D_OSIZE);
  switch (h) {
    case H_MOV_RR:
      wsz(load<u8>(rec + D_DST), size, r64(load<u8>(rec + D_SRC)));
      return next;
    case H_MOV_LOAD: {
      const a = ea(rec, next);
      const v = size == 8 ? rd64(a) : rd32(a);
      if (faulted) return next;
      w64(load<u8>(rec + D_DST), v);
      return next;
    }
    case H_MOV_STORE: {
      const a = ea(rec, next);
      const v = r64(load<u8>(rec + D_DST));
      if (size == 8) wr64(a, v);
      else wr32(a, v);
      return next;
    }
    case H_LEA:
      wsz(load<u8>(rec + D_DST), size, ea(rec, next));
      return next;
    case H_ALU_RR: {
      const op = <u32>load<u8>(rec + D_AUX);
      const d = <u32>load<u8>(rec + D_DST);
      const r = alu(op, size, r64(d), r64(load<u8>(rec + D_SRC)));
      if (op != 7) wsz(d, size, r);
      return next;
    }
    case H_ALU_RR_OP + 0: return aluOp(rec, size, next, 0, false);
    case H_ALU_RI_OP + 0: return aluOp(rec, size, next, 0, true);
    case H_ALU_RR_OP + 1: return aluOp(rec, size, next, 1, false);
    case H_ALU_RI_OP + 1: return aluOp(rec, size, next, 1, true);
    case H_ALU_RR_OP + 4: return aluOp(rec, size, next, 4, false);
    case H_ALU_RI_OP + 4: return aluOp(rec, size, next, 4, true);
    case H_ALU_RR_OP + 5: return aluOp(rec, size, next, 5, false);
    case H_ALU_RI_OP + 5: return aluOp(rec, size, next, 5, true);
    case H_ALU_RR_OP + 6: return aluOp(rec, size, next, 6, false);
    case H_ALU_RI_OP + 6: return aluOp(rec, size, next, 6, true);
    case H_ALU_RR_OP + 7: return aluOp(rec, size, next, 7, false);
    case H_ALU_RI_OP + 7: return aluOp(rec, size, next, 7, true);
    case H_ALU_RI: {
      const op = <u32>load<u8>(rec + D_AUX);
      const d = <u32>load<u8>(rec + D_DST);
      const r = alu(op, size, r64(d), load<u64>(rec + D_IMM));
      if (op != 7) wsz(d, size, r);
      return next;
    }
    case H_ALU_RM: {
      const a = ea(rec, next);
      const b = size == 8 ? rd64(a) : rd32(a);
      if (faulted) return next;
      const op = <u32>load<u8>(rec + D_AUX);
      const d = <u32>load<u8>(rec + D_DST);
      const r = alu(op, size, r64(d), b);
      if (op != 7) wsz(d, size, r);
      return next;
    }
    case H_TEST_RR: {
      const m: u64 = size == 8 ? <u64>-1 : 0xffffffff;
      setLazy(F_LOGIC, size, r64(load<u8>(rec + D_DST)) & r64(load<u8>(rec + D_SRC)) & m, 0, 0);
      return next;
    }
    case H_JCC:
      return fastCond(load<u8>(rec + D_AUX)) ? branch(next + load<u64>(rec + D_IMM), next) : next;
    case H_JMP:
      return branch(next + load<u64>(rec + D_IMM), next);
    case H_CALL: {
      const target = next + load<u64>(rec + D_IMM);
      if (!canonical(target)) {
        if (probeWrite(r64(4) - 8, 8)) raiseGP0(); // the push's checks come first
        return next;
      }
      const sp = r64(4) - 8;
      wr64(sp, next);
      if (faulted) return next;
      w64(4, sp);
      return target;
    }
    case H_RET: {
      const sp = r64(4);
      const t = rd64(sp);
      if (faulted) return next;
      if (!canonical(t)) { raiseGP0(); return next; } // #GP on the ret, RSP unchanged
      w64(4, sp + 8);
      return t;
    }
    case H_PUSH: {
      const sp = r64(4) - 8;
      wr64(sp, r64(load<u8>(rec + D_DST)));
      if (faulted) return next;
      w64(4, sp);
      return next;
    }
    case H_POP: {
      const sp = r64(4);
      const v = rd64(sp);
      if (faulted) return next;
      w64(4, sp + 8);
      w64(load<u8>(rec + D_DST), v);
      return next;
    }
    case H_INCDEC: {
      const d = <u32>load<u8>(rec + D_DST);
      const m: u64 = size == 8 ? <u64>-1 : 0xffffffff;
      const a = r64(d) & m;
      const c = getCF();
      const dec = load<u8>(rec + D_AUX) != 0;
      const r = (dec ? a - 1 : a + 1) & m;
      setLazyC(dec ? F_DEC : F_INC, size, r, a, 1, c);
      wsz(d, size, r);
      return next;
    }
    case H_MOV_RI:
      wsz(load<u8>(rec + D_DST), size, load<u64>(rec + D_IMM));
      return next;
    case H_SHIFT_RI: {
      const d = <u32>load<u8>(rec + D_DST);
      const m: u64 = size == 8 ? <u64>-1 : 0xffffffff;
      const how = load<u8>(rec + D_SRC);
      const count: u64 = how == 0 ? load<u64>(rec + D_IMM) : how == 1 ? 1 : r64(1) & 0xff;
      const op = <u32>load<u8>(rec + D_AUX);
      const a = r64(d) & m;
      if (op < 4) {
        wsz(d, size, shift(op, size, a, count));
        return next;
      }
      // shl/shr/sar of 32 or 64 bits, inline (alu.ts shift is the general form, and costs a
      // call: about 4% of bench:cpu): the masked count is below the width.
      const c = count & (size == 8 ? 63 : 31);
      if (c == 0) {
        wsz(d, size, a); // flags unchanged; a 32-bit destination is still zero-extended
        return next;
      }
      const bits = <u64>(size << 3);
      const sb: u64 = <u64>1 << (bits - 1);
      let r: u64;
      let cao: u64;
      if (op == 5) {
        r = a >> c;
        cao = ((a >> (c - 1)) & 1) | ((a & sb) != 0 ? OF : 0);
      } else if (op == 7) {
        const sa = size == 8 ? <i64>a : <i64><i32>a;
        r = <u64>(sa >> <i64>c) & m;
        cao = <u64>(sa >> <i64>(c - 1)) & 1;
      } else {
        r = (a << c) & m;
        const cf = (a >> (bits - c)) & 1;
        cao = cf | (((r & sb) != 0 ? 1 : 0) ^ cf ? OF : 0);
      }
      setResFlags(size, r, cao);
      wsz(d, size, r);
      return next;
    }
    case H_CMOV: {
      const d = <u32>load<u8>(rec + D_DST);
      wsz(d, size, cond(load<u8>(rec + D_AUX)) ? r64(load<u8>(rec + D_SRC)) : r64(d));
      return next;
    }
    case H_MOVZX_RR: {
      const v = r64(load<u8>(rec + D_SRC));
      wsz(load<u8>(rec + D_DST), size, load<u8>(rec + D_AUX) == 1 ? v & 0xff : v & 0xffff);
      return next;
    }
    case H_MOVZX_LOAD: {
      const a = ea(rec, next);
      const v = load<u8>(rec + D_AUX) == 1 ? rd8(a) : rd16(a);
      if (faulted) return next;
      wsz(load<u8>(rec + D_DST), size, v);
      return next;
    }
    case H_STORE8:
      wr8(ea(rec, next), r64(load<u8>(rec + D_DST)));
      return next;
    case H_IMUL_RR: {
      const d = <u32>load<u8>(rec + D_DST);
      wsz(d, size, imul2(size, r64(d), r64(load<u8>(rec + D_SRC))));
      return next;
    }
    case H_IMUL_RM: {
      const a = ea(rec, next);
      const b = size == 8 ? rd64(a) : rd32(a);
      if (faulted) return next;
      const d = <u32>load<u8>(rec + D_DST);
      wsz(d, size, imul2(size, r64(d), b));
      return next;
    }
    case H_IMUL_RI:
      wsz(load<u8>(rec + D_DST), size, imul2(size, r64(load<u8>(rec + D_SRC)), load<u64>(rec + D_IMM)));
      return next;
    case H_ALU_AI: {
      const op = <u32>load<u8>(rec + D_AUX);
      const r = alu(op, size, r64(0), load<u64>(rec + D_IMM));
      if (op != 7) wsz(0, size, r);
      return next;
    }
    case H_CMP8_RM: {
      const m = rd8(ea(rec, next));
      if (faulted) return next;
      const r = r64(load<u8>(rec + D_DST)) & 0xff;
      const swap = load<u8>(rec + D_AUX) != 0;
      const a = swap ? r : m;
      const b = swap ? m : r;
      cmp8(a, b);
      return next;
    }
    case H_CMP8_RI: {
      const a = r64(load<u8>(rec + D_DST)) & 0xff;
      const b = load<u64>(rec + D_IMM) & 0xff;
      cmp8(a, b);
      return next;
    }
    case H_MOVSXD_RR:
      w64(load<u8>(rec + D_DST), <u64><i64><i32>r64(load<u8>(rec + D_SRC)));
      return next;
    case H_MOVSXD_LOAD: {
      const v = rd32(ea(rec, next));
      if (faulted) return next;
      w64(load<u8>(rec + D_DST), <u64><i64><i32>v);
      return next;
    }
    case H_CDQE: {
      const a = r64(0);
      w64(0, size == 8 ? <u64><i64><i32>a : <u64><u32><i32><i16>a);
      return next;
    }
    case H_NOP:
      return next;
    case H_CMP8_MI: {
      const v = rd8(ea(rec, next));
      if (faulted) return next;
      const b = load<u64>(rec + D_IMM) & 0xff;
      cmp8(v, b);
      return next;
    }
    case H_JMP_IND: {
      const t = load<u8>(rec + D_SRC) != 0 ? r64(load<u8>(rec + D_DST)) : rd64(ea(rec, next));
      if (faulted) return next;
      if (!canonical(t)) { raiseGP0(); return next; } // #GP on the jmp, not at the target
      return t;
    }
    default:
      return next;
  }
}
