// vCPU timers: the single-shot timer (set_timer_op, VCPUOP_set_singleshot_timer), the periodic
// timer (10 ms by default for PV vCPUs), the SCHEDOP_poll timeout and, on vCPU 0, the domain's
// watchdogs. Each vCPU's earliest deadline is its key in a binary min-heap of its pCPU, so the
// run loop finds the next expiry at once and can skip idle time straight to it.
import { TIMER_HEAPS, TIMER_HEAP_STRIDE } from "../layout";
import {
  vcpuCtl, dom, VC_SSHOT_AT, VC_PERIOD_NS, VC_PERIOD_LAST, VC_POLL_AT, VC_HEAP_POS, VC_TIMER_KEY,
  VC_PCPU, VC_STATE, VS_OFFLINE, VC_VIRQ, VC_DOMID, VC_ID, VC_CNT, VCNT_TIMER, DOM_WATCHDOG, DOM_STATE, DS_RUNNING,
  domainShutdown,
} from "../domain/domain";
import { nsToCycles, cyclesToNs } from "./clock";
import { trace, TR_TIMER } from "../trace/trace";

const NONE: u64 = 0xffffffffffffffff;
// PC heap sizes live in the heap's first slot-free word: keep them here.
const SIZES = memory.data(64 * 4, 4);

export const NR_WATCHDOGS: u32 = 2;
export const WD_INUSE: u32 = DOM_WATCHDOG + 16; // u32 bitmap

@inline function heap(p: u32): u32 {
  return TIMER_HEAPS + p * TIMER_HEAP_STRIDE;
}
@inline function size(p: u32): u32 {
  return load<u32>(SIZES + p * 4);
}
@inline function key(v: u32): u64 {
  return load<u64>(vcpuCtl(v) + VC_TIMER_KEY);
}
@inline function at(p: u32, i: u32): u32 {
  return load<u32>(heap(p) + i * 4);
}
@inline function put(p: u32, i: u32, v: u32): void {
  store<u32>(heap(p) + i * 4, v);
  store<u32>(vcpuCtl(v) + VC_HEAP_POS, i + 1);
}
// Ties break on the vCPU index so the order never depends on insertion history.
@inline function less(a: u32, b: u32): bool {
  const ka = key(a), kb = key(b);
  return ka < kb || (ka == kb && a < b);
}

export function timersReset(): void {
  memory.fill(SIZES, 0, 64 * 4);
}

function siftUp(p: u32, i: u32): void {
  const v = at(p, i);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const u = at(p, parent);
    if (!less(v, u)) break;
    put(p, i, u);
    i = parent;
  }
  put(p, i, v);
}

function siftDown(p: u32, i: u32): void {
  const n = size(p);
  const v = at(p, i);
  while (true) {
    const l: u32 = 2 * i + 1;
    if (l >= n) break;
    let c: u32 = l;
    if (l + 1 < n && less(at(p, l + 1), at(p, l))) c = l + 1;
    if (!less(at(p, c), v)) break;
    put(p, i, at(p, c));
    i = c;
  }
  put(p, i, v);
}

function remove(p: u32, v: u32): void {
  const pos = load<u32>(vcpuCtl(v) + VC_HEAP_POS);
  if (pos == 0) return;
  const i = pos - 1;
  const n = size(p) - 1;
  store<u32>(SIZES + p * 4, n);
  store<u32>(vcpuCtl(v) + VC_HEAP_POS, 0);
  if (i == n) return;
  put(p, i, at(p, n));
  siftDown(p, i);
  siftUp(p, load<u32>(vcpuCtl(at(p, i)) + VC_HEAP_POS) - 1);
}

// The periodic timer's next expiry in cycles (0: off).
// A tick with no VIRQ_TIMER port bound changes nothing, so such a vCPU has no periodic expiry:
// idle skipping then jumps over it (periodicRebase keeps the ticks' phase when a port appears).
function periodicAt(c: u32): u64 {
  const period = load<u64>(c + VC_PERIOD_NS);
  if (period == 0 || load<u16>(c + VC_VIRQ) == 0) return 0;
  return nsToCycles(load<u64>(c + VC_PERIOD_LAST) + period);
}

