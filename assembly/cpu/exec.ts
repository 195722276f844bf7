// The executor for one-byte opcodes. Reads the decoded record at DEC; every state change
// happens after the last access that can fault, so a faulting instruction can restart.
import { DEC, RIP, SEL, REGS, FS_BASE, GS_BASE } from "../layout";
import {
  D_OP, D_OSIZE, D_IMM, D_IMM2, D_REP, D_REX, D_P66, D_MOD, D_HANDLER, D_BASE, D_SEG,
} from "./decode";
import { execFast } from "./fast";
import { codeSelectorOk, segLoadLong } from "../mm/gdt";
import { segmentLoadOk, segLoadBase } from "../mm/gdt";
import {
  nrip, setNrip, reg64, setReg64, getReg, setReg, rmRead, rmWrite, rmwRead, rmwWrite, ea, eaNoSeg,
  dReg, dRm, dMod, segBase, RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI,
} from "./regs";
import { rdN, wrN, rd64, wr64, rd16, wr16, probeWrite, faulted, raise, raiseGP0, canonical, EXC_UD, EXC_BP, EXC_DB } from "./mem";
import {
  cond, getRflags, setRflags, getCF, arithFlags, setArith, sizeMask,
  CF, PF, AF, ZF, SF, TF, IF, DF, OF, IOPL, NT, RF, AC, ID, ARITH,
} from "./flags";
import { alu, inc, dec, neg, shift, mul1, mulHigh, imul2, div, divQ, divR, signExtend, setLogicFlags } from "./alu";
import { stringOp } from "./string";
import { exec0F } from "./exec0f";
import { execX87, x87Wait } from "./x87";
import {
  privInt, privIret, privHlt, privCliSti, privIo, privPushfMask, privPopf,
} from "./priv";

@inline function opsize(): u32 {
  return load<u8>(DEC + D_OSIZE);
}

// Stack operand size: 64 unless 0x66 gives 16.
@inline function stackSize(): u32 {
  return load<u8>(DEC + D_P66) != 0 && (load<u8>(DEC + D_REX) & 8) == 0 ? 2 : 8;
}

@inline function imm(): u64 {
  return load<u64>(DEC + D_IMM);
}

export function push(size: u32, v: u64): bool {
  const sp = reg64(RSP) - <u64>size;
  wrN(sp, size, v);
  if (faulted) return false;
  setReg64(RSP, sp);
  return true;
}

// Instructions that access the stack implicitly (through SS): push/pop in every form, call,
// ret, enter, leave, pushf/popf, iret and far call/ret.
function implicitStack(op: u32, r: u32): bool {
  if (op >= 0x50 && op <= 0x5f) return true;
  switch (op) {
    case 0x68: case 0x6a: case 0x9c: case 0x9d: case 0xc2: case 0xc3: case 0xc8: case 0xc9:
    case 0xca: case 0xcb: case 0xcf: case 0xe8: case 0x1a0: case 0x1a1: case 0x1a8: case 0x1a9:
      return true;
    case 0x8f: return r == 0;
    case 0xff: return r == 2 || r == 3 || r == 6;
    default: return false;
  }
}

// The decoded instruction (DEC, nrip set) raised #GP(0) for a non-canonical data address:
// was that access through SS (#SS(0) on the CPU)? The stack itself, or a memory operand based
// on RSP or RBP without an FS/GS override. An instruction with both a stack access and another
// memory operand faults on whichever it touches first.
export function stackSegmentFault(): bool {
  const mem = dMod() != 3;
  const base = load<u8>(DEC + D_BASE);
  const ssOperand = mem && (base == RSP || base == RBP) && load<u8>(DEC + D_SEG) == 0;
  const op = <u32>load<u16>(DEC + D_OP);
  if (!implicitStack(op, dReg() & 7)) return ssOperand;
  if (!mem || ssOperand) return true;
  if (op == 0x8f) {
    // pop r/m reads the stack before it writes the operand
    const sp = reg64(RSP);
    return !canonical(sp) || !canonical(sp + <u64>(stackSize() - 1));
  }
  // push/call through memory read the operand first: the stack faulted if the operand is fine.
  const a = ea();
  return canonical(a) && canonical(a + 15);
}

