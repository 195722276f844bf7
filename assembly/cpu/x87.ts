// x87 floating point: decoding of the D8..DF opcodes, the #NM/#MF checks, and the entry
// points the rest of the CPU calls (emms, fwait, fxsave/fxrstor's x87 part, reset).
//
// State (the 512-byte FPU area of the vCPU, see x87_state.ts for the accessors):
//   +0   u16 FCW            +2  u16 FSW (TOP in bits 13:11; ES and B kept equal to
//                                "an unmasked exception flag is set")
//   +4   u8  tag bits (bit i set: physical register i holds a value; the FXSAVE abridged
//             tag word; the full 2-bit tags are derived from the contents when stored)
//   +6   u16 FOP (11 bits)  +8  u64 FIP   +16 u64 FDP   +24 u16 FCS   +26 u16 FDS
//   +32  R0..R7, physical order, 16 bytes each: u64 significand, u16 sign/exponent
//   +256 staging buffer for fldenv/frstor images (108 bytes)
// The first 24 bytes follow the FXSAVE layout so an image is mostly a copy.
//
// Arithmetic is exact 80-bit software floating point (x87_fp.ts, x87_conv.ts, x87_scale.ts);
// the transcendental instructions (x87_trans.ts) are accurate but not bit-exact.
import { DEC } from "../layout";
import { D_P66, D_LOCK } from "./decode";
import { dMod, dReg, dRm, ea, setReg, RAX } from "./regs";
import { rd16, rd32, rd64, wr16, raise, faulted, EXC_UD, EXC_NM, EXC_MF } from "./mem";
import { vc, VC_FPU_TS } from "../domain/domain";
import { fromF32, fromF64, fromInt, cSig, cSE } from "./x87_conv";
import { fcw, fsw, setFcw, noteInsn, SW_ES } from "./x87_state";
import { arithMem, arithReg, compareReg, ftst, fxam, fchs, fabs, fsqrt, frndint, fldConst } from "./x87_arith";
import {
  fldF32, fldF64, fldRaw, fldSt, fildInt, fbld, storeSt0, fstSt, fxch, fcmov, ffree, fincdec,
  ST_F32, ST_F64, ST_F80, ST_I16, ST_I32, ST_I64, ST_BCD,
} from "./x87_move";
import { fninit, fnclex, emms, fnstenv, fldenv, fnsave, frstor, initAt, saveImage, restoreImage } from "./x87_env";
import { fprem, fscale, fxtract } from "./x87_scale";
import { f2xm1, fyl2x, fyl2xp1, fptan, fpatan, fsin, fcos, fsincos } from "./x87_trans";

// ---- entry points ----

export function execX87(op: u32): void {
  const mod = dMod();
  const reg = dReg() & 7;
  const rm = dRm() & 7;
  if (undefinedForm(op, mod, reg, rm) || load<u8>(DEC + D_LOCK) != 0) {
    raise(EXC_UD, -1);
    return;
  }
  if (!available()) return;
  if (mod != 3) {
    if (!noWaitMem(op, reg) && !noPending()) return;
    execMem(op, reg);
  } else {
    if (!noWaitReg(op, reg) && !noPending()) return;
    execReg(op, reg, rm);
  }
}

// 0F 77 emms: every register empty (and TOP = 0, as on the reference processor).
export function execX87Emms(): void {
  if (load<u8>(DEC + D_LOCK) != 0) {
    raise(EXC_UD, -1);
    return;
  }
  if (!available() || !noPending()) return;
  emms();
}

// 9B fwait: #NM when the guest's CR0.TS is set, #MF when an unmasked exception is pending.
export function x87Wait(): void {
  if (!available()) return;
  noPending();
}

// The fninit state for the loaded vCPU, or for a vCPU save area (its CPU block) at `save`.
export function x87Init(): void {
  fninit();
}

export function x87InitSaved(cpuBlock: u32): void {
  initAt(cpuBlock + 0x300);
}

// FXSAVE image bytes 0..23 and 32..159 at host address hostAddr. wide: REX.W form.
export function x87Save(hostAddr: u32, wide: bool = true): void {
  saveImage(hostAddr, wide);
}

// Load the x87 part of an FXSAVE image; false if it is invalid (no x87 field makes it so).
export function x87Restore(hostAddr: u32, wide: bool = true): bool {
  return restoreImage(hostAddr, wide);
}

// ---- checks ----

