// vcpu_op (hypercall 24; public/vcpu.h, xen/common/domain.c do_vcpu_op, arch_set_info_guest):
// bring vCPUs up and down, their timers, runstate and where their vcpu_info lives.
import { HV_SCRATCH, CPU, REGS, RIP, SEL, FS_BASE, GS_BASE, GS_SHADOW } from "../layout";
import { EFAULT, EINVAL, ENOENT, EEXIST, ENOSYS } from "../abi/xen";
import { copyFromGuest, copyToGuest } from "../mm/guest";
import {
  curDom, curVcpu, dom, vcpuCtl, vcpuSave, DOM_NR_VCPUS, DOM_VCPU0, DOM_VM_ASSIST, VC_STATE, VS_OFFLINE,
  VC_INITIALISED, VC_SSHOT_AT, VC_PERIOD_NS, VC_PERIOD_LAST, VC_RS_STATE, VC_RS_ENTRY, VC_RS_TIME, VC_RS_AREA,
  VC_VCPU_INFO, VC_FLAGS, VCF_IN_KERNEL, VC_KERNEL_SS, VC_KERNEL_SP, VC_CB_EVENT, VC_CB_FAILSAFE,
  VC_CB_SYSCALL, VC_USER_CR3, VC_VI_MFN, trapEntry, domainShutdown,
} from "../domain/domain";
import { canonical } from "../cpu/mem";
import { requestExit, EXIT_BLOCKED, EXIT_SHUTDOWN } from "../sched/run";
import { vcpuUp, vcpuDown } from "../sched/vcpu_state";
import { nowCycles, nowNs, nsToCycles } from "../time/clock";
import { timerUpdate } from "../time/timers";
import { mfnValid, frameAddr, frameOwner } from "../mm/frames";
import { installBaseptr } from "../mm/pv_mmu";
import { getPageAndType, PGT_writable_page } from "../mm/validate";
import { VCPU_INFO_SIZE, VI_evtchn_upcall_pending, VI_evtchn_pending_sel, VI_evtchn_upcall_mask } from "../abi/structs";

export const VCPUOP_initialise: u32 = 0;
export const VCPUOP_up: u32 = 1;
export const VCPUOP_down: u32 = 2;
export const VCPUOP_is_up: u32 = 3;
export const VCPUOP_get_runstate_info: u32 = 4;
export const VCPUOP_register_runstate_memory_area: u32 = 5;
export const VCPUOP_set_periodic_timer: u32 = 6;
export const VCPUOP_stop_periodic_timer: u32 = 7;
export const VCPUOP_set_singleshot_timer: u32 = 8;
export const VCPUOP_stop_singleshot_timer: u32 = 9;
export const VCPUOP_register_vcpu_info: u32 = 10;

// vcpu_guest_context (x86_64, 5168 bytes) offsets.
const GC_SIZE: u32 = 5168;
const GC_REGS: u32 = 520; // cpu_user_regs: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi
const GC_RIP: u32 = GC_REGS + 128;
const GC_CS: u32 = GC_REGS + 136;
const GC_RFLAGS: u32 = GC_REGS + 144;
const GC_RSP: u32 = GC_REGS + 152;
const GC_SS: u32 = GC_REGS + 160;
const GC_TRAPS: u32 = 720; // trap_info[256]
const GC_KERNEL_SS: u32 = 4968;
const GC_KERNEL_SP: u32 = 4976;
const GC_CTRLREG: u32 = 4984;
const GC_EVENT_CB: u32 = 5112;
const GC_FAILSAFE_CB: u32 = 5120;
const GC_SYSCALL_CB: u32 = 5128;
const GC_VM_ASSIST: u32 = 5136;
const GC_FS_BASE: u32 = 5144;
const GC_GS_KERNEL: u32 = 5152;
const GC_GS_USER: u32 = 5160;

// cpu_user_regs order -> our register numbers (rax rcx rdx rbx rsp rbp rsi rdi r8..r15).
const REG_ORDER: StaticArray<u8> = [15, 14, 13, 12, 5, 3, 11, 10, 9, 8, 0, 1, 2, 6, 7];

const STIME_DELTA_MAX: u64 = <u64>1 << 62;
const MILLISECS_1: u64 = 1000000;

