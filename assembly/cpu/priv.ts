// Instructions a ring-3 PV kernel uses that trap to the hypervisor, with Xen's treatment
// (xen/arch/x86/pv/emul-priv-op.c, emul-inv-op.c): hypercalls by syscall, the forced-
// emulation prefix, control registers, MSRs, cli/sti, I/O, int n, iretq.
import { REGS, RIP, SEL, CR0, CR2, CR3, CR4, EFER, FS_BASE, GS_BASE, GS_SHADOW, DEC, INSNS } from "../layout";
import { D_MOD, D_REG, D_RM } from "./decode";
import { nrip, setNrip, reg64, setReg64, getReg, setReg, ea, dReg, dRm, dMod, RAX, RCX, RDX, RSP } from "./regs";
import { raise, raiseGP0, EXC_UD, EXC_GP, EXC_BP, faulted, rdN, rd64, wrN, canonical, translateQuiet, ACC_X, tlbFlushAll } from "./mem";
import { getRflags, setRflags, IF, IOPL, CF, PF, AF, ZF, SF, TF, DF, OF, NT, AC, ID, RF } from "./flags";
import { hypercall } from "../hypercalls/dispatch";
import { vc, curVcpu, trapEntry, VC_FLAGS, VCF_IN_KERNEL, VC_IOPL, VC_FPU_TS, VC_CB_SYSCALL, VC_CB_MASK } from "../domain/domain";
import { bounce, inKernel, crashDomain } from "../domain/traps";
import { cpuid } from "./cpuid";
import { farTargetOk } from "./exec";
import { segmentLoadOk } from "../mm/gdt";
import { newBaseptr } from "../mm/pv_mmu";
import { virtualTsc } from "../time/clock";

const MSR_EFER: u32 = 0xc0000080;
const MSR_FS_BASE: u32 = 0xc0000100;
const MSR_GS_BASE: u32 = 0xc0000101;
const MSR_SHADOW_GS_BASE: u32 = 0xc0000102;
const MSR_TSC_AUX: u32 = 0xc0000103;
// EFER as a PV guest sees it: SCE | LME | LMA | NXE.
const PV_EFER: u64 = 0x1 | 0x100 | 0x400 | 0x800;

// CR0 as Xen shows a PV guest: PE MP ET NE WP AM PG, plus the virtual TS.
function guestCr0(): u64 {
  const base: u64 = 0x80050033;
  return load<u32>(vc() + VC_FPU_TS) != 0 ? base | 8 : base;
}

// syscall: a hypercall in guest kernel mode; in user mode it enters the kernel's callback.
export function privSyscall(): void {
  const rflags = getRflags();
  setReg64(RCX, nrip);
  setReg64(11, rflags);
  if (inKernel()) {
    hypercall();
    return;
  }
  const target = load<u64>(vc() + VC_CB_SYSCALL);
  if (target == 0) {
    raise(EXC_UD, -1);
    return;
  }
  store<u64>(RIP, nrip);
  if (!bounce(target, (load<u32>(vc() + VC_CB_MASK) & (1 << 2)) != 0, -1)) {
    crashDomain("could not write the syscall frame", 0);
  }
  setNrip(load<u64>(RIP));
}

export function privClts(): void {
  if (!inKernel()) { raiseGP0(); return; }
  store<u32>(vc() + VC_FPU_TS, 0);
}

// ud2: Xen's forced-emulation prefix `ud2; .ascii "xen"` followed by cpuid is emulated.
export function privUd2(): void {
  const p = translateQuiet(nrip, ACC_X);
  if (p != 0 && (<u32>nrip & 0xfff) <= 4096 - 5) {
    if (load<u8>(p) == 0x78 && load<u8>(p + 1) == 0x65 && load<u8>(p + 2) == 0x6e &&
        load<u8>(p + 3) == 0x0f && load<u8>(p + 4) == 0xa2) {
      cpuid();
      setNrip(nrip + 5);
      return;
    }
  }
  raise(EXC_UD, -1);
}

export function privCpuid(): void {
  cpuid();
}

// mov to/from control registers, register operand only.
export function privMovCr(write: bool): void {
  if (!inKernel()) { raiseGP0(); return; }
  const cr = dReg();
  const r = dRm();
  if (!write) {
    let v: u64;
    switch (cr) {
      case 0: v = guestCr0(); break;
      case 2: v = load<u64>(CR2); break;
      case 3: v = load<u64>(CR3); break;
      case 4: v = load<u64>(CR4); break;
      default: raise(EXC_UD, -1); return;
    }
    setReg64(r, v);
    return;
  }
  const v = reg64(r);
  switch (cr) {
    case 0:
      // Only TS may change.
      if ((v ^ guestCr0()) & ~(<u64>8)) { raiseGP0(); return; }
      store<u32>(vc() + VC_FPU_TS, (v & 8) != 0 ? 1 : 0);
      return;
    case 2:
      store<u64>(CR2, v);
      return;
    case 3:
      if (!newBaseptrFromCr3(v)) raiseGP0();
      return;
    case 4:
      if (v != load<u64>(CR4)) raiseGP0();
      return;
    default:
      raise(EXC_UD, -1);
      return;
  }
}

// mov to CR3 is MMUEXT_NEW_BASEPTR with the frame validated as an L4.
function newBaseptrFromCr3(v: u64): bool {
  return newBaseptr(v >> 12);
}

