// vCPU states as the scheduler sees them: runnable, blocked, offline; the moves between them
// (block, wake, down, up) and the runstate accounting Xen exposes (RUNSTATE_*).
import {
  vcpuCtl, dom, curVcpu, VC_STATE, VS_RUNNABLE, VS_BLOCKED, VS_OFFLINE, VC_PCPU, VC_POLLING,
  VC_POLL_EVTCHN, VC_POLL_AT, VC_RS_STATE, VC_RS_ENTRY, VC_RS_TIME, VC_CNT, VCNT_WAKES, VCNT_BLOCKS,
  VC_DOMID, VC_ID, DOM_NR_VCPUS, DOM_VCPU0,
} from "../domain/domain";
import { pcpuRunnable, setPcpuRunnable, pcpuClock, setPcpuClock, curPcpu, pcpuBusy } from "./pcpu";
import { nowCycles, cyclesToNs } from "../time/clock";
import { timerUpdate } from "../time/timers";
import { trace, TR_WAKE, TR_BLOCK, TR_VCPU_DOWN, TR_VCPU_UP } from "../trace/trace";

export const RUNSTATE_running: u32 = 0;
export const RUNSTATE_runnable: u32 = 1;
export const RUNSTATE_blocked: u32 = 2;
export const RUNSTATE_offline: u32 = 3;

@inline function cnt(v: u32, k: u32): void {
  const a = vcpuCtl(v) + VC_CNT + k * 8;
  store<u64>(a, load<u64>(a) + 1);
}

function tr(type: u32, v: u32, a: u64): void {
  const c = vcpuCtl(v);
  trace(type, nowCycles(), curPcpu, load<u32>(c + VC_DOMID), load<u32>(c + VC_ID), a, 0);
}

// Account the time since the last change to the old state and enter the new one.
export function runstateSet(v: u32, state: u32, cycles: u64): void {
  const c = vcpuCtl(v);
  const now = cyclesToNs(cycles);
  const old = load<u32>(c + VC_RS_STATE);
  const entry = load<u64>(c + VC_RS_ENTRY);
  if (now > entry) {
    const t = c + VC_RS_TIME + (old & 3) * 8;
    store<u64>(t, load<u64>(t) + (now - entry));
    store<u64>(c + VC_RS_ENTRY, now);
  }
  store<u32>(c + VC_RS_STATE, state);
}

function leaveRunnable(v: u32): void {
  const p = load<u32>(vcpuCtl(v) + VC_PCPU);
  setPcpuRunnable(p, pcpuRunnable(p) - 1);
}

// vcpu_unblock: a blocked vCPU becomes runnable. A pCPU that had nothing to do catches up with
// the waker's clock, so the woken vCPU never runs before the event that woke it. (A busy pCPU
// is at most one quantum behind the waker, sched/loop.ts; the event reaches its vCPU at that
// pCPU's next quantum boundary.)
export function vcpuKick(v: u32): void {
  const c = vcpuCtl(v);
  if (load<u32>(c + VC_STATE) != VS_BLOCKED) return;
  store<u32>(c + VC_STATE, VS_RUNNABLE);
  store<u32>(c + VC_POLLING, 0);
  store<i32>(c + VC_POLL_EVTCHN, 0);
  if (load<u64>(c + VC_POLL_AT) != 0) {
    store<u64>(c + VC_POLL_AT, 0);
    timerUpdate(v);
  }
  const p = load<u32>(c + VC_PCPU);
  const now = nowCycles();
  if (p != curPcpu && !pcpuBusy(p) && pcpuClock(p) < now) setPcpuClock(p, now);
  setPcpuRunnable(p, pcpuRunnable(p) + 1);
  const t = max<u64>(now, pcpuClock(p));
  runstateSet(v, v == curVcpu && p == curPcpu ? RUNSTATE_running : RUNSTATE_runnable, t);
  cnt(v, VCNT_WAKES);
  tr(TR_WAKE, v, 0);
}

// The running vCPU sleeps until an event (or a timer) wakes it.
export function vcpuBlock(v: u32): void {
  const c = vcpuCtl(v);
  if (load<u32>(c + VC_STATE) != VS_RUNNABLE) return;
  store<u32>(c + VC_STATE, VS_BLOCKED);
  leaveRunnable(v);
  runstateSet(v, RUNSTATE_blocked, nowCycles());
  cnt(v, VCNT_BLOCKS);
  tr(TR_BLOCK, v, 0);
}

// VCPUOP_down, domain shutdown: the vCPU stops being scheduled.
export function vcpuDown(v: u32): void {
  const c = vcpuCtl(v);
  const st = load<u32>(c + VC_STATE);
  if (st == VS_OFFLINE) return;
  if (st == VS_RUNNABLE) leaveRunnable(v);
  store<u32>(c + VC_STATE, VS_OFFLINE);
  store<u32>(c + VC_POLLING, 0);
  runstateSet(v, RUNSTATE_offline, nowCycles());
  tr(TR_VCPU_DOWN, v, 0);
}

// VCPUOP_up (and the first vCPU at domain start).
export function vcpuUp(v: u32): void {
  const c = vcpuCtl(v);
  if (load<u32>(c + VC_STATE) != VS_OFFLINE) return;
  store<u32>(c + VC_STATE, VS_BLOCKED);
  tr(TR_VCPU_UP, v, 0);
  vcpuKick(v);
}

// Every vCPU of a domain that shut down leaves the run queues.
export function domainStopVcpus(d: u32): void {
  const n = load<u32>(dom(d) + DOM_NR_VCPUS);
  const v0 = load<u32>(dom(d) + DOM_VCPU0);
  for (let i: u32 = 0; i < n; i++) {
    vcpuDown(v0 + i);
    store<u64>(vcpuCtl(v0 + i) + VC_POLL_AT, 0);
    timerUpdate(v0 + i);
  }
}
