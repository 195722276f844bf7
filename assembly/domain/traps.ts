// Exceptions and callbacks for PV guests: Xen's 64-bit bounce frame onto the guest kernel
// stack, guest kernel/user mode switches, and the iret hypercall.
import { REGS, RIP, SEL, CR2, CR3, GS_BASE, GS_SHADOW, HV_SCRATCH } from "../layout";
import { copyFromGuest } from "../mm/guest";
import { getRflags, setRflags, IF, TF, NT, RF, AC, DF, IOPL } from "../cpu/flags";
import { translateQuiet, ACC_W, ACC_R, tlbFlushAll, setGuestUser, excAddr, EXC_PF, EXC_DF, clearFault } from "../cpu/mem";
import { segmentLoadOk } from "../mm/gdt";
import { FLAT_KERNEL_CS64, FLAT_KERNEL_SS64, SHUTDOWN_crash } from "../abi/xen";
import { VI_evtchn_upcall_mask, VI_arch_cr2, VCPU_INFO_SIZE, XEN_LEGACY_MAX_VCPUS } from "../abi/structs";
import {
  vc, curVcpu, curDom, dom, trapEntry, domainShutdown, msg, msgHex, msgClear,
  VC_FLAGS, VCF_IN_KERNEL, VC_KERNEL_SP, VC_VCPU_INFO, VC_KERNEL_CR3, VC_USER_CR3, VC_ID, DOM_SHARED_INFO,
  VC_CB_FAILSAFE, VC_CB_MASK,
} from "./domain";
import { frameAddr } from "../mm/frames";
import { requestExit, EXIT_SHUTDOWN } from "../sched/run";

const RSP_OFF: u32 = 4 << 3;
const RCX_OFF: u32 = 1 << 3;
const R11_OFF: u32 = 11 << 3;
const RAX_OFF: u32 = 0;

// Host address of the running vCPU's vcpu_info (in shared_info).
export function vcpuInfo(): u32 {
  // Where the domain builder or VCPUOP_register_vcpu_info put it (sched/setup.ts).
  const at = load<u32>(vc() + VC_VCPU_INFO);
  if (at != 0) return at;
  const id = load<u32>(vc() + VC_ID);
  if (id >= XEN_LEGACY_MAX_VCPUS) return 0;
  return frameAddr(load<u32>(dom(curDom) + DOM_SHARED_INFO)) + id * VCPU_INFO_SIZE;
}

export function crashDomain(why: string, value: u64): void {
  msgClear();
  msg("domain ");
  msgHex(<u64>curDom);
  msg(" crashed: ");
  msg(why);
  msg(" ");
  msgHex(value);
  msg(" at rip ");
  msgHex(load<u64>(RIP));
  domainShutdown(curDom, SHUTDOWN_crash);
  requestExit(EXIT_SHUTDOWN);
}

@inline export function inKernel(): bool {
  return (load<u32>(vc() + VC_FLAGS) & VCF_IN_KERNEL) != 0;
}

// Switch between guest kernel and guest user mode: the other base pointer and GS base.
export function toggleGuestMode(): void {
  const c = vc();
  const f = load<u32>(c + VC_FLAGS) ^ VCF_IN_KERNEL;
  store<u32>(c + VC_FLAGS, f);
  const gs = load<u64>(GS_BASE);
  store<u64>(GS_BASE, load<u64>(GS_SHADOW));
  store<u64>(GS_SHADOW, gs);
  const k = (f & VCF_IN_KERNEL) != 0;
  store<u64>(CR3, k ? load<u64>(c + VC_KERNEL_CR3) : load<u64>(c + VC_USER_CR3));
  tlbFlushAll();
  setGuestUser(!k);
}

function push64(sp: u64, v: u64): bool {
  const h = translateQuiet(sp, ACC_W);
  if (h == 0) return false;
  store<u64>(h, v);
  return true;
}

// Build Xen's bounce frame and enter the guest kernel at target.
// errCode < 0: the vector has no error code.
// With segs, the frame also holds the data selectors (the failsafe callback's frame): from RSP
// upward RCX, R11, DS, ES, FS, GS, RIP, CS, RFLAGS, RSP, SS.
let frameDS: u64 = 0;
let frameES: u64 = 0;
let frameFS: u64 = 0;
let frameGS: u64 = 0;

export function bounce(target: u64, maskEvents: bool, errCode: i64, segs: bool = false): bool {
  const vi = vcpuInfo();
  const savedMask: u64 = vi != 0 ? <u64>load<u8>(vi + VI_evtchn_upcall_mask) : 1;
  const fromKernel = inKernel();
  const rip = load<u64>(RIP);
  const rsp = load<u64>(REGS + RSP_OFF);
  const cs = <u64>load<u16>(SEL + 2);
  const ss = <u64>load<u16>(SEL + 4);
  let rflags = getRflags();
  // The guest sees IF as the inverse of its event mask.
  rflags = (rflags & ~IF) | (savedMask == 0 ? IF : 0);
  rflags &= ~IOPL;
  if (!fromKernel) toggleGuestMode();
  let sp: u64 = fromKernel ? rsp : load<u64>(vc() + VC_KERNEL_SP);
  sp &= ~(<u64>15);
  const csSlot: u64 = (fromKernel ? cs & ~(<u64>3) : cs) | (savedMask << 32);
  let ok = push64(sp - 8, ss) && push64(sp - 16, rsp) && push64(sp - 24, rflags) &&
    push64(sp - 32, csSlot) && push64(sp - 40, rip);
  sp -= 40;
  if (ok && segs) {
    ok = push64(sp - 8, frameGS) && push64(sp - 16, frameFS) && push64(sp - 24, frameES) && push64(sp - 32, frameDS);
    sp -= 32;
  }
  if (ok && errCode >= 0) {
    ok = push64(sp - 8, <u64>errCode);
    sp -= 8;
  }
  ok = ok && push64(sp - 8, load<u64>(REGS + R11_OFF)) && push64(sp - 16, load<u64>(REGS + RCX_OFF));
  sp -= 16;
  if (!ok) return false;
  store<u64>(REGS + RSP_OFF, sp);
  store<u64>(RIP, target);
  store<u16>(SEL + 2, FLAT_KERNEL_CS64);
  store<u16>(SEL + 4, FLAT_KERNEL_SS64);
  setRflags(getRflags() & ~(TF | NT | RF | AC | (<u64>1 << 17)));
  if (maskEvents && vi != 0) store<u8>(vi + VI_evtchn_upcall_mask, 1);
  return true;
}