// Pop without committing RSP; the caller commits with popCommit once nothing else can fault.
export function popPeek(size: u32, at: u64): u64 {
  return rdN(reg64(RSP) + at, size);
}

export function popCommit(bytes: u64): void {
  setReg64(RSP, reg64(RSP) + bytes);
}

function jumpRel(taken: bool): void {
  if (taken) setNrip(nrip + imm());
}

export function execute(): void {
  const h = <u32>load<u8>(DEC + D_HANDLER);
  if (h != 0) {
    setNrip(execFast(DEC, h, nrip));
    return;
  }
  const op: u32 = load<u16>(DEC + D_OP);
  if (op >= 0x100) {
    exec0F(op);
    return;
  }
  // ALU block 00-3F.
  if (op < 0x40 && (op & 7) < 6) {
    const aop = op >> 3;
    switch (op & 7) {
      case 0: { // Eb, Gb
        const a = aop == 7 ? rmRead(1) : rmwRead(1);
        if (faulted) return;
        const r = alu(aop, 1, a, getReg(dReg(), 1));
        if (aop != 7) rmwWrite(1, r);
        return;
      }
      case 1: {
        const s = opsize();
        const a = aop == 7 ? rmRead(s) : rmwRead(s);
        if (faulted) return;
        const r = alu(aop, s, a, getReg(dReg(), s));
        if (aop != 7) rmwWrite(s, r);
        return;
      }
      case 2: {
        const b = rmRead(1);
        if (faulted) return;
        const r = alu(aop, 1, getReg(dReg(), 1), b);
        if (aop != 7) setReg(dReg(), 1, r);
        return;
      }
      case 3: {
        const s = opsize();
        const b = rmRead(s);
        if (faulted) return;
        const r = alu(aop, s, getReg(dReg(), s), b);
        if (aop != 7) setReg(dReg(), s, r);
        return;
      }
      case 4: {
        const r = alu(aop, 1, getReg(RAX, 1), imm());
        if (aop != 7) setReg(RAX, 1, r);
        return;
      }
      default: {
        const s = opsize();
        const r = alu(aop, s, getReg(RAX, s), imm());
        if (aop != 7) setReg(RAX, s, r);
        return;
      }
    }
  }
  switch (op) {
    case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57: {
      const r = (op & 7) | ((<u32>load<u8>(DEC + D_REX) & 1) << 3);
      const s = stackSize();
      push(s, getReg(r, s));
      return;
    }
    case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f: {
      const r = (op & 7) | ((<u32>load<u8>(DEC + D_REX) & 1) << 3);
      const s = stackSize();
      const v = popPeek(s, 0);
      if (faulted) return;
      popCommit(s);
      setReg(r, s, v);
      return;
    }
    case 0x63: { // movsxd
      const s = opsize();
      const v = rmRead(4);
      if (faulted) return;
      setReg(dReg(), s, s == 8 ? signExtend(v, 4) : v);
      return;
    }
    case 0x68: case 0x6a: {
      const s = stackSize();
      push(s, imm());
      return;
    }
    case 0x69: case 0x6b: {
      const s = opsize();
      const a = rmRead(s);
      if (faulted) return;
      setReg(dReg(), s, imul2(s, a, imm()));
      return;
    }
    case 0x6c: case 0x6d: case 0x6e: case 0x6f:
    case 0xe4: case 0xe5: case 0xe6: case 0xe7:
    case 0xec: case 0xed: case 0xee: case 0xef:
      privIo(op);
      return;
    case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
    case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f:
      jumpRel(cond(op & 15));
      return;
    case 0x80: case 0x81: case 0x83: {
      const s = op == 0x80 ? 1 : opsize();
      const aop = dReg() & 7;
      const a = aop == 7 ? rmRead(s) : rmwRead(s);
      if (faulted) return;
      const r = alu(aop, s, a, imm());
      if (aop != 7) rmwWrite(s, r);
      return;
    }
    case 0x84: case 0x85: {
      const s = op == 0x84 ? 1 : opsize();
      const a = rmRead(s);
      if (faulted) return;
      alu(4, s, a, getReg(dReg(), s));
      return;
    }
    case 0x86: case 0x87: {
      const s = op == 0x86 ? 1 : opsize();
      const a = rmwRead(s);
      if (faulted) return;
      const b = getReg(dReg(), s);
      rmwWrite(s, b);
      if (faulted) return;
      setReg(dReg(), s, a);
      return;
    }
    case 0x88: rmWrite(1, getReg(dReg(), 1)); return;
    case 0x89: { const s = opsize(); rmWrite(s, getReg(dReg(), s)); return; }
    case 0x8a: {
      const v = rmRead(1);
      if (faulted) return;
      setReg(dReg(), 1, v);
      return;
    }
    case 0x8b: {
      const s = opsize();
      const v = rmRead(s);
      if (faulted) return;
      setReg(dReg(), s, v);
      return;
    }
    case 0x8c: { // mov r/m, Sreg
      const sr = dReg() & 7;
      if (sr > 5) { raise(EXC_UD, -1); return; }
      const v = <u64>load<u16>(SEL + (sr << 1));
      if (dMod() == 3) setReg(dRm(), opsize() == 2 ? 2 : opsize(), v);
      else wrN(ea(), 2, v);
      return;
    }
    case 0x8d: {
      if (dMod() == 3) { raise(EXC_UD, -1); return; }
      setReg(dReg(), opsize(), eaNoSeg());
      return;
    }
    case 0x8e: { // mov Sreg, r/m
      const v = rmRead(2);
      if (faulted) return;
      loadSegment(dReg() & 7, <u32>v);
      return;
    }
    case 0x8f: { // pop r/m
      const s = stackSize();
      const v = popPeek(s, 0);
      if (faulted) return;
      if (dMod() == 3) {
        popCommit(s);
        setReg(dRm(), s, v);
        return;
      }
      // The address is computed with RSP already incremented.
      const old = reg64(RSP);
      setReg64(RSP, old + <u64>s);
      wrN(ea(), s, v);
      if (faulted) setReg64(RSP, old);
      return;
    }
    case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97: {
      const r = (op & 7) | ((<u32>load<u8>(DEC + D_REX) & 1) << 3);
      if (r == 0) {
        if (opsize() == 4) {} // nop (and pause): no zero-extension of RAX
        return;
      }
      const s = opsize();
      const a = getReg(RAX, s);
      setReg(RAX, s, getReg(r, s));
      setReg(r, s, a);
      return;
    }
    case 0x98: {
      const s = opsize();
      if (s == 8) setReg64(RAX, signExtend(getReg(RAX, 4), 4));
      else if (s == 4) setReg(RAX, 4, signExtend(getReg(RAX, 2), 2));
      else setReg(RAX, 2, signExtend(getReg(RAX, 1), 1));
      return;
    }
    case 0x99: {
      const s = opsize();
      const neg = (getReg(RAX, s) >> <u64>((s << 3) - 1)) & 1;
      setReg(RDX, s, neg != 0 ? <u64>-1 : 0);
      return;
    }
    case 0x9b: x87Wait(); return; // fwait: #NM with CR0.TS, #MF for a pending x87 exception
    case 0x9c: { // pushf
      const s = stackSize();
      push(s, (getRflags() & ~(<u64>0x30000)) & privPushfMask());
      return;
    }
    case 0x9d: {
      const s = stackSize();
      const v = popPeek(s, 0);
      if (faulted) return;
      popCommit(s);
      privPopf(v, s);
      return;
    }
    case 0x9e: { // sahf
      const ah = (reg64(RAX) >> 8) & 0xff; // AH, even with a REX prefix
      const f = getRflags();
      setRflags((f & ~(SF | ZF | AF | PF | CF)) | (ah & (SF | ZF | AF | PF | CF)));
      return;
    }
    case 0x9f: { // lahf
      const f = getRflags() & 0xff;
      store<u8>(REGS + 1, <u8>(f | 2)); // AH
      return;
    }
    case 0xa0: case 0xa1: { // mov al/rAX, moffs
      const s = op == 0xa0 ? 1 : opsize();
      const v = rdN(imm() + segBase(), s);
      if (faulted) return;
      setReg(RAX, s, v);
      return;
    }
    case 0xa2: case 0xa3: {
      const s = op == 0xa2 ? 1 : opsize();
      wrN(imm() + segBase(), s, getReg(RAX, s));
      return;
    }
    case 0xa4: stringOp(0, 1); return;
    case 0xa5: stringOp(0, opsize()); return;
    case 0xa6: stringOp(1, 1); return;
    case 0xa7: stringOp(1, opsize()); return;
    case 0xa8: alu(4, 1, getReg(RAX, 1), imm()); return;
    case 0xa9: { const s = opsize(); alu(4, s, getReg(RAX, s), imm()); return; }
    case 0xaa: stringOp(2, 1); return;
    case 0xab: stringOp(2, opsize()); return;
    case 0xac: stringOp(3, 1); return;
    case 0xad: stringOp(3, opsize()); return;
    case 0xae: stringOp(4, 1); return;
    case 0xaf: stringOp(4, opsize()); return;
    case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7: {
      const r = (op & 7) | ((<u32>load<u8>(DEC + D_REX) & 1) << 3);
      setReg(r, 1, imm());
      return;
    }
    case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf: {
      const r = (op & 7) | ((<u32>load<u8>(DEC + D_REX) & 1) << 3);
      setReg(r, opsize(), imm());
      return;
    }
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      const s = (op & 1) == 0 ? 1 : opsize();
      const count = op <= 0xc1 ? imm() : op <= 0xd1 ? 1 : getReg(RCX, 1);
      const a = rmwRead(s);
      if (faulted) return;
      rmwWrite(s, shift(dReg() & 7, s, a, count));
      return;
    }
    case 0xc2: case 0xc3: { // ret [imm16]
      const s = stackSize();
      const target = popPeek(s, 0);
      if (faulted) return;
      if (!canonical(target)) { raiseGP0(); return; }
      popCommit(<u64>s + (op == 0xc2 ? imm() : 0));
      setNrip(target);
      return;
    }
    case 0xc6: case 0xc7: {
      if ((dReg() & 7) != 0) { raise(EXC_UD, -1); return; }
      const s = op == 0xc6 ? 1 : opsize();
      rmWrite(s, imm());
      return;
    }
    case 0xc8: { enter(); return; }
    case 0xc9: { // leave
      const s = stackSize();
      const bp = reg64(RBP);
      const v = rdN(bp, s);
      if (faulted) return;
      setReg64(RSP, bp + <u64>s);
      setReg(RBP, s, v);
      return;
    }
    case 0xca: case 0xcb: { // far return
      const s = opsize();
      const target = popPeek(s, 0);
      const cs = popPeek(s, <u64>s);
      if (faulted) return;
      if (!farTargetOk(<u32>cs)) return;
      popCommit(<u64>(2 * s) + (op == 0xca ? imm() : 0));
      store<u16>(SEL + 2, <u16>cs);
      setNrip(s == 4 ? target & 0xffffffff : target);
      return;
    }
    case 0xcc: raise(EXC_BP, -1); trapAfter(); return;
    case 0xcd: privInt(<u32>imm() & 0xff); return;
    case 0xcf: privIret(opsize()); return;
    case 0xd7: { // xlat
      const am: u64 = load<u8>(DEC + 4) == 4 ? 0xffffffff : <u64>-1;
      const v = rdN(((reg64(RBX) + getReg(RAX, 1)) & am) + segBase(), 1);
      if (faulted) return;
      setReg(RAX, 1, v);
      return;
    }
    case 0xd8: case 0xd9: case 0xda: case 0xdb: case 0xdc: case 0xdd: case 0xde: case 0xdf:
      execX87(op);
      return;
    case 0xe0: case 0xe1: case 0xe2: { // loopne, loope, loop
      const am: u64 = load<u8>(DEC + 4) == 4 ? 0xffffffff : <u64>-1;
      const c = (reg64(RCX) - 1) & am;
      if (am == <u64>-1) setReg64(RCX, c); else setReg(RCX, 4, c);
      let taken = c != 0;
      if (op == 0xe0) taken = taken && !cond(4);
      else if (op == 0xe1) taken = taken && cond(4);
      jumpRel(taken);
      return;
    }
    case 0xe3: {
      const am: u64 = load<u8>(DEC + 4) == 4 ? 0xffffffff : <u64>-1;
      jumpRel((reg64(RCX) & am) == 0);
      return;
    }
    case 0xe8: {
      if (!push(8, nrip)) return;
      setNrip(nrip + imm());
      return;
    }
    case 0xe9: case 0xeb: setNrip(nrip + imm()); return;
    case 0xf1: raise(EXC_DB, -1); trapAfter(); return;
    case 0xf4: privHlt(); return;
    case 0xf5: { const f = getRflags(); setRflags(f ^ CF); return; }
    case 0xf6: case 0xf7: group3(op == 0xf6 ? 1 : opsize()); return;
    case 0xf8: setArith(CF, 0); return;
    case 0xf9: setArith(CF, CF); return;
    case 0xfa: privCliSti(false); return;
    case 0xfb: privCliSti(true); return;
    case 0xfc: { const f = getRflags(); setRflags(f & ~DF); return; }
    case 0xfd: { const f = getRflags(); setRflags(f | DF); return; }
    case 0xfe: {
      const r = dReg() & 7;
      if (r > 1) { raise(EXC_UD, -1); return; }
      const a = rmwRead(1);
      if (faulted) return;
      rmwWrite(1, r == 0 ? inc(1, a) : dec(1, a));
      return;
    }
    case 0xff: group5(); return;
    default:
      raise(EXC_UD, -1);
      return;
  }
}

