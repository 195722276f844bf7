// Domains and their vCPUs: the tables in linear memory and the accessors for them.
import {
  DOMAIN_TABLE, DOMAIN_STRIDE, MAX_DOMAINS, VCPU_TABLE, VCPU_STRIDE, MAX_VCPUS, CPU, CPU_SIZE,
  TRAP_TABLE, TRAP_STRIDE, CONSOLE_BUF, CONSOLE_BUF_SIZE, RFLAGS, SEL, MESSAGE_BUF, MESSAGE_BUF_SIZE,
  MXCSR,
} from "../layout";
import { FLAT_KERNEL_CS64, FLAT_KERNEL_SS64 } from "../abi/xen";
import { tlbReset, tlbFlushAll, setGuestUser } from "../cpu/mem";
import { x87InitSaved } from "../cpu/x87";

// ---- domain control block ----
export const DOM_STATE: u32 = 0; // u32, DS_*
export const DOM_SHUTDOWN_REASON: u32 = 4;
export const DOM_NR_VCPUS: u32 = 8;
export const DOM_VCPU0: u32 = 12; // global index of vCPU 0
export const DOM_TOT_PAGES: u32 = 16;
export const DOM_MAX_PAGES: u32 = 20;
export const DOM_SHARED_INFO: u32 = 24; // MFN of shared_info
export const DOM_CONSOLE_LEN: u32 = 28; // bytes waiting in the console_io buffer
export const DOM_PRIVILEGED: u32 = 32;
export const DOM_SHUTDOWN_CODE: u32 = 36;
export const DOM_VM_ASSIST: u32 = 40; // u64
export const DOM_START_INFO: u32 = 48; // u64 MFN

export const DOM_EVTCHN_VALID: u32 = 0x100; // u32 ports allocated in buckets (evtchn/ports.ts)
export const DOM_EVTCHN_MAX: u32 = 0x104; // u32 max_evtchn_port
export const DOM_WATCHDOG: u32 = 0x108; // 2 x u64 watchdog deadlines (cycles, 0 = unused)

export const DS_FREE: u32 = 0;
export const DS_BUILDING: u32 = 1;
export const DS_RUNNING: u32 = 2;
export const DS_SHUTDOWN: u32 = 3;
export const DS_DYING: u32 = 4; // destroyed, kept while others reference its frames (domain/destroy.ts)

// ---- vCPU control block (after the saved CPU state) ----
export const VC_DOMID: u32 = 0;
export const VC_ID: u32 = 4;
export const VC_STATE: u32 = 8; // VS_*
export const VC_FLAGS: u32 = 12; // VCF_*
export const VC_KERNEL_SS: u32 = 16;
export const VC_KERNEL_SP: u32 = 24;
export const VC_CB_EVENT: u32 = 32;
export const VC_CB_FAILSAFE: u32 = 40;
export const VC_CB_SYSCALL: u32 = 48;
export const VC_CB_SYSCALL32: u32 = 56;
export const VC_CB_SYSENTER: u32 = 64;
export const VC_CB_NMI: u32 = 72;
export const VC_CB_MASK: u32 = 80; // u32: bit per callback type: mask events on entry
export const VC_USER_CR3: u32 = 88; // machine address of the user-mode L4 (0: none)
export const VC_KERNEL_CR3: u32 = 96;
export const VC_IOPL: u32 = 104;
export const VC_FPU_TS: u32 = 108; // virtual CR0.TS
export const VC_GDT_ENTS: u32 = 112;
export const VC_FEP: u32 = 116; // forced-emulation prefix pending

// Events, timers, scheduling (evtchn/, time/, sched/): times in cycles of the vCPU's pCPU.
export const VC_VCPU_INFO: u32 = 0x100; // u32 host address of this vCPU's vcpu_info (0: none)
export const VC_PCPU: u32 = 0x104; // u32 physical CPU the vCPU runs on
export const VC_POLLING: u32 = 0x108; // u32 1 while blocked in SCHEDOP_poll
export const VC_POLL_EVTCHN: u32 = 0x10c; // i32 the one polled port, 0 = any
export const VC_SSHOT_AT: u32 = 0x110; // u64 single-shot timer deadline (0 = off)
export const VC_PERIOD_NS: u32 = 0x118; // u64 periodic timer period (0 = off)
export const VC_PERIOD_LAST: u32 = 0x120; // u64 cycles of the last periodic tick
export const VC_POLL_AT: u32 = 0x128; // u64 poll timeout deadline (0 = none)
export const VC_HEAP_POS: u32 = 0x130; // u32 position + 1 in its pCPU's timer heap (0 = absent)
export const VC_INITIALISED: u32 = 0x134; // u32 has a context (VCPUOP_initialise or the builder)
export const VC_RS_STATE: u32 = 0x138; // u32 RUNSTATE_*
export const VC_RS_ENTRY: u32 = 0x140; // u64 ns of the last runstate change
export const VC_RS_TIME: u32 = 0x148; // 4 x u64 ns per RUNSTATE_*
export const VC_RS_AREA: u32 = 0x168; // u64 guest VA of the registered runstate area (0 = none)
export const VC_VIRQ: u32 = 0x170; // 24 x u16 VIRQ -> port
export const VC_CNT: u32 = 0x1a0; // u64 counters, VCNT_* (sched/counters)
export const VCNT_HYPERCALLS: u32 = 0;
export const VCNT_UPCALLS: u32 = 1;
export const VCNT_TIMER: u32 = 2;
export const VCNT_BLOCKS: u32 = 3;
export const VCNT_WAKES: u32 = 4;
export const VCNT_SCHED_IN: u32 = 5;
export const VCNT_SENDS: u32 = 6;
export const VCNT_YIELDS: u32 = 7;
export const VCNT_INSNS: u32 = 8;
export const VCNT_N: u32 = 9;
export const VC_TIMER_KEY: u32 = 0x1f0; // u64 earliest timer deadline in cycles (time/timers.ts), 0 = none
export const VC_VI_MFN: u32 = 0x1f8; // u64 frame of a registered vcpu_info + 1 (0: still in shared_info)

