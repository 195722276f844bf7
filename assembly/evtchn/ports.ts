// Event channel ports (xen/common/event_channel.c, event_2l.c): the per-domain port tables, the
// 2-level pending/mask bitmaps in shared_info, and the operations every caller shares: find a
// free port, raise a port, close, send, unmask, VIRQs. Domain 0 is the host (dom0): its ports
// have no shared_info; their pending bits live in HOST_PENDING and raising one stops the run
// loop so the host's backends can react.
import { EVTCHN_TABLE, EVTCHN_PORTS, EVTCHN_REC, HOST_PENDING, MAX_DOMAINS } from "../layout";
import { SH_evtchn_pending, SH_evtchn_mask, VI_evtchn_upcall_pending, VI_evtchn_pending_sel } from "../abi/structs";
import { EINVAL, ENOSPC } from "../abi/xen";
import {
  dom, vcpuCtl, domValid, DOM_SHARED_INFO, DOM_VCPU0, DOM_NR_VCPUS, DOM_EVTCHN_VALID, DOM_EVTCHN_MAX,
  VC_VCPU_INFO, VC_POLLING, VC_POLL_EVTCHN, VC_VIRQ, VC_STATE, VS_BLOCKED,
} from "../domain/domain";
import { frameAddr } from "../mm/frames";
import { vcpuKick } from "../sched/vcpu_state";
import { requestExit, EXIT_HOST_EVENT } from "../sched/run";
import { timerUpdate } from "../time/timers";

// Port states (struct evtchn.state).
export const ECS_FREE: u8 = 0;
export const ECS_RESERVED: u8 = 1;
export const ECS_UNBOUND: u8 = 2;
export const ECS_INTERDOMAIN: u8 = 3;
export const ECS_PIRQ: u8 = 4;
export const ECS_VIRQ: u8 = 5;
export const ECS_IPI: u8 = 6;

// Port record fields.
export const P_STATE: u32 = 0; // u8
export const P_NOTIFY: u32 = 1; // u8 vCPU id to notify
export const P_VIRQ: u32 = 2; // u8
export const P_REMOTE_DOM: u32 = 4; // u16 (unbound: the domain allowed to bind; interdomain: peer)
export const P_REMOTE_PORT: u32 = 6; // u16

export const NR_VIRQS: u32 = 24;
export const VIRQ_TIMER: u32 = 0;
export const VIRQ_DEBUG: u32 = 1;
export const VIRQ_CONSOLE: u32 = 2;
export const VIRQ_DOM_EXC: u32 = 3;
export const VIRQ_XENOPROF: u32 = 7;
export const VIRQ_XENPMU: u32 = 13;

// Ports are handed out in buckets, as Xen does: port_is_valid() is "inside an allocated bucket".
const BUCKET: u32 = 64;
// The 2-level ABI's limit on 64-bit guests.
export const EVTCHN_2L_NR: u32 = 4096;

export const HOST_DOMID: u32 = 0;

// Set when a host port was raised; the host clears it after draining HOST_PENDING.
export let hostNotify: bool = false;
export function clearHostNotify(): void {
  hostNotify = false;
}

@inline export function portRec(d: u32, port: u32): u32 {
  return EVTCHN_TABLE + (d * EVTCHN_PORTS + port) * EVTCHN_REC;
}

export function domExists(d: u32): bool {
  return d == HOST_DOMID || domValid(d);
}

export function evtchnDomainInit(d: u32): void {
  memory.fill(portRec(d, 0), 0, EVTCHN_PORTS * EVTCHN_REC);
  store<u32>(dom(d) + DOM_EVTCHN_VALID, BUCKET);
  store<u32>(dom(d) + DOM_EVTCHN_MAX, EVTCHN_PORTS - 1);
  store<u8>(portRec(d, 0) + P_STATE, ECS_RESERVED);
  if (d == HOST_DOMID) memory.fill(HOST_PENDING, 0, EVTCHN_PORTS / 8);
}

@inline export function portValid(d: u32, port: u32): bool {
  return port < load<u32>(dom(d) + DOM_EVTCHN_VALID);
}

