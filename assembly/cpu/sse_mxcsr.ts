// MXCSR: the start of every SSE instruction, the exception decision at its end (#XM when an
// unmasked condition was found), ldmxcsr/stmxcsr, and the lazy-FPU #NM check.
import { MXCSR } from "../layout";
import { raise, raiseGP0, faulted, rd32, wr32, EXC_NM, EXC_XM } from "./mem";
import { ea } from "./regs";
import { fpBegin, mxc, preF, postF } from "./sse_softfloat";
import { vc, VC_FPU_TS } from "../domain/domain";

// Bits ldmxcsr/fxrstor accept: flags, DAZ, masks, RC, FTZ, and MM (AMD misaligned-SSE mode),
// as the MXCSR_MASK fxsave reports on the reference machine (AMD EPYC).
export const MXCSR_MASK: u32 = 0x0002ffff;

// Exception conditions of all elements of the running instruction.
let accPre: u32 = 0;
let accPost: u32 = 0;

// The guest's virtual CR0.TS (fpu_taskswitch): SSE state access raises #NM so the guest
// kernel can switch FPU contexts lazily. Returns false after raising.
export function sseReady(): bool {
  if (load<u32>(vc() + VC_FPU_TS) != 0) {
    raise(EXC_NM, -1);
    return false;
  }
  return true;
}

export function fpStart(): void {
  fpBegin(load<u32>(MXCSR));
  accPre = 0;
  accPost = 0;
}

@inline export function fpAccum(): void {
  accPre |= preF;
  accPost |= postF;
}

// Decide the instruction's outcome: an unmasked pre-computation condition stops every
// element before computing (only the pre-computation flags are recorded); otherwise all
// flags are recorded and an unmasked one raises #XM with the destination unchanged.
// Returns true when the results may be written.
export function fpCommit(): bool {
  const unmasked = ~(mxc >> 7) & 0x3f;
  if ((accPre & unmasked) != 0) {
    store<u32>(MXCSR, load<u32>(MXCSR) | accPre);
    raise(EXC_XM, -1);
    return false;
  }
  const all = accPre | accPost;
  store<u32>(MXCSR, load<u32>(MXCSR) | all);
  if ((all & unmasked) != 0) {
    raise(EXC_XM, -1);
    return false;
  }
  return true;
}

// 0F AE /2 ldmxcsr m32.
export function ldmxcsr(): void {
  const v = <u32>rd32(ea());
  if (faulted) return;
  if ((v & ~MXCSR_MASK) != 0) {
    raiseGP0();
    return;
  }
  store<u32>(MXCSR, v);
}

// 0F AE /3 stmxcsr m32.
export function stmxcsr(): void {
  wr32(ea(), <u64>load<u32>(MXCSR));
}
