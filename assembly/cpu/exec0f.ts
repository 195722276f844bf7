// The executor for two- and three-byte (0F) integer opcodes; SSE forms go to sse.ts.
import { DEC, SEL, CR0 } from "../layout";
import { D_OSIZE, D_IMM, D_REP, D_REX, D_P66, D_MODRM, MAP_0F38, MAP_0F3A } from "./decode";
import {
  nrip, setNrip, reg64, setReg64, getReg, setReg, rmRead, rmWrite, rmwRead, rmwWrite, ea,
  dReg, dRm, dMod, RAX, RCX, RDX, RBX,
} from "./regs";
import { rdN, wrN, rd64, wr64, probeWrite, faulted, raise, raiseGP0, EXC_UD } from "./mem";
import { cond, getRflags, setRflags, sizeMask, CF, ZF, ARITH } from "./flags";
import { alu, shiftDouble, imul2, bitOp, bitScan, signExtend, setLogicFlags } from "./alu";
import { execSSE } from "./sse";
import { execX87Emms } from "./x87";
import { push, popPeek, popCommit, loadSegment } from "./exec";
import {
  privSyscall, privClts, privUd2, privMovCr, privMovDr, privMsr, privRdtsc, privCpuid, privSgdt,
} from "./priv";

@inline function opsize(): u32 {
  return load<u8>(DEC + D_OSIZE);
}

@inline function imm(): u64 {
  return load<u64>(DEC + D_IMM);
}

@inline function stackSize(): u32 {
  return load<u8>(DEC + D_P66) != 0 && (load<u8>(DEC + D_REX) & 8) == 0 ? 2 : 8;
}