// get_free_port: the lowest free port, growing the table a bucket at a time; -ENOSPC when full.
export function getFreePort(d: u32): i32 {
  const maxPort = min<u32>(load<u32>(dom(d) + DOM_EVTCHN_MAX), EVTCHN_2L_NR - 1);
  let valid = load<u32>(dom(d) + DOM_EVTCHN_VALID);
  let port: u32 = 0;
  for (; port < valid; port++) {
    if (port > maxPort) return <i32>-ENOSPC;
    if (load<u8>(portRec(d, port) + P_STATE) == ECS_FREE) return <i32>port;
  }
  if (port > maxPort || port >= EVTCHN_PORTS) return <i32>-ENOSPC;
  valid += BUCKET;
  store<u32>(dom(d) + DOM_EVTCHN_VALID, valid);
  memory.fill(portRec(d, port), 0, BUCKET * EVTCHN_REC);
  return <i32>port;
}

export function globalVcpu(d: u32, id: u32): u32 {
  return load<u32>(dom(d) + DOM_VCPU0) + id;
}

export function vcpuIdValid(d: u32, id: u32): bool {
  return id < load<u32>(dom(d) + DOM_NR_VCPUS);
}

function sharedInfo(d: u32): u32 {
  return frameAddr(load<u32>(dom(d) + DOM_SHARED_INFO));
}

export function isPending(d: u32, port: u32): bool {
  if (d == HOST_DOMID) return (load<u8>(HOST_PENDING + (port >> 3)) & (1 << (port & 7))) != 0;
  const w = sharedInfo(d) + SH_evtchn_pending + (port >> 6) * 8;
  return (load<u64>(w) & (<u64>1 << (port & 63))) != 0;
}

function clearPending(d: u32, port: u32): void {
  if (d == HOST_DOMID) {
    const a = HOST_PENDING + (port >> 3);
    store<u8>(a, load<u8>(a) & ~(<u8>(1 << <u8>(port & 7))));
    return;
  }
  const w = sharedInfo(d) + SH_evtchn_pending + (port >> 6) * 8;
  store<u64>(w, load<u64>(w) & ~(<u64>1 << (port & 63)));
}

// evtchn_2l_set_pending, then wake pollers.
export function setPending(d: u32, vcpuId: u32, port: u32): void {
  if (d == HOST_DOMID) {
    const a = HOST_PENDING + (port >> 3);
    const bit = <u8>(1 << <u8>(port & 7));
    if ((load<u8>(a) & bit) != 0) return;
    store<u8>(a, load<u8>(a) | bit);
    hostNotify = true;
    requestExit(EXIT_HOST_EVENT);
    return;
  }
  const si = sharedInfo(d);
  const word = port >> 6;
  const bit: u64 = <u64>1 << (port & 63);
  const pend = si + SH_evtchn_pending + word * 8;
  if ((load<u64>(pend) & bit) != 0) return;
  store<u64>(pend, load<u64>(pend) | bit);
  if ((load<u64>(si + SH_evtchn_mask + word * 8) & bit) == 0 && vcpuIdValid(d, vcpuId)) {
    markPending(globalVcpu(d, vcpuId), word);
  }
  checkPollers(d, port);
}

// Set the selector bit and, if newly set, upcall_pending; a newly pending upcall kicks the vCPU.
function markPending(v: u32, word: u32): void {
  const vi = load<u32>(vcpuCtl(v) + VC_VCPU_INFO);
  if (vi == 0) return;
  const sel = vi + VI_evtchn_pending_sel;
  const sbit: u64 = <u64>1 << word;
  if ((load<u64>(sel) & sbit) != 0) return;
  store<u64>(sel, load<u64>(sel) | sbit);
  if (load<u8>(vi + VI_evtchn_upcall_pending) != 0) return;
  store<u8>(vi + VI_evtchn_upcall_pending, 1);
  vcpuKick(v);
}

// evtchn_check_pollers: wake vCPUs polling this port (or any port).
function checkPollers(d: u32, port: u32): void {
  const n = load<u32>(dom(d) + DOM_NR_VCPUS);
  const v0 = load<u32>(dom(d) + DOM_VCPU0);
  for (let i: u32 = 0; i < n; i++) {
    const c = vcpuCtl(v0 + i);
    if (load<u32>(c + VC_POLLING) == 0) continue;
    const want = load<i32>(c + VC_POLL_EVTCHN);
    if (want > 0 && <u32>want != port) continue;
    store<u32>(c + VC_POLLING, 0);
    store<i32>(c + VC_POLL_EVTCHN, 0);
    if (load<u32>(c + VC_STATE) == VS_BLOCKED) vcpuKick(v0 + i);
  }
}

