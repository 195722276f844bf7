// Trap table, callbacks, kernel stack, segment bases, FPU task switch and iret
// (xen/arch/x86/pv/{traps,callback,iret,misc-hypercalls}.c).
import { GS_BASE, GS_SHADOW, FS_BASE, SEL, RIP } from "../layout";
import { EFAULT, EINVAL } from "../abi/xen";
import { copyFromGuest } from "../mm/guest";
import { canonical } from "../cpu/mem";
import { setNrip } from "../cpu/regs";
import { HV_SCRATCH } from "../layout";
import {
  vc, curVcpu, trapEntry, VC_KERNEL_SS, VC_KERNEL_SP, VC_CB_EVENT, VC_CB_FAILSAFE, VC_CB_SYSCALL,
  VC_CB_SYSCALL32, VC_CB_SYSENTER, VC_CB_NMI, VC_CB_MASK, VC_FPU_TS,
} from "../domain/domain";
import { doIret, crashDomain, inKernel } from "../domain/traps";
import { createContinuation, setArg1, setNoResult } from "./args";

const TRAP_BATCH: u32 = 64;

// set_trap_table: entries {u8 vector, u8 flags, u16 cs, u64 address} until address 0.
export function do_set_trap_table(ptr: u64): i64 {
  if (ptr == 0) {
    for (let v: u32 = 0; v < 256; v++) store<u64>(trapEntry(curVcpu, v) + 8, 0);
    return 0;
  }
  for (let i: u32 = 0; i < TRAP_BATCH; i++) {
    if (!copyFromGuest(HV_SCRATCH, ptr, 16)) return -EFAULT;
    const address = load<u64>(HV_SCRATCH + 8);
    if (address == 0) return 0;
    if (!canonical(address)) return -EINVAL;
    const vector = <u32>load<u8>(HV_SCRATCH);
    let cs = <u32>load<u16>(HV_SCRATCH + 2);
    if ((cs & 3) == 0) cs |= 3; // code selectors run at the guest kernel's RPL
    const e = trapEntry(curVcpu, vector);
    store<u8>(e, <u8>vector);
    store<u8>(e + 1, load<u8>(HV_SCRATCH + 1));
    store<u16>(e + 2, <u16>cs);
    store<u64>(e + 8, address);
    ptr += 16;
  }
  // More entries: continue with the rest of the table.
  setArg1(ptr);
  createContinuation();
  return 0;
}

export function do_stack_switch(ss: u64, sp: u64): i64 {
  let sel = <u32>ss & 0xffff;
  if ((sel & 3) == 0) sel |= 3;
  store<u64>(vc() + VC_KERNEL_SS, <u64>sel);
  store<u64>(vc() + VC_KERNEL_SP, sp);
  return 0;
}

// Callback types (public/callback.h).
const CALLBACKTYPE_event: u32 = 0;
const CALLBACKTYPE_failsafe: u32 = 1;
const CALLBACKTYPE_syscall: u32 = 2;
const CALLBACKTYPE_nmi: u32 = 4;
const CALLBACKTYPE_sysenter: u32 = 5;
const CALLBACKTYPE_syscall32: u32 = 7;
const CALLBACKF_mask_events: u32 = 1;
const CALLBACKOP_register: u32 = 0;
const CALLBACKOP_unregister: u32 = 1;

function slotOf(type: u32): u32 {
  switch (type) {
    case CALLBACKTYPE_event: return VC_CB_EVENT;
    case CALLBACKTYPE_failsafe: return VC_CB_FAILSAFE;
    case CALLBACKTYPE_syscall: return VC_CB_SYSCALL;
    case CALLBACKTYPE_nmi: return VC_CB_NMI;
    case CALLBACKTYPE_sysenter: return VC_CB_SYSENTER;
    case CALLBACKTYPE_syscall32: return VC_CB_SYSCALL32;
    default: return 0;
  }
}

function registerCallback(type: u32, flags: u32, address: u64): i64 {
  const slot = slotOf(type);
  if (slot == 0) return -EINVAL;
  if (!canonical(address)) return -EINVAL;
  store<u64>(vc() + slot, address);
  let m = load<u32>(vc() + VC_CB_MASK) & ~(1 << type);
  if ((flags & CALLBACKF_mask_events) != 0) m |= 1 << type;
  store<u32>(vc() + VC_CB_MASK, m);
  return 0;
}

export function do_set_callbacks(event: u64, failsafe: u64, syscall: u64): i64 {
  let r = registerCallback(CALLBACKTYPE_event, 0, event);
  if (r == 0) r = registerCallback(CALLBACKTYPE_failsafe, 0, failsafe);
  if (r == 0) r = registerCallback(CALLBACKTYPE_syscall, 0, syscall);
  return r;
}

export function do_callback_op(cmd: u64, arg: u64): i64 {
  if (cmd == <u64>CALLBACKOP_register) {
    if (!copyFromGuest(HV_SCRATCH, arg, 16)) return -EFAULT;
    return registerCallback(<u32>load<u16>(HV_SCRATCH), <u32>load<u16>(HV_SCRATCH + 2), load<u64>(HV_SCRATCH + 8));
  }
  if (cmd == <u64>CALLBACKOP_unregister) {
    if (!copyFromGuest(HV_SCRATCH, arg, 2)) return -EFAULT;
    const type = <u32>load<u16>(HV_SCRATCH);
    if (type != CALLBACKTYPE_nmi) return -EINVAL; // only the NMI callback may be removed
    store<u64>(vc() + VC_CB_NMI, 0);
    return 0;
  }
  return -EINVAL;
}

export function do_fpu_taskswitch(set: u64): i64 {
  store<u32>(vc() + VC_FPU_TS, set != 0 ? 1 : 0);
  return 0;
}

// set_segment_base (public/xen.h SEGBASE_*).
export function do_set_segment_base(which: u64, base: u64): i64 {
  switch (<u32>which) {
    case 0: // SEGBASE_FS
      if (!canonical(base)) return -EINVAL;
      store<u64>(FS_BASE, base);
      return 0;
    case 1: // SEGBASE_GS_USER: the base user mode will see
      if (!canonical(base)) return -EINVAL;
      if (inKernel()) store<u64>(GS_SHADOW, base);
      else store<u64>(GS_BASE, base);
      return 0;
    case 2: // SEGBASE_GS_KERNEL
      if (!canonical(base)) return -EINVAL;
      if (inKernel()) store<u64>(GS_BASE, base);
      else store<u64>(GS_SHADOW, base);
      return 0;
    case 3: { // SEGBASE_GS_USER_SEL: load the user GS selector (its base becomes 0)
      const sel = <u32>base & 0xffff;
      if ((sel & 0xfffc) != 0 && (sel & 3) != 3) return -EINVAL;
      store<u16>(SEL + 10, <u16>sel);
      if (inKernel()) store<u64>(GS_SHADOW, 0);
      else store<u64>(GS_BASE, 0);
      return 0;
    }
    default:
      return -EINVAL;
  }
}

export function do_iret(): i64 {
  setNoResult(true);
  if (!doIret()) {
    crashDomain("bad iret frame at rsp", 0);
    return 0;
  }
  setNrip(load<u64>(RIP));
  return 0;
}
