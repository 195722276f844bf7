// String instructions (movs, stos, lods, cmps, scas, with rep/repe/repne). Each iteration
// commits RSI/RDI/RCX, so a fault part-way leaves a restartable state; long repeats are cut
// into chunks by leaving RIP on the instruction.
import { DEC, RIP } from "../layout";
import { D_REP, D_ASIZE } from "./decode";
import { reg64, setReg64, getReg, setReg, segBase, setNrip, RAX, RCX, RSI, RDI } from "./regs";
import { rdN, wrN, faulted } from "./mem";
import { getRflags, DF, ZF, arithFlags } from "./flags";
import { alu } from "./alu";

const CHUNK: u32 = 4096;

@inline function addrMask(): u64 {
  return load<u8>(DEC + D_ASIZE) == 4 ? <u64>0xffffffff : <u64>-1;
}

function advance(r: u32, delta: u64, am: u64): void {
  if (am == <u64>-1) setReg64(r, reg64(r) + delta);
  else setReg64(r, (reg64(r) + delta) & am);
}

// kind: 0 movs, 1 cmps, 2 stos, 3 lods, 4 scas
export function stringOp(kind: u32, size: u32): void {
  const rep = load<u8>(DEC + D_REP);
  const am = addrMask();
  const delta: u64 = (getRflags() & DF) != 0 ? 0 - <u64>size : <u64>size;
  const sbase = segBase();
  if (rep == 0) {
    stringOnce(kind, size, am, delta, sbase);
    return;
  }
  let n: u32 = 0;
  while (true) {
    const cnt = reg64(RCX) & am;
    if (cnt == 0) return;
    stringOnce(kind, size, am, delta, sbase);
    if (faulted) return;
    advance(RCX, <u64>-1, am);
    if (kind == 1 || kind == 4) {
      const zf = (arithFlags() & ZF) != 0;
      if (rep == 3 && !zf) return; // repe: stop on mismatch
      if (rep == 2 && zf) return; // repne: stop on match
    }
    n++;
    if (n >= CHUNK && (reg64(RCX) & am) != 0) {
      // Come back to this instruction to continue (pending events can be taken in between).
      setNrip(load<u64>(RIP));
      return;
    }
  }
}

function stringOnce(kind: u32, size: u32, am: u64, delta: u64, sbase: u64): void {
  const si = (reg64(RSI) & am) + sbase;
  const di = reg64(RDI) & am;
  switch (kind) {
    case 0: {
      const v = rdN(si, size);
      if (faulted) return;
      wrN(di, size, v);
      if (faulted) return;
      advance(RSI, delta, am);
      advance(RDI, delta, am);
      break;
    }
    case 1: {
      const a = rdN(si, size);
      if (faulted) return;
      const b = rdN(di, size);
      if (faulted) return;
      alu(7, size, a, b);
      advance(RSI, delta, am);
      advance(RDI, delta, am);
      break;
    }
    case 2: {
      wrN(di, size, getReg(RAX, size));
      if (faulted) return;
      advance(RDI, delta, am);
      break;
    }
    case 3: {
      const v = rdN(si, size);
      if (faulted) return;
      setReg(RAX, size, v);
      advance(RSI, delta, am);
      break;
    }
    default: {
      const b = rdN(di, size);
      if (faulted) return;
      alu(7, size, getReg(RAX, size), b);
      advance(RDI, delta, am);
      break;
    }
  }
}