@inline function earliest(a: u64, b: u64): u64 {
  if (a == 0) return b;
  if (b == 0) return a;
  return min<u64>(a, b);
}

function deadlineOf(v: u32): u64 {
  const c = vcpuCtl(v);
  if (load<u32>(c + VC_STATE) == VS_OFFLINE && load<u32>(c + VC_ID) != 0) return 0;
  let k: u64 = 0;
  if (load<u32>(c + VC_STATE) != VS_OFFLINE) {
    k = earliest(load<u64>(c + VC_SSHOT_AT), periodicAt(c));
    k = earliest(k, load<u64>(c + VC_POLL_AT));
  }
  if (load<u32>(c + VC_ID) == 0) {
    const d = dom(load<u32>(c + VC_DOMID));
    if (load<u32>(d + DOM_STATE) == DS_RUNNING) {
      const inuse = load<u32>(d + WD_INUSE);
      for (let i: u32 = 0; i < NR_WATCHDOGS; i++) {
        if ((inuse & (1 << i)) != 0) k = earliest(k, max<u64>(load<u64>(d + DOM_WATCHDOG + i * 8), 1));
      }
    }
  }
  return k;
}

// Recompute vCPU v's key after any of its deadlines changed.
export function timerUpdate(v: u32): void {
  const p = load<u32>(vcpuCtl(v) + VC_PCPU);
  const k = deadlineOf(v);
  remove(p, v);
  store<u64>(vcpuCtl(v) + VC_TIMER_KEY, k);
  if (k == 0) return;
  const n = size(p);
  store<u32>(SIZES + p * 4, n + 1);
  put(p, n, v);
  siftUp(p, n);
}

// The earliest deadline on pCPU p (all ones: none).
export function nextDeadline(p: u32): u64 {
  return size(p) == 0 ? NONE : key(at(p, 0));
}

// The vCPU with the earliest deadline on p (call only when nextDeadline(p) != NONE).
export function nextTimerVcpu(p: u32): u32 {
  return at(p, 0);
}

export function countTimer(v: u32, kind: u32, cycles: u64, pcpu: u32): void {
  const c = vcpuCtl(v);
  const a = c + VC_CNT + VCNT_TIMER * 8;
  store<u64>(a, load<u64>(a) + 1);
  trace(TR_TIMER, cycles, pcpu, load<u32>(c + VC_DOMID), load<u32>(c + VC_ID), <u64>kind, 0);
}

// Watchdogs of vCPU 0's domain that expired by `now`: the domain is shut down (watchdog).
export function expireWatchdogs(v: u32, now: u64): bool {
  const c = vcpuCtl(v);
  if (load<u32>(c + VC_ID) != 0) return false;
  const d = dom(load<u32>(c + VC_DOMID));
  const inuse = load<u32>(d + WD_INUSE);
  for (let i: u32 = 0; i < NR_WATCHDOGS; i++) {
    if ((inuse & (1 << i)) != 0 && load<u64>(d + DOM_WATCHDOG + i * 8) <= now) {
      store<u32>(d + WD_INUSE, 0);
      domainShutdown(load<u32>(c + VC_DOMID), 4); // SHUTDOWN_watchdog
      return true;
    }
  }
  return false;
}

export function periodicDue(v: u32, now: u64): bool {
  const at = periodicAt(vcpuCtl(v));
  return at != 0 && at <= now;
}

export function periodicFired(v: u32, now: u64): void {
  store<u64>(vcpuCtl(v) + VC_PERIOD_LAST, cyclesToNs(now));
}

// VIRQ_TIMER was just bound: move the last tick to where Xen's unobserved ticks left it.
export function periodicRebase(v: u32, nowNs: u64): void {
  const c = vcpuCtl(v);
  const period = load<u64>(c + VC_PERIOD_NS);
  const last = load<u64>(c + VC_PERIOD_LAST);
  if (period != 0 && nowNs > last) store<u64>(c + VC_PERIOD_LAST, last + ((nowNs - last) / period) * period);
  timerUpdate(v);
}