// Deliver CPU exception vector to the guest through its trap table.
export function deliverException(vector: u32, err: i32): void {
  const e = trapEntry(curVcpu, vector & 0xff);
  const target = load<u64>(e + 8);
  if (vector == EXC_PF) {
    const vi = vcpuInfo();
    if (vi != 0) store<u64>(vi + VI_arch_cr2, excAddr);
    store<u64>(CR2, excAddr);
  }
  if (target == 0) {
    crashDomain(vector == EXC_PF ? "unhandled page fault, address" : "unhandled exception, vector", vector == EXC_PF ? excAddr : <u64>vector);
    return;
  }
  const flags = load<u8>(e + 1);
  if (!bounce(target, (flags & 4) != 0, err < 0 ? -1 : <i64>err)) {
    crashDomain("could not write an exception frame (double fault) for vector", <u64>vector);
    return;
  }
  if (vector == EXC_DF) crashDomain("double fault", 0);
}

// HYPERVISOR_iret: the frame {rax, r11, rcx, flags, rip, cs, rflags, rsp, ss} is at RSP.
export function doIret(): bool {
  const sp = load<u64>(REGS + RSP_OFF);
  if (!copyFromGuest(HV_SCRATCH, sp, 72)) return false;
  const flags = load<u64>(HV_SCRATCH + 24);
  const rip = load<u64>(HV_SCRATCH + 32);
  const cs = load<u64>(HV_SCRATCH + 40);
  const rflags = load<u64>(HV_SCRATCH + 48);
  const rsp = load<u64>(HV_SCRATCH + 56);
  const ss = load<u64>(HV_SCRATCH + 64);
  const toUser = (cs & 3) == 3;
  if (toUser && load<u64>(vc() + VC_USER_CR3) == 0) return false;
  if (toUser && inKernel()) toggleGuestMode();
  store<u64>(REGS + RAX_OFF, load<u64>(HV_SCRATCH));
  if ((flags & 0x100) == 0) { // not VGCF_in_syscall: restore R11 and RCX
    store<u64>(REGS + R11_OFF, load<u64>(HV_SCRATCH + 8));
    store<u64>(REGS + RCX_OFF, load<u64>(HV_SCRATCH + 16));
  }
  store<u64>(RIP, rip);
  store<u16>(SEL + 2, <u16>(cs | 3));
  store<u16>(SEL + 4, <u16>(ss | 3));
  store<u64>(REGS + RSP_OFF, rsp);
  const keep: u64 = 0x8d5 | DF | AC | (<u64>1 << 21) | TF | NT;
  setRflags((rflags & keep) | IF);
  const vi = vcpuInfo();
  if (vi != 0) store<u8>(vi + VI_evtchn_upcall_mask, (rflags & IF) != 0 ? 0 : 1);
  return true;
}

// A data selector that no longer loads (its descriptor changed) is nulled; true if it loads.
function reloadSelector(sr: u32): bool {
  const sel = <u32>load<u16>(SEL + (sr << 1));
  if ((sel & 0xfffc) == 0) return true;
  if (segmentLoadOk(sr, sel)) return true;
  clearFault();
  store<u16>(SEL + (sr << 1), 0);
  return false;
}

// On a switch to another vCPU Xen reloads its data selectors (load_segments). If one fails to
// load, the guest enters its failsafe callback with the old selectors in the frame (or is
// crashed without one).
export function reloadSegments(): void {
  frameDS = <u64>load<u16>(SEL + 6);
  frameES = <u64>load<u16>(SEL + 0);
  frameFS = <u64>load<u16>(SEL + 8);
  frameGS = <u64>load<u16>(SEL + 10);
  let ok = reloadSelector(3);
  ok = reloadSelector(0) && ok;
  ok = reloadSelector(4) && ok;
  ok = reloadSelector(5) && ok;
  if (ok) return;
  const target = load<u64>(vc() + VC_CB_FAILSAFE);
  if (target == 0) {
    crashDomain("a data segment could not be reloaded and there is no failsafe callback; selector", frameDS | (frameES << 16) | (frameFS << 32) | (frameGS << 48));
    return;
  }
  const mask = (load<u32>(vc() + VC_CB_MASK) & (1 << 1)) != 0; // CALLBACKTYPE_failsafe
  if (!bounce(target, mask, -1, true)) crashDomain("could not write the failsafe frame", 0);
}