export function privMovDr(write: bool): void {
  if (!inKernel()) { raiseGP0(); return; }
  const dr = dReg();
  if (dr > 7 || dr == 4 || dr == 5) { raise(EXC_UD, -1); return; }
  if (!write) setReg64(dRm(), dr == 6 ? 0xffff0ff0 : dr == 7 ? 0x400 : 0);
  // Debug register writes are accepted and have no effect (no hardware breakpoints).
}

export function privMsr(write: bool): void {
  if (!inKernel()) { raiseGP0(); return; }
  const msr = <u32>getReg(RCX, 4);
  if (!write) {
    let v: u64;
    switch (msr) {
      case MSR_EFER: v = PV_EFER; break;
      case MSR_FS_BASE: v = load<u64>(FS_BASE); break;
      case MSR_GS_BASE: v = load<u64>(GS_BASE); break;
      case MSR_SHADOW_GS_BASE: v = load<u64>(GS_SHADOW); break;
      case MSR_TSC_AUX: v = 0; break;
      default: raiseGP0(); return;
    }
    setReg(RAX, 4, v & 0xffffffff);
    setReg(RDX, 4, v >> 32);
    return;
  }
  const v = (getReg(RDX, 4) << 32) | getReg(RAX, 4);
  switch (msr) {
    case MSR_EFER:
      if (v != PV_EFER) raiseGP0();
      return;
    case MSR_FS_BASE:
      if (!canonical(v)) { raiseGP0(); return; }
      store<u64>(FS_BASE, v);
      return;
    case MSR_GS_BASE:
      if (!canonical(v)) { raiseGP0(); return; }
      store<u64>(GS_BASE, v);
      return;
    case MSR_SHADOW_GS_BASE:
      if (!canonical(v)) { raiseGP0(); return; }
      store<u64>(GS_SHADOW, v);
      return;
    default:
      raiseGP0();
      return;
  }
}

export function privRdtsc(withAux: bool): void {
  const t = virtualTsc();
  setReg(RAX, 4, t & 0xffffffff);
  setReg(RDX, 4, t >> 32);
  if (withAux) setReg(RCX, 4, 0);
}

// sgdt/sidt show Xen's per-domain descriptor-table area.
export function privSgdt(idt: bool): void {
  const a = ea();
  wrN(a, 2, idt ? 0xfff : 0xe0ff);
  if (faulted) return;
  wrN(a + 2, 8, idt ? 0xffff82d080000000 : 0xffff820000000000);
}

// int n: allowed when the trap table's DPL admits the caller (kernel counts as 1, user 3).
export function privInt(vector: u32): void {
  const e = trapEntry(curVcpu, vector);
  const dpl = <u32>load<u8>(e + 1) & 3;
  const need: u32 = inKernel() ? 1 : 3;
  if (dpl < need || load<u64>(e + 8) == 0) {
    raise(EXC_GP, <i32>((vector << 3) | 2));
    return;
  }
  store<u64>(RIP, nrip);
  if (!bounce(load<u64>(e + 8), (load<u8>(e + 1) & 4) != 0, -1)) {
    crashDomain("could not write the frame for int", <u64>vector);
  }
  setNrip(load<u64>(RIP));
}

export function privInt3(): void {
  privInt(3);
}

// iretq at CPL 3 to CPL 3: pops RIP, CS, RFLAGS, RSP, SS; IF and IOPL cannot change.
export function privIret(size: u32): void {
  const sp = reg64(RSP);
  const s = <u64>size;
  const rip = rdN(sp, size);
  const cs = rdN(sp + s, size) & 0xffff;
  const fl = rdN(sp + 2 * s, size);
  const rsp = rdN(sp + 3 * s, size);
  const ss = rdN(sp + 4 * s, size) & 0xffff;
  if (faulted) return;
  if (!farTargetOk(<u32>cs) || !segmentLoadOk(2, <u32>ss)) return;
  const changeable: u64 = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID | RF | 2;
  const cur = getRflags();
  setRflags((cur & ~changeable) | (fl & changeable));
  store<u16>(SEL + 2, <u16>cs);
  store<u16>(SEL + 4, <u16>ss);
  setReg64(RSP, rsp);
  setNrip(size == 8 ? rip : rip & 0xffffffff);
}

// hlt: not among the instructions Xen's PV privileged-op emulator accepts (its validate hook in
// arch/x86/pv/emul-priv-op.c), so the hardware #GP reaches the guest. PV kernels idle with
// SCHEDOP_block.
export function privHlt(): void {
  raiseGP0();
}

// cli/sti: a no-op when the virtual IOPL admits the guest, else #GP (as Xen).
export function privCliSti(sti: bool): void {
  const iopl = load<u32>(vc() + VC_IOPL);
  const need: u32 = inKernel() ? 1 : 3;
  if (iopl < need) raiseGP0();
}

// in/out/ins/outs: a PV domU has no I/O ports; Xen raises #GP.
export function privIo(op: u32): void {
  raiseGP0();
}

export function privPushfMask(): u64 {
  return <u64>-1;
}

// popf at CPL 3 with IOPL 0: IF and IOPL are left alone.
export function privPopf(v: u64, size: u32): void {
  let changeable: u64 = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;
  if (size == 2) changeable &= 0xffff;
  const cur = getRflags();
  setRflags((cur & ~changeable) | (v & changeable));
}
