// SSE/SSE2 instructions: the dispatcher from opcode and mandatory prefix (none, 66, F2, F3)
// to the instruction families. Returns false for opcodes and forms this CPU does not have
// (the caller raises #UD): the MMX-register forms, SSE3 and later.
import { DEC } from "../layout";
import { D_LOCK } from "./decode";
import { dReg } from "./regs";
import { pfx, AL_ALWAYS, AL_NONE } from "./sse_operand";
import { sseReady, ldmxcsr, stmxcsr } from "./sse_mxcsr";
import { fpArithInsn, fpCmpInsn, fpComisInsn } from "./sse_fparith";
import { cvtSi2Fp, cvtFp2Si, cvtFpFp, cvtDqPs, cvtPdDq } from "./sse_cvt";
import {
  movUps, movAligned, movHalf, movNt, movnti, movMask, movdToXmm, movdFromXmm, movqStore, pinsrw,
  pextrw, maskmovdqu,
} from "./sse_move";
import { isIntOp, intInsn, logicPs, shiftImm } from "./sse_int";
import { isInterleave, interleaveInsn, unpckInsn, pshufInsn, shufInsn } from "./sse_shuffle";
import { fxsave, fxrstor } from "./sse_state";
import { approxInsn } from "./sse_approx";

export function execSSE(op: u32): bool {
  if (op >= 0x200 || load<u8>(DEC + D_LOCK) != 0) return false;
  const p = pfx();
  if (op == 0x1ae) return group15(p);
  const b = op & 0xff;
  if (p == 1) {
    if (isInterleave(b)) return interleaveInsn(b);
    if (isIntOp(b)) return intInsn(b);
  }
  switch (b) {
    case 0x10: case 0x11: return movUps(b, p);
    case 0x12: case 0x13: case 0x16: case 0x17: return movHalf(b, p);
    case 0x14: case 0x15: return p <= 1 ? unpckInsn(b, p) : false;
    case 0x28: return p <= 1 ? movAligned(false, AL_ALWAYS) : false;
    case 0x29: return p <= 1 ? movAligned(true, AL_ALWAYS) : false;
    case 0x2a: return cvtSi2Fp(p);
    case 0x2b: return p <= 1 ? movNt() : false;
    case 0x2c: case 0x2d: return cvtFp2Si(b, p);
    case 0x2e: case 0x2f: return fpComisInsn(b, p);
    case 0x50: return p <= 1 ? movMask(b, p) : false;
    case 0x51: case 0x58: case 0x59: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
      return fpArithInsn(b, p);
    case 0x52: case 0x53: return approxInsn(b, p);
    case 0x54: case 0x55: case 0x56: case 0x57: return p <= 1 ? logicPs(b) : false;
    case 0x5a: return cvtFpFp(p);
    case 0x5b: return cvtDqPs(p);
    case 0x6e: return p == 1 ? movdToXmm() : false;
    case 0x6f: return p == 1 || p == 3 ? movAligned(false, p == 1 ? AL_ALWAYS : AL_NONE) : false;
    case 0x7f: return p == 1 || p == 3 ? movAligned(true, p == 1 ? AL_ALWAYS : AL_NONE) : false;
    case 0x70: return p != 0 ? pshufInsn(p) : false;
    case 0x71: case 0x72: case 0x73: return p == 1 ? shiftImm(b) : false;
    case 0x7e: return p == 1 || p == 3 ? movdFromXmm(p) : false;
    case 0xc2: return fpCmpInsn(p);
    case 0xc3: return p == 0 ? movnti() : false;
    case 0xc4: return p == 1 ? pinsrw() : false;
    case 0xc5: return p == 1 ? pextrw() : false;
    case 0xc6: return p <= 1 ? shufInsn(p) : false;
    case 0xd6: return p == 1 ? movqStore() : false;
    case 0xd7: return p == 1 ? movMask(b, p) : false;
    case 0xe6: return cvtPdDq(p);
    case 0xe7: return p == 1 ? movNt() : false;
    case 0xf7: return p == 1 ? maskmovdqu() : false;
    default: return false;
  }
}

// 0F AE memory forms /0 fxsave, /1 fxrstor, /2 ldmxcsr, /3 stmxcsr (no mandatory prefix).
function group15(p: u32): bool {
  const r = dReg() & 7;
  if (p != 0 || r > 3) return false;
  if (!sseReady()) return true;
  if (r == 0) fxsave();
  else if (r == 1) fxrstor();
  else if (r == 2) ldmxcsr();
  else stmxcsr();
  return true;
}