// arch_set_info_guest for a vCPU that has never run.
function initialise(v: u32, ctx: u64): i64 {
  const c = vcpuCtl(v);
  const g = HV_SCRATCH;
  if (!copyFromGuest(g, ctx, GC_SIZE)) return -EFAULT;
  if (load<u32>(c + VC_INITIALISED) != 0) return -EEXIST;
  const rip = load<u64>(g + GC_RIP);
  const ev = load<u64>(g + GC_EVENT_CB), fs = load<u64>(g + GC_FAILSAFE_CB), sc = load<u64>(g + GC_SYSCALL_CB);
  if (!canonical(rip) || !canonical(ev) || !canonical(fs) || !canonical(sc) || !canonical(load<u64>(g + GC_FS_BASE)) ||
      !canonical(load<u64>(g + GC_GS_KERNEL)) || !canonical(load<u64>(g + GC_GS_USER))) return -EINVAL;
  for (let i: u32 = 0; i < 256; i++) if (!canonical(load<u64>(g + GC_TRAPS + i * 16 + 8))) return -EINVAL;
  const cr3 = load<u64>(g + GC_CTRLREG + 3 * 8);
  const mfn = cr3 >> 12;
  if (!mfnValid(mfn) || frameOwner(mfn) != curDom) return -EINVAL;
  const rc = installBaseptr(v, mfn);
  if (rc != 0) return rc;
  const s = vcpuSave(v);
  for (let i: u32 = 0; i < 15; i++) {
    store<u64>(s + (REGS - CPU) + <u32>REG_ORDER[i] * 8, load<u64>(g + GC_REGS + i * 8));
  }
  store<u64>(s + (REGS - CPU) + 4 * 8, load<u64>(g + GC_RSP));
  store<u64>(s + (RIP - CPU), rip);
  // Flags: arithmetic state from the context, IF always set (events are masked via vcpu_info).
  store<u64>(s + (RIP - CPU) + 8, (load<u64>(g + GC_RFLAGS) & 0xcd5) | 0x202);
  store<u64>(s + (RIP - CPU) + 16, 0); // lazy flags: none pending
  store<u16>(s + (SEL - CPU) + 2, <u16>(load<u16>(g + GC_CS) | 3));
  store<u16>(s + (SEL - CPU) + 4, <u16>(load<u16>(g + GC_SS) | 3));
  store<u64>(s + (FS_BASE - CPU), load<u64>(g + GC_FS_BASE));
  store<u64>(s + (GS_BASE - CPU), load<u64>(g + GC_GS_KERNEL));
  store<u64>(s + (GS_SHADOW - CPU), load<u64>(g + GC_GS_USER));
  for (let i: u32 = 0; i < 256; i++) {
    const e = trapEntry(v, i);
    const t = g + GC_TRAPS + i * 16;
    store<u8>(e, load<u8>(t));
    store<u8>(e + 1, load<u8>(t + 1));
    store<u16>(e + 2, load<u16>(t + 2) | 3);
    store<u64>(e + 8, load<u64>(t + 8));
  }
  store<u64>(c + VC_KERNEL_SS, <u64>(load<u16>(g + GC_KERNEL_SS) | 3));
  store<u64>(c + VC_KERNEL_SP, load<u64>(g + GC_KERNEL_SP));
  store<u64>(c + VC_CB_EVENT, ev);
  store<u64>(c + VC_CB_FAILSAFE, fs);
  store<u64>(c + VC_CB_SYSCALL, sc);
  store<u64>(c + VC_USER_CR3, 0);
  store<u32>(c + VC_FLAGS, load<u32>(c + VC_FLAGS) | VCF_IN_KERNEL);
  store<u64>(dom(curDom) + DOM_VM_ASSIST, load<u64>(dom(curDom) + DOM_VM_ASSIST) | load<u64>(g + GC_VM_ASSIST));
  store<u32>(c + VC_INITIALISED, 1);
  return 0;
}

// Current runstate with the time in the current state added (vcpu_runstate_get), into A.
function runstateInfo(v: u32, a: u32): void {
  const c = vcpuCtl(v);
  const st = load<u32>(c + VC_RS_STATE);
  store<u64>(a, <u64>st);
  memory.copy(a + 8, c + VC_RS_ENTRY, 40);
  const now = nowNs();
  const entry = load<u64>(c + VC_RS_ENTRY);
  if (now > entry) {
    const t = a + 16 + (st & 3) * 8;
    store<u64>(t, load<u64>(t) + (now - entry));
    store<u64>(a + 8, now);
  }
}