// #NM while the guest kernel has CR0.TS set (lazy FPU switching).
function available(): bool {
  if (load<u32>(vc() + VC_FPU_TS) != 0) {
    raise(EXC_NM, -1);
    return false;
  }
  return true;
}

// #MF before a waiting instruction when an earlier one left an unmasked exception pending.
function noPending(): bool {
  if ((fsw() & SW_ES) == 0) return true;
  raise(EXC_MF, -1);
  return false;
}

function undefinedForm(op: u32, mod: u32, reg: u32, rm: u32): bool {
  if (mod != 3) {
    switch (op) {
      case 0xd9: return reg == 1;
      case 0xdb: return reg == 1 || reg == 4 || reg == 6; // /1 fisttp: SSE3 is not offered
      case 0xdd: return reg == 1 || reg == 5;
      case 0xdf: return reg == 1;
      default: return false;
    }
  }
  switch (op) {
    case 0xd9:
      if (reg == 2) return rm != 0;
      if (reg == 4) return rm == 2 || rm == 3 || rm >= 6;
      if (reg == 5) return rm == 7;
      return false;
    case 0xda: return reg >= 4 && !(reg == 5 && rm == 1);
    case 0xdb: return reg == 7 || (reg == 4 && rm >= 5);
    case 0xdd: return reg >= 6;
    case 0xde: return reg == 3 && rm != 1;
    case 0xdf: return reg == 7 || (reg == 4 && rm != 0);
    default: return false;
  }
}

// fnstenv, fnstcw, fnsave, fnstsw m16: they do not wait for pending exceptions.
function noWaitMem(op: u32, reg: u32): bool {
  return (op == 0xd9 && reg >= 6) || (op == 0xdd && reg >= 6);
}

// fneni, fndisi, fnclex, fninit, fnsetpm (DB E0..E4) and fnstsw ax.
function noWaitReg(op: u32, reg: u32): bool {
  return (op == 0xdb && reg == 4) || (op == 0xdf && reg == 4);
}

// ---- memory forms ----

function execMem(op: u32, reg: u32): void {
  const va = ea();
  switch (op) {
    case 0xd8: case 0xdc: case 0xda: case 0xde: {
      // Arithmetic with m32fp, m64fp, m32int, m16int.
      let extra: u32 = 0;
      if (op == 0xd8) {
        const v = <u32>rd32(va);
        if (faulted) return;
        extra = fromF32(v) & 2;
      } else if (op == 0xdc) {
        const v = rd64(va);
        if (faulted) return;
        extra = fromF64(v) & 2;
      } else if (op == 0xda) {
        const v = <i32>rd32(va);
        if (faulted) return;
        fromInt(<i64>v);
      } else {
        const v = <i16>rd16(va);
        if (faulted) return;
        fromInt(<i64>v);
      }
      noteInsn(op, true);
      arithMem(reg, cSig, cSE, extra);
      return;
    }
    case 0xd9:
      switch (reg) {
        case 0: {
          const v = <u32>rd32(va);
          if (faulted) return;
          noteInsn(op, true);
          fldF32(v);
          return;
        }
        case 2: storeSt0(va, ST_F32, false, op); return;
        case 3: storeSt0(va, ST_F32, true, op); return;
        case 4: fldenv(va, o16()); return;
        case 5: {
          const v = <u32>rd16(va);
          if (faulted) return;
          setFcw(v);
          return;
        }
        case 6: fnstenv(va, o16()); return;
        default: wr16(va, fcw()); return; // fnstcw
      }
    case 0xdb:
      switch (reg) {
        case 0: {
          const v = <i32>rd32(va);
          if (faulted) return;
          noteInsn(op, true);
          fildInt(<i64>v);
          return;
        }
        case 2: storeSt0(va, ST_I32, false, op); return;
        case 3: storeSt0(va, ST_I32, true, op); return;
        case 5: {
          const lo = rd64(va);
          const hi = <u32>rd16(va + 8);
          if (faulted) return;
          noteInsn(op, true);
          fldRaw(lo, hi);
          return;
        }
        default: storeSt0(va, ST_F80, true, op); return; // /7 fstp m80
      }
    case 0xdd:
      switch (reg) {
        case 0: {
          const v = rd64(va);
          if (faulted) return;
          noteInsn(op, true);
          fldF64(v);
          return;
        }
        case 2: storeSt0(va, ST_F64, false, op); return;
        case 3: storeSt0(va, ST_F64, true, op); return;
        case 4: frstor(va, o16()); return;
        case 6: fnsave(va, o16()); return;
        default: wr16(va, fsw()); return; // /7 fnstsw m16
      }
    default: // 0xdf
      switch (reg) {
        case 0: {
          const v = <i16>rd16(va);
          if (faulted) return;
          noteInsn(op, true);
          fildInt(<i64>v);
          return;
        }
        case 2: storeSt0(va, ST_I16, false, op); return;
        case 3: storeSt0(va, ST_I16, true, op); return;
        case 4: {
          const lo = rd64(va);
          const hi = <u32>rd16(va + 8);
          if (faulted) return;
          noteInsn(op, true);
          fbld(lo, hi);
          return;
        }
        case 5: {
          const v = <i64>rd64(va);
          if (faulted) return;
          noteInsn(op, true);
          fildInt(v);
          return;
        }
        case 6: storeSt0(va, ST_BCD, true, op); return;
        default: storeSt0(va, ST_I64, true, op); return; // /7 fistp m64
      }
  }
}