// evtchn_2l_unmask.
export function unmaskPort(d: u32, port: u32): void {
  if (d == HOST_DOMID) return;
  const si = sharedInfo(d);
  const word = port >> 6;
  const bit: u64 = <u64>1 << (port & 63);
  const m = si + SH_evtchn_mask + word * 8;
  store<u64>(m, load<u64>(m) & ~bit);
  if ((load<u64>(si + SH_evtchn_pending + word * 8) & bit) == 0) return;
  const id = <u32>load<u8>(portRec(d, port) + P_NOTIFY);
  if (vcpuIdValid(d, id)) markPending(globalVcpu(d, id), word);
}

function freePort(d: u32, port: u32): void {
  clearPending(d, port);
  const r = portRec(d, port);
  store<u8>(r + P_STATE, ECS_FREE);
  store<u8>(r + P_NOTIFY, 0);
  store<u8>(r + P_VIRQ, 0);
  store<u16>(r + P_REMOTE_DOM, 0);
  store<u16>(r + P_REMOTE_PORT, 0);
}

// __evtchn_close.
export function closePort(d: u32, port: u32): i64 {
  if (!portValid(d, port)) return -EINVAL;
  const r = portRec(d, port);
  const st = load<u8>(r + P_STATE);
  if (st == ECS_FREE || st == ECS_RESERVED) return -EINVAL;
  if (st == ECS_VIRQ) {
    const virq = <u32>load<u8>(r + P_VIRQ);
    const n = load<u32>(dom(d) + DOM_NR_VCPUS);
    for (let i: u32 = 0; i < n; i++) {
      const a = vcpuCtl(globalVcpu(d, i)) + VC_VIRQ + virq * 2;
      if (<u32>load<u16>(a) == port) {
        store<u16>(a, 0);
        if (virq == VIRQ_TIMER) timerUpdate(globalVcpu(d, i));
      }
    }
  } else if (st == ECS_INTERDOMAIN) {
    const rd = <u32>load<u16>(r + P_REMOTE_DOM);
    const rp = <u32>load<u16>(r + P_REMOTE_PORT);
    const rr = portRec(rd, rp);
    store<u8>(rr + P_STATE, ECS_UNBOUND);
    store<u16>(rr + P_REMOTE_DOM, <u16>d);
    store<u16>(rr + P_REMOTE_PORT, 0);
  }
  freePort(d, port);
  return 0;
}

// Close every port of a domain (EVTCHNOP_reset, domain teardown).
export function closeAll(d: u32): void {
  const valid = load<u32>(dom(d) + DOM_EVTCHN_VALID);
  for (let p: u32 = 0; p < valid; p++) closePort(d, p);
}

// evtchn_send from domain d's port.
export function sendPort(d: u32, port: u32): i64 {
  if (!portValid(d, port)) return -EINVAL;
  const r = portRec(d, port);
  const st = load<u8>(r + P_STATE);
  if (st == ECS_INTERDOMAIN) {
    const rd = <u32>load<u16>(r + P_REMOTE_DOM);
    const rp = <u32>load<u16>(r + P_REMOTE_PORT);
    setPending(rd, <u32>load<u8>(portRec(rd, rp) + P_NOTIFY), rp);
    return 0;
  }
  if (st == ECS_IPI) {
    setPending(d, <u32>load<u8>(r + P_NOTIFY), port);
    return 0;
  }
  if (st == ECS_UNBOUND) return 0; // dropped, as Xen does
  return -EINVAL;
}

// send_guest_vcpu_virq / send_guest_global_virq.
export function sendVirq(d: u32, vcpuId: u32, virq: u32): void {
  if (d >= MAX_DOMAINS || !domValid(d) || !vcpuIdValid(d, vcpuId)) return;
  const port = <u32>load<u16>(vcpuCtl(globalVcpu(d, vcpuId)) + VC_VIRQ + virq * 2);
  if (port == 0) return;
  setPending(d, <u32>load<u8>(portRec(d, port) + P_NOTIFY), port);
}

export function virqIsGlobal(virq: u32): bool {
  return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF || virq == VIRQ_XENPMU);
}

// The host's pending ports, lowest first; -1 when none (clears the bit it returns).
export function hostNextPending(): i32 {
  for (let w: u32 = 0; w < EVTCHN_PORTS / 64; w++) {
    const v = load<u64>(HOST_PENDING + w * 8);
    if (v == 0) continue;
    const b = <u32>ctz(v);
    store<u64>(HOST_PENDING + w * 8, v & ~(<u64>1 << b));
    return <i32>(w * 64 + b);
  }
  return -1;
}