export function exec0F(op: u32): void {
  if (op >= MAP_0F38) {
    if (!execSSE(op)) raise(EXC_UD, -1);
    return;
  }
  const b = op & 0xff;
  if (b >= 0x40 && b <= 0x4f) { // cmovcc: the operand is read either way; r32 always zero-extends
    const s = opsize();
    const v = rmRead(s);
    if (faulted) return;
    setReg(dReg(), s, cond(b & 15) ? v : getReg(dReg(), s));
    return;
  }
  if (b >= 0x80 && b <= 0x8f) {
    if (cond(b & 15)) setNrip(nrip + imm());
    return;
  }
  if (b >= 0x90 && b <= 0x9f) {
    rmWrite(1, cond(b & 15) ? 1 : 0);
    return;
  }
  if (b >= 0xc8 && b <= 0xcf) { // bswap
    const r = (b & 7) | ((<u32>load<u8>(DEC + D_REX) & 1) << 3);
    const s = opsize();
    if (s == 8) setReg64(r, bswap<u64>(reg64(r)));
    else if (s == 4) setReg(r, 4, <u64>bswap<u32>(<u32>reg64(r)));
    else setReg(r, 2, 0); // 16-bit bswap is undefined; hardware clears the word
    return;
  }
  switch (b) {
    case 0x00: group6(); return;
    case 0x01: group7(); return;
    case 0x02: case 0x03: { // lar/lsl: no descriptor is accessible this way from a PV guest
      rmRead(2);
      if (faulted) return;
      setRflags(getRflags() & ~ZF);
      return;
    }
    case 0x05: privSyscall(); return;
    case 0x06: privClts(); return;
    case 0x07: raiseGP0(); return; // sysret from ring 3
    case 0x08: case 0x09: raiseGP0(); return; // invd/wbinvd: privileged
    case 0x0b: privUd2(); return;
    case 0x0d: case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
      return; // prefetch and hint nops (no memory access)
    case 0x20: case 0x22: privMovCr(b == 0x22); return;
    case 0x21: case 0x23: privMovDr(b == 0x23); return;
    case 0x30: privMsr(true); return;
    case 0x31: privRdtsc(false); return;
    case 0x32: privMsr(false); return;
    case 0x33: raiseGP0(); return; // rdpmc
    case 0x34: case 0x35: raise(EXC_UD, -1); return; // sysenter/sysexit are #UD in long mode (AMD)
    case 0x77: execX87Emms(); return;
    case 0xa0: case 0xa8: { // push fs/gs
      const s = stackSize();
      push(s, <u64>load<u16>(SEL + (b == 0xa0 ? 8 : 10)));
      return;
    }
    case 0xa1: case 0xa9: {
      const s = stackSize();
      const v = popPeek(s, 0);
      if (faulted) return;
      loadSegment(b == 0xa1 ? 4 : 5, <u32>v & 0xffff);
      if (faulted) return;
      popCommit(s);
      return;
    }
    case 0xa2: privCpuid(); return;
    case 0xa3: case 0xab: case 0xb3: case 0xbb: {
      const s = opsize();
      const bop: u32 = b == 0xa3 ? 0 : b == 0xab ? 1 : b == 0xb3 ? 2 : 3;
      const bit = getReg(dReg(), s);
      if (dMod() == 3) {
        const v = getReg(dRm(), s);
        const r = bitOp(bop, s, v, bit);
        if (bop != 0) setReg(dRm(), s, r);
        return;
      }
      // Memory bit string: the signed offset selects the operand-sized word.
      const bits = <i64>(s << 3);
      const sbit = <i64>signExtend(bit, s);
      const word = sbit >> (s == 8 ? 6 : s == 4 ? 5 : 4);
      const addr = ea() + <u64>(word * <i64>s);
      if (bop != 0 && !probeWrite(addr, s)) return;
      const v = rdN(addr, s);
      if (faulted) return;
      const r = bitOp(bop, s, v, <u64>(sbit & (bits - 1)));
      if (bop != 0) wrN(addr, s, r);
      return;
    }
    case 0xba: { // group 8: bt/bts/btr/btc with imm8
      const r = dReg() & 7;
      if (r < 4) { raise(EXC_UD, -1); return; }
      const s = opsize();
      const v = r == 4 ? rmRead(s) : rmwRead(s);
      if (faulted) return;
      const res = bitOp(r - 4, s, v, imm());
      if (r != 4) rmwWrite(s, res);
      return;
    }
    case 0xa4: case 0xa5: case 0xac: case 0xad: {
      const s = opsize();
      const count = (b & 1) == 0 ? imm() : getReg(RCX, 1);
      const a = rmwRead(s);
      if (faulted) return;
      rmwWrite(s, shiftDouble(b < 0xa8, s, a, getReg(dReg(), s), count));
      return;
    }
    case 0xae: group15(); return;
    case 0xaf: {
      const s = opsize();
      const v = rmRead(s);
      if (faulted) return;
      setReg(dReg(), s, imul2(s, getReg(dReg(), s), v));
      return;
    }
    case 0xb0: case 0xb1: { // cmpxchg
      const s = b == 0xb0 ? 1 : opsize();
      const d = rmwRead(s);
      if (faulted) return;
      const acc = getReg(RAX, s);
      alu(7, s, acc, d);
      if (acc == d) rmwWrite(s, getReg(dReg(), s));
      else {
        // A memory destination is written back unchanged; a register one is left alone
        // (AMD: a 32-bit register destination keeps its upper half).
        if (dMod() != 3) {
          rmwWrite(s, d);
          if (faulted) return;
        }
        setReg(RAX, s, d);
      }
      return;
    }
    case 0xb6: case 0xb7: {
      const v = rmRead(b == 0xb6 ? 1 : 2);
      if (faulted) return;
      setReg(dReg(), opsize(), v);
      return;
    }
    case 0xbe: case 0xbf: {
      const ss: u32 = b == 0xbe ? 1 : 2;
      const v = rmRead(ss);
      if (faulted) return;
      setReg(dReg(), opsize(), signExtend(v, ss));
      return;
    }
    case 0xb8: { // popcnt (F3 0F B8)
      if (load<u8>(DEC + D_REP) != 3) { raise(EXC_UD, -1); return; }
      const s = opsize();
      const v = rmRead(s);
      if (faulted) return;
      const r = <u64>popcnt<u64>(v & sizeMask(s));
      setReg(dReg(), s, r);
      setRflags((getRflags() & ~ARITH) | (r == 0 ? ZF : 0));
      return;
    }
    case 0xbc: case 0xbd: { // bsf/bsr (F3 forms run as bsf/bsr: tzcnt/lzcnt are not advertised)
      const s = opsize();
      const v = rmRead(s);
      if (faulted) return;
      const r = bitScan(b == 0xbd, s, v);
      if (r >= 0) setReg(dReg(), s, <u64>r);
      return;
    }
    case 0xc0: case 0xc1: { // xadd
      const s = b == 0xc0 ? 1 : opsize();
      const d = rmwRead(s);
      if (faulted) return;
      const src = getReg(dReg(), s);
      const sum = alu(0, s, d, src);
      rmwWrite(s, sum);
      if (faulted) return;
      if (dMod() != 3 || dRm() != dReg()) setReg(dReg(), s, d);
      return;
    }
    case 0xc7: group9(); return;
    case 0xb9: case 0xff: raise(EXC_UD, -1); return; // ud1/ud0
    default:
      if (!execSSE(op)) raise(EXC_UD, -1);
      return;
  }
}