export const VS_OFFLINE: u32 = 0;
export const VS_RUNNABLE: u32 = 1;
export const VS_BLOCKED: u32 = 2;

export const VCF_IN_KERNEL: u32 = 1;

export let curVcpu: u32 = 0; // global vCPU index loaded in CPU
export let curDom: u32 = 0;
let vcpuLoaded: bool = false;
// vCPU slots in use (a domain's vCPUs are consecutive slots, freed when it is destroyed).
const vcpuSlotUsed = new StaticArray<bool>(MAX_VCPUS);

@inline export function dom(d: u32): u32 {
  return DOMAIN_TABLE + d * DOMAIN_STRIDE;
}

@inline export function vcpuSave(v: u32): u32 {
  return VCPU_TABLE + v * VCPU_STRIDE;
}

@inline export function vcpuCtl(v: u32): u32 {
  return VCPU_TABLE + v * VCPU_STRIDE + CPU_SIZE;
}

@inline export function vc(): u32 {
  return vcpuCtl(curVcpu);
}

@inline export function trapEntry(v: u32, vector: u32): u32 {
  return TRAP_TABLE + v * TRAP_STRIDE + vector * 16;
}

// A domain that exists and is not being destroyed.
export function domValid(d: u32): bool {
  if (d >= MAX_DOMAINS) return false;
  const s = load<u32>(dom(d) + DOM_STATE);
  return s != DS_FREE && s != DS_DYING;
}

// A domain slot in use, dying ones included (their grants can still be unmapped).
export function domExists(d: u32): bool {
  return d < MAX_DOMAINS && load<u32>(dom(d) + DOM_STATE) != DS_FREE;
}

// Allocate a domain slot with nrVcpus vCPUs; returns the domid, -1 when the id is not free,
// or -2 when there are not that many free vCPU slots in a row (MAX_VCPUS in all).
export function domainCreate(domid: u32, nrVcpus: u32, maxPages: u32): i32 {
  if (domid >= MAX_DOMAINS || load<u32>(dom(domid) + DOM_STATE) != DS_FREE) return -1;
  if (nrVcpus == 0 || nrVcpus > MAX_VCPUS) return -2;
  // The first run of nrVcpus free slots.
  let first: u32 = 0;
  let run: u32 = 0;
  for (let v: u32 = 0; v < MAX_VCPUS && run < nrVcpus; v++) {
    if (unchecked(vcpuSlotUsed[v])) {
      run = 0;
      first = v + 1;
    } else run++;
  }
  if (run < nrVcpus) return -2;
  const nextVcpu = first;
  const d = dom(domid);
  memory.fill(d, 0, DOMAIN_STRIDE);
  store<u32>(d + DOM_STATE, DS_BUILDING);
  store<u32>(d + DOM_SHUTDOWN_CODE, SHUTDOWN_CODE_INVALID);
  store<u32>(d + DOM_NR_VCPUS, nrVcpus);
  store<u32>(d + DOM_VCPU0, nextVcpu);
  store<u32>(d + DOM_MAX_PAGES, maxPages);
  for (let i: u32 = 0; i < nrVcpus; i++) {
    const v = nextVcpu + i;
    memory.fill(vcpuSave(v), 0, VCPU_STRIDE);
    memory.fill(TRAP_TABLE + v * TRAP_STRIDE, 0, TRAP_STRIDE);
    const c = vcpuCtl(v);
    store<u32>(c + VC_DOMID, domid);
    store<u32>(c + VC_ID, i);
    store<u32>(c + VC_STATE, i == 0 ? VS_RUNNABLE : VS_OFFLINE);
    store<u32>(c + VC_FLAGS, VCF_IN_KERNEL);
    // Initial register state per xg_dom_x86.c: flat ring-3 selectors, IF set.
    const s = vcpuSave(v);
    store<u64>(s + (RFLAGS - CPU), 0x202);
    // FPU/SSE state after reset as Xen gives it: MXCSR_DEFAULT and the x87 after fninit.
    store<u32>(s + (MXCSR - CPU), 0x1f80);
    x87InitSaved(s);
    store<u16>(s + (SEL - CPU) + 2, FLAT_KERNEL_CS64);
    store<u16>(s + (SEL - CPU) + 4, FLAT_KERNEL_SS64);
  }
  for (let i: u32 = 0; i < nrVcpus; i++) unchecked((vcpuSlotUsed[nextVcpu + i] = true));
  store<u32>(CONSOLE_BUF + domid * CONSOLE_BUF_SIZE, 0);
  return <i32>domid;
}