@inline function o16(): bool {
  return load<u8>(DEC + D_P66) != 0;
}

// ---- register forms ----

// The fcmov conditions (DA: b e be u, DB: nb ne nbe nu) as integer condition codes.
const FCMOV_CC: StaticArray<u8> = [2, 4, 6, 10, 3, 5, 7, 11];

function execReg(op: u32, reg: u32, i: u32): void {
  // Control instructions leave FOP/FIP alone.
  if (op == 0xdb && reg == 4) {
    if (i == 2) fnclex();
    else if (i == 3) fninit();
    return; // fneni, fndisi, fnsetpm: no-ops
  }
  if (op == 0xdf && reg == 4) {
    setReg(RAX, 2, fsw()); // fnstsw ax
    return;
  }
  noteInsn(op, false);
  switch (op) {
    case 0xd8: arithReg(reg, i, false, false); return;
    case 0xdc:
      if (reg == 2 || reg == 3) arithReg(reg, i, false, false);
      else arithReg(reg, i, true, false);
      return;
    case 0xde:
      if (reg == 2) compareReg(i, false, 1, false); // fcomp alias
      else if (reg == 3) compareReg(1, false, 2, false); // fcompp
      else arithReg(reg, i, true, true);
      return;
    case 0xd9: execD9(reg, i); return;
    case 0xda:
      if (reg < 4) fcmov(i, FCMOV_CC[reg]);
      else compareReg(1, true, 2, false); // fucompp
      return;
    case 0xdb:
      if (reg < 4) fcmov(i, FCMOV_CC[reg + 4]);
      else compareReg(i, reg == 5, 0, true); // fucomi, fcomi
      return;
    case 0xdd:
      switch (reg) {
        case 0: ffree(i, false); return;
        case 1: fxch(i); return;
        case 2: fstSt(i, false); return;
        case 3: fstSt(i, true); return;
        case 4: compareReg(i, true, 0, false); return; // fucom
        default: compareReg(i, true, 1, false); return; // fucomp
      }
    default: // 0xdf
      switch (reg) {
        case 0: ffree(i, true); return; // ffreep
        case 1: fxch(i); return;
        case 2: case 3: fstSt(i, true); return;
        case 5: compareReg(i, true, 1, true); return; // fucomip
        default: compareReg(i, false, 1, true); return; // fcomip
      }
  }
}

function execD9(reg: u32, i: u32): void {
  switch (reg) {
    case 0: fldSt(i); return;
    case 1: fxch(i); return;
    case 2: return; // fnop
    case 3: fstSt(i, true); return;
    case 4:
      if (i == 0) fchs();
      else if (i == 1) fabs();
      else if (i == 4) ftst();
      else fxam();
      return;
    case 5: fldConst(i); return;
    case 6:
      switch (i) {
        case 0: f2xm1(); return;
        case 1: fyl2x(); return;
        case 2: fptan(); return;
        case 3: fpatan(); return;
        case 4: fxtract(); return;
        case 5: fprem(true); return;
        case 6: fincdec(<u32>-1); return; // fdecstp
        default: fincdec(1); return; // fincstp
      }
    default:
      switch (i) {
        case 0: fprem(false); return;
        case 1: fyl2xp1(); return;
        case 2: fsqrt(); return;
        case 3: fsincos(); return;
        case 4: frndint(); return;
        case 5: fscale(); return;
        case 6: fsin(); return;
        default: fcos(); return;
      }
  }
}