function group6(): void {
  const r = dReg() & 7;
  if (r == 0 || r == 1) { // sldt/str: a PV guest has neither
    if (dMod() == 3) setReg(dRm(), opsize(), 0);
    else wrN(ea(), 2, 0);
    return;
  }
  if (r == 4 || r == 5) { // verr/verw
    const v = rmRead(2);
    if (faulted) return;
    const ok = (v & 3) == 3 && (v & 0xfffc) != 0;
    setRflags((getRflags() & ~ZF) | (ok ? ZF : 0));
    return;
  }
  raiseGP0();
}

function group7(): void {
  const modrm = <u32>load<u8>(DEC + D_MODRM);
  if (dMod() == 3) {
    if (modrm == 0xf9) { privRdtsc(true); return; } // rdtscp
    if (modrm == 0xf8) { raiseGP0(); return; } // swapgs
    if (modrm == 0xd0) { raise(EXC_UD, -1); return; } // xgetbv: XSAVE not advertised
    raise(EXC_UD, -1);
    return;
  }
  const r = dReg() & 7;
  if (r == 0 || r == 1) { privSgdt(r == 1); return; }
  if (r == 4) { // smsw
    wrN(ea(), 2, load<u64>(CR0) & 0xffff);
    return;
  }
  raiseGP0(); // lgdt lidt lmsw invlpg: privileged
}

function group9(): void {
  const r = dReg() & 7;
  if (r == 1 && dMod() != 3) { // cmpxchg8b / cmpxchg16b
    const wide = (load<u8>(DEC + D_REX) & 8) != 0;
    const a = ea();
    if (wide) {
      if ((a & 15) != 0) { raiseGP0(); return; }
      if (!probeWrite(a, 16)) return;
      const lo = rd64(a);
      const hi = rd64(a + 8);
      if (faulted) return;
      if (lo == reg64(RAX) && hi == reg64(RDX)) {
        wr64(a, reg64(RBX));
        wr64(a + 8, reg64(RCX));
        setRflags(getRflags() | ZF);
      } else {
        wr64(a, lo);
        wr64(a + 8, hi);
        setReg64(RAX, lo);
        setReg64(RDX, hi);
        setRflags(getRflags() & ~ZF);
      }
      return;
    }
    if (!probeWrite(a, 8)) return;
    const m = rd64(a);
    if (faulted) return;
    const cmp = (getReg(RDX, 4) << 32) | getReg(RAX, 4);
    if (m == cmp) {
      wr64(a, (getReg(RCX, 4) << 32) | getReg(RBX, 4));
      setRflags(getRflags() | ZF);
    } else {
      wr64(a, m);
      setReg(RAX, 4, m & 0xffffffff);
      setReg(RDX, 4, m >> 32);
      setRflags(getRflags() & ~ZF);
    }
    return;
  }
  raise(EXC_UD, -1); // rdrand/rdseed/rdpid are not advertised
}

function group15(): void {
  const r = dReg() & 7;
  if (dMod() == 3) {
    if (load<u8>(DEC + D_REP) == 3) { raise(EXC_UD, -1); return; } // rd/wr fs/gs base: not advertised
    if (r == 5 || r == 6 || r == 7) return; // lfence, mfence, sfence
    raise(EXC_UD, -1);
    return;
  }
  if (r == 7) { // clflush: the line must be addressable
    rdN(ea(), 1);
    return;
  }
  if (!execSSE(0x1ae)) raise(EXC_UD, -1);
}