// int3/int1 are traps: the frame's RIP is the next instruction.
function trapAfter(): void {
  store<u64>(RIP, nrip);
}

function enter(): void {
  const s = stackSize();
  const frame = imm();
  const level = load<u64>(DEC + D_IMM2) & 31;
  const bp = reg64(RBP);
  let sp = reg64(RSP) - <u64>s;
  wrN(sp, s, bp);
  if (faulted) return;
  const frameTemp = sp;
  if (level > 0) {
    for (let i: u64 = 1; i < level; i++) {
      const v = rdN(bp - i * <u64>s, s);
      if (faulted) return;
      sp -= <u64>s;
      wrN(sp, s, v);
      if (faulted) return;
    }
    sp -= <u64>s;
    wrN(sp, s, frameTemp);
    if (faulted) return;
  }
  sp -= frame;
  // A write of the operand size at the final stack pointer must not fault (SDM ENTER,
  // #PF: "a write using the final value of the stack pointer would cause a page fault").
  if (frame != 0 && !probeWrite(sp, s)) return;
  setReg(RBP, s, frameTemp);
  setReg64(RSP, sp);
}

function group3(s: u32): void {
  const r = dReg() & 7;
  switch (r) {
    case 0: case 1: {
      const a = rmRead(s);
      if (faulted) return;
      alu(4, s, a, imm());
      return;
    }
    case 2: {
      const a = rmwRead(s);
      if (faulted) return;
      rmwWrite(s, ~a & sizeMask(s));
      return;
    }
    case 3: {
      const a = rmwRead(s);
      if (faulted) return;
      rmwWrite(s, neg(s, a));
      return;
    }
    case 4: case 5: {
      const b = rmRead(s);
      if (faulted) return;
      const lo = mul1(r == 5, s, getReg(RAX, s), b);
      if (s == 1) setReg(RAX, 2, lo | (mulHigh << 8));
      else {
        setReg(RAX, s, lo);
        setReg(RDX, s, mulHigh);
      }
      return;
    }
    default: {
      const d = rmRead(s);
      if (faulted) return;
      let hi: u64;
      let lo: u64;
      if (s == 1) {
        const ax = getReg(RAX, 2);
        hi = ax >> 8;
        lo = ax & 0xff;
      } else {
        hi = getReg(RDX, s);
        lo = getReg(RAX, s);
      }
      if (!div(r == 7, s, hi, lo, d)) return;
      if (s == 1) setReg(RAX, 2, (divQ & 0xff) | ((divR & 0xff) << 8));
      else {
        setReg(RAX, s, divQ);
        setReg(RDX, s, divR);
      }
      return;
    }
  }
}