// map_vcpu_info: the vcpu_info moves to a frame of the guest's choosing.
function registerVcpuInfo(v: u32, arg: u64): i64 {
  if (!copyFromGuest(HV_SCRATCH, arg, 16)) return -EFAULT;
  const mfn = load<u64>(HV_SCRATCH);
  const offset = load<u32>(HV_SCRATCH + 8);
  if (offset > 4096 - VCPU_INFO_SIZE) return -EINVAL;
  const c = vcpuCtl(v);
  if (v != curVcpu && load<u32>(c + VC_STATE) != VS_OFFLINE) return -EINVAL;
  if (load<u64>(c + VC_VI_MFN) != 0) return -EINVAL; // only once, as in Xen
  // A writable type reference for as long as we write into it: it can never become a page table.
  if (!mfnValid(mfn) || getPageAndType(mfn, curDom, PGT_writable_page) != 0) return -EINVAL;
  store<u64>(c + VC_VI_MFN, mfn + 1);
  const nu = frameAddr(mfn) + offset;
  const old = load<u32>(c + VC_VCPU_INFO);
  if (old != 0) memory.copy(nu, old, VCPU_INFO_SIZE);
  else {
    memory.fill(nu, 0, VCPU_INFO_SIZE);
    store<u8>(nu + VI_evtchn_upcall_mask, 1);
  }
  store<u32>(c + VC_VCPU_INFO, nu);
  // Force an upcall so nothing pending is lost in the move.
  store<u8>(nu + VI_evtchn_upcall_pending, 1);
  store<u64>(nu + VI_evtchn_pending_sel, 0xffffffffffffffff);
  return 0;
}

export function do_vcpu_op(cmd: u64, vcpuid: u64, arg: u64): i64 {
  const d = dom(curDom);
  if (vcpuid >= <u64>load<u32>(d + DOM_NR_VCPUS)) return -ENOENT;
  const v = load<u32>(d + DOM_VCPU0) + <u32>vcpuid;
  const c = vcpuCtl(v);
  switch (<u32>cmd) {
    case VCPUOP_initialise:
      return initialise(v, arg);
    case VCPUOP_up:
      if (load<u32>(c + VC_INITIALISED) == 0) return -EINVAL;
      vcpuUp(v);
      timerUpdate(v);
      return 0;
    case VCPUOP_down: {
      // The last vCPU going down powers the domain off.
      const n = load<u32>(d + DOM_NR_VCPUS);
      let others = false;
      for (let i: u32 = 0; i < n; i++) {
        const u = load<u32>(d + DOM_VCPU0) + i;
        if (u != v && load<u32>(vcpuCtl(u) + VC_STATE) != VS_OFFLINE) others = true;
      }
      if (!others) {
        domainShutdown(curDom, 0);
        requestExit(EXIT_SHUTDOWN);
        return 0;
      }
      vcpuDown(v);
      timerUpdate(v);
      if (v == curVcpu) requestExit(EXIT_BLOCKED);
      return 0;
    }
    case VCPUOP_is_up:
      return load<u32>(c + VC_STATE) != VS_OFFLINE ? 1 : 0;
    case VCPUOP_get_runstate_info:
      runstateInfo(v, HV_SCRATCH);
      return copyToGuest(arg, HV_SCRATCH, 48) ? 0 : -EFAULT;
    case VCPUOP_register_runstate_memory_area: {
      if (!copyFromGuest(HV_SCRATCH, arg, 8)) return -EFAULT;
      const va = load<u64>(HV_SCRATCH);
      store<u64>(c + VC_RS_AREA, va);
      if (va != 0 && v == curVcpu) {
        runstateInfo(v, HV_SCRATCH);
        copyToGuest(va, HV_SCRATCH, 48);
      }
      return 0;
    }
    case VCPUOP_set_periodic_timer: {
      if (!copyFromGuest(HV_SCRATCH, arg, 8)) return -EFAULT;
      const period = load<u64>(HV_SCRATCH);
      if (period < MILLISECS_1 || period > STIME_DELTA_MAX) return -EINVAL;
      store<u64>(c + VC_PERIOD_NS, period);
      timerUpdate(v);
      return 0;
    }
    case VCPUOP_stop_periodic_timer:
      store<u64>(c + VC_PERIOD_NS, 0);
      timerUpdate(v);
      return 0;
    case VCPUOP_set_singleshot_timer: {
      if (v != curVcpu) return -EINVAL;
      if (!copyFromGuest(HV_SCRATCH, arg, 16)) return -EFAULT;
      const at = nsToCycles(load<u64>(HV_SCRATCH));
      // A deadline in the past fires at once.
      store<u64>(c + VC_SSHOT_AT, max<u64>(at, max<u64>(nowCycles(), 1)));
      timerUpdate(v);
      return 0;
    }
    case VCPUOP_stop_singleshot_timer:
      if (v != curVcpu) return -EINVAL;
      store<u64>(c + VC_SSHOT_AT, 0);
      timerUpdate(v);
      return 0;
    case VCPUOP_register_vcpu_info:
      return registerVcpuInfo(v, arg);
    default:
      return -ENOSYS;
  }
}

// For the host: vCPU v's runstate, current time included.
export function runstateOf(v: u32, a: u32): void {
  runstateInfo(v, a);
}