// Whether the CPU holds vCPU v's state.
export function vcpuIsLoaded(v: u32): bool {
  return vcpuLoaded && curVcpu == v;
}

// Make vCPU v the one the CPU runs (saving the current one).
export function vcpuLoad(v: u32): void {
  if (vcpuLoaded && v == curVcpu) return;
  if (vcpuLoaded) memory.copy(vcpuSave(curVcpu), CPU, CPU_SIZE);
  memory.copy(CPU, vcpuSave(v), CPU_SIZE);
  curVcpu = v;
  curDom = load<u32>(vcpuCtl(v) + VC_DOMID);
  vcpuLoaded = true;
  setGuestUser((load<u32>(vcpuCtl(v) + VC_FLAGS) & VCF_IN_KERNEL) == 0);
  // The lazy-flags state travels with the CPU block; RFLAGS is reloaded as is.
  // A generation flush: switching vCPUs many times per virtual millisecond stays cheap.
  tlbFlushAll();
}

// The last step of destroying domain d: its vCPU slots are free again, and the CPU no longer
// counts as holding one of them (a new vCPU in the slot starts from its own save area).
export function domainRelease(d: u32): void {
  const p = dom(d);
  const v0 = load<u32>(p + DOM_VCPU0);
  const n = load<u32>(p + DOM_NR_VCPUS);
  for (let i: u32 = 0; i < n; i++) unchecked((vcpuSlotUsed[v0 + i] = false));
  if (vcpuLoaded && curVcpu >= v0 && curVcpu < v0 + n) vcpuLoaded = false;
  store<u32>(p + DOM_STATE, DS_FREE);
}

// Write the running vCPU back to its save area (for the host to read).
export function vcpuSync(): void {
  if (vcpuLoaded) memory.copy(vcpuSave(curVcpu), CPU, CPU_SIZE);
}

// Host wrote a vCPU's save area: reload it if it is the loaded one.
export function vcpuReload(v: u32): void {
  if (vcpuLoaded && v == curVcpu) {
    memory.copy(CPU, vcpuSave(v), CPU_SIZE);
    tlbReset();
  }
}

// SCHEDOP_shutdown_code's code, once set, is the reason of any later shutdown (Xen's
// domain_shutdown); until then the code is SHUTDOWN_CODE_INVALID.
export const SHUTDOWN_CODE_INVALID: u32 = 0xffffffff;

export function domainShutdown(d: u32, reason: u32): void {
  const p = dom(d);
  if (load<u32>(p + DOM_STATE) == DS_SHUTDOWN) return;
  if (load<u32>(p + DOM_SHUTDOWN_CODE) == SHUTDOWN_CODE_INVALID) store<u32>(p + DOM_SHUTDOWN_CODE, reason);
  store<u32>(p + DOM_STATE, DS_SHUTDOWN);
  store<u32>(p + DOM_SHUTDOWN_REASON, load<u32>(p + DOM_SHUTDOWN_CODE));
}

// ---- diagnostics for the host ----
let msgLen: u32 = 0;

export function msgClear(): void {
  msgLen = 0;
  store<u8>(MESSAGE_BUF, 0);
}

export function msg(s: string): void {
  for (let i = 0; i < s.length && msgLen < MESSAGE_BUF_SIZE - 1; i++) {
    store<u8>(MESSAGE_BUF + msgLen, <u8>s.charCodeAt(i));
    msgLen++;
  }
  store<u8>(MESSAGE_BUF + msgLen, 0);
}

export function msgHex(v: u64): void {
  msg("0x");
  let started = false;
  for (let i = 15; i >= 0; i--) {
    const nib = <u32>(v >> (<u64>i * 4)) & 15;
    if (nib != 0 || started || i == 0) {
      started = true;
      store<u8>(MESSAGE_BUF + msgLen, <u8>(nib < 10 ? 48 + nib : 87 + nib));
      if (msgLen < MESSAGE_BUF_SIZE - 2) msgLen++;
    }
  }
  store<u8>(MESSAGE_BUF + msgLen, 0);
}

export function msgLength(): u32 {
  return msgLen;
}