function group5(): void {
  const r = dReg() & 7;
  switch (r) {
    case 0: case 1: {
      const s = opsize();
      const a = rmwRead(s);
      if (faulted) return;
      rmwWrite(s, r == 0 ? inc(s, a) : dec(s, a));
      return;
    }
    case 2: { // call near indirect (64-bit operand)
      const t = rmRead(8);
      if (faulted) return;
      // A non-canonical target is #GP on the call, after the push's own checks (as on this
      // machine's processor) and with nothing pushed.
      if (!canonical(t)) {
        if (probeWrite(reg64(RSP) - 8, 8)) raiseGP0();
        return;
      }
      if (!push(8, nrip)) return;
      setNrip(t);
      return;
    }
    case 4: {
      const t = rmRead(8);
      if (faulted) return;
      if (!canonical(t)) { raiseGP0(); return; } // #GP on the jmp, not at the target
      setNrip(t);
      return;
    }
    case 6: {
      const s = stackSize();
      const v = rmRead(s);
      if (faulted) return;
      push(s, v);
      return;
    }
    case 3: case 5: { // far call/jmp through memory
      if (dMod() == 3) { raise(EXC_UD, -1); return; }
      const s = opsize();
      const a = ea();
      const target = rdN(a, s);
      const cs = rd16(a + <u64>s);
      if (faulted) return;
      if (!farTargetOk(<u32>cs)) return;
      if (r == 3) {
        if (!push(s, <u64>load<u16>(SEL + 2))) return;
        if (!push(s, nrip)) { setReg64(RSP, reg64(RSP) + <u64>s); return; }
      }
      store<u16>(SEL + 2, <u16>cs);
      setNrip(s == 4 ? target & 0xffffffff : target);
      return;
    }
    default:
      raise(EXC_UD, -1);
      return;
  }
}

// The new CS of a far transfer: a code segment of the guest's GDT (or Xen's flat selectors),
// checked as the CPU does. Compatibility-mode (32-bit) code is not emulated: such a target
// gets #GP(selector).
export function farTargetOk(cs: u32): bool {
  if (!codeSelectorOk(cs)) return false;
  if (!segLoadLong) {
    raise(13, <i32>(cs & 0xfffc)); // #GP(selector)
    return false;
  }
  return true;
}

// mov to a segment register: the selector is checked against the vCPU's GDT (set_gdt), its
// LDT and Xen's reserved entries as the hardware checks it at CPL 3 (mm/gdt.ts).
export function loadSegment(sr: u32, sel: u32): void {
  if (sr == 1 || sr > 5) { raise(EXC_UD, -1); return; }
  if (!segmentLoadOk(sr, sel)) return;
  store<u16>(SEL + (sr << 1), <u16>sel);
  // FS and GS take the descriptor's 32-bit base (zero for null and Xen's flat selectors).
  if (sr == 4) store<u64>(FS_BASE, segLoadBase);
  else if (sr == 5) store<u64>(GS_BASE, segLoadBase);
}
