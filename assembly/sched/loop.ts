// The machine run loop. It always advances the physical CPU whose clock is furthest behind, by
// at most a quantum, so the interleaving of pCPUs is a function of the inputs only. On the
// chosen pCPU it fires expired timers, asks the policy (sched/rr.ts) which vCPU runs, and runs
// it with runVcpu(); with nothing to run the pCPU's clock jumps to the earliest moment anything
// could happen to it (idle skipping). It returns to the host when the host has work.
import { reloadSegments } from "../domain/traps";
import { INSNS } from "../layout";
import {
  vcpuLoad, vcpuIsLoaded, vcpuCtl, dom, VC_SSHOT_AT, VC_POLL_AT, VC_POLLING, VC_POLL_EVTCHN, VC_DOMID,
  VC_ID, VC_STATE, VS_BLOCKED, VC_CNT, VCNT_SCHED_IN, VCNT_INSNS, VC_RS_AREA, VC_RS_STATE,
  VC_RS_ENTRY, DOM_STATE, DS_SHUTDOWN, DOM_SHUTDOWN_REASON, VS_RUNNABLE,
} from "../domain/domain";
import {
  nrPcpus, pcpuClock, setPcpuClock, pcpuCur, setPcpuCur, pcpuSliceEnd, setPcpuSliceEnd, pcpuBusy,
  setCurPcpu, pcpuAddIdle,
} from "./pcpu";
import { rrPick, runnableHere, sliceCycles } from "./rr";
import { runVcpu, EXIT_HOST_EVENT, EXIT_SHUTDOWN, EXIT_CONSOLE, EXIT_EXCEPTION, EXIT_YIELD, EXIT_BUDGET, EXIT_IDLE, EXIT_TIME, trapToHost } from "./run";
import { vcpuKick, domainStopVcpus, runstateSet, RUNSTATE_running, RUNSTATE_runnable } from "./vcpu_state";
import { setBase, extraCycles, cyclesPerInsn, charge, COST_CTX_SWITCH } from "../time/clock";
import {
  nextDeadline, nextTimerVcpu, timerUpdate, periodicDue, periodicFired, expireWatchdogs, countTimer,
} from "../time/timers";
import { updateTimeInfo } from "../time/vtime";
import { sendVirq, VIRQ_TIMER, hostNotify } from "../evtchn/ports";
import { deliverEvents } from "../evtchn/deliver";
import { trace, TR_SCHED_IN, TR_SCHED_OUT, TR_IDLE, TR_SHUTDOWN } from "../trace/trace";
import { copyToGuest } from "../mm/guest";
import { HV_SCRATCH } from "../layout";

const NONE: u64 = 0xffffffffffffffff;

// How far one pCPU may run ahead before the others catch up (only matters with several).
export let quantumCycles: u64 = 200000; // 100 us at 2 GHz
export function setQuantum(c: u64): void {
  if (c >= 1000) quantumCycles = c;
}

// A domain shut down since the host last looked.
let shutdownSeen: bool = false;

// ---- timers ----
function fireTimers(p: u32, now: u64): void {
  while (nextDeadline(p) <= now) {
    const v = nextTimerVcpu(p);
    const c = vcpuCtl(v);
    const d = load<u32>(c + VC_DOMID);
    const id = load<u32>(c + VC_ID);
    const ss = load<u64>(c + VC_SSHOT_AT);
    if (ss != 0 && ss <= now) {
      store<u64>(c + VC_SSHOT_AT, 0);
      countTimer(v, 0, now, p);
      sendVirq(d, id, VIRQ_TIMER);
    }
    if (periodicDue(v, now)) {
      periodicFired(v, now);
      countTimer(v, 1, now, p);
      sendVirq(d, id, VIRQ_TIMER);
    }
    const pa = load<u64>(c + VC_POLL_AT);
    if (pa != 0 && pa <= now) {
      store<u64>(c + VC_POLL_AT, 0);
      countTimer(v, 2, now, p);
      if (load<u32>(c + VC_POLLING) != 0 && load<u32>(c + VC_STATE) == VS_BLOCKED) {
        store<u32>(c + VC_POLLING, 0);
        store<i32>(c + VC_POLL_EVTCHN, 0);
        vcpuKick(v);
      }
    }
    if (expireWatchdogs(v, now)) {
      countTimer(v, 3, now, p);
      noteShutdown(d);
    }
    timerUpdate(v);
  }
}

export function noteShutdown(d: u32): void {
  domainStopVcpus(d);
  trace(TR_SHUTDOWN, pcpuClock(0), 0, d, 0, <u64>load<u32>(dom(d) + DOM_SHUTDOWN_REASON), 0);
  shutdownSeen = true;
}

// ---- choosing the pCPU ----
// Has nothing to do at its current clock (no runnable vCPU, no expired timer).
function quiet(p: u32): bool {
  return !pcpuBusy(p) && nextDeadline(p) > pcpuClock(p);
}

// Furthest behind; among equals a pCPU with work first, then the lowest index.
function choosePcpu(): u32 {
  let best: u32 = 0;
  for (let p: u32 = 1; p < nrPcpus; p++) {
    const a = pcpuClock(p), b = pcpuClock(best);
    if (a < b || (a == b && quiet(best) && !quiet(p))) best = p;
  }
  return best;
}

// The earliest moment another pCPU could send p something.
function horizon(p: u32): u64 {
  let h = NONE;
  for (let q: u32 = 0; q < nrPcpus; q++) {
    if (q == p) continue;
    const t = pcpuBusy(q) ? pcpuClock(q) : max<u64>(pcpuClock(q), nextDeadline(q));
    h = min<u64>(h, t);
  }
  return h;
}

// ---- switching vCPUs ----
function schedOut(v: u32, p: u32, now: u64): void {
  const c = vcpuCtl(v);
  if (load<u32>(c + VC_STATE) == VS_RUNNABLE) runstateSet(v, RUNSTATE_runnable, now);
  trace(TR_SCHED_OUT, now, p, load<u32>(c + VC_DOMID), load<u32>(c + VC_ID), 0, 0);
}

function schedIn(v: u32, p: u32, now: u64): void {
  const c = vcpuCtl(v);
  runstateSet(v, RUNSTATE_running, now);
  const a = c + VC_CNT + VCNT_SCHED_IN * 8;
  store<u64>(a, load<u64>(a) + 1);
  trace(TR_SCHED_IN, now, p, load<u32>(c + VC_DOMID), load<u32>(c + VC_ID), 0, 0);
}

// Copy the runstate into the area the guest registered (the vCPU is loaded).
function writeRunstateArea(v: u32): void {
  const c = vcpuCtl(v);
  const va = load<u64>(c + VC_RS_AREA);
  if (va == 0) return;
  store<u64>(HV_SCRATCH, <u64>load<u32>(c + VC_RS_STATE));
  memory.copy(HV_SCRATCH + 8, c + VC_RS_ENTRY, 40);
  copyToGuest(va, HV_SCRATCH, 48);
}

// Run the machine until the slowest pCPU reaches untilCycles or maxInsns instructions ran, or
// the host has work: a host port was raised, console output waits, a domain shut down.
// Returns EXIT_TIME, EXIT_BUDGET, EXIT_HOST_EVENT, EXIT_CONSOLE, EXIT_SHUTDOWN, EXIT_IDLE
// (nothing runnable and no timer anywhere) or EXIT_EXCEPTION (trap-to-host mode).
export function runMachine(untilCycles: u64, maxInsns: u64): u32 {
  let insns: u64 = 0;
  while (true) {
    if (shutdownSeen) {
      shutdownSeen = false;
      return EXIT_SHUTDOWN;
    }
    if (hostNotify) return EXIT_HOST_EVENT;
    if (insns >= maxInsns) return EXIT_BUDGET;
    const p = choosePcpu();
    const now = pcpuClock(p);
    if (now >= untilCycles) return EXIT_TIME;
    setCurPcpu(p);
    setBase(now);
    fireTimers(p, now);
    if (shutdownSeen) continue;

    const cur = pcpuCur(p);
    let v: i32 = -1;
    if (cur >= 0 && runnableHere(<u32>cur, p) && now < pcpuSliceEnd(p)) v = cur;
    else {
      v = rrPick(p);
      if (v >= 0) setPcpuSliceEnd(p, now + sliceCycles);
    }
    if (v < 0) {
      if (cur >= 0) {
        schedOut(<u32>cur, p, now);
        setPcpuCur(p, -1);
      }
      let target = min<u64>(nextDeadline(p), horizon(p));
      if (target == NONE) {
        // Nothing runnable and no timer anywhere: only the host can change that.
        return EXIT_IDLE;
      }
      target = min<u64>(target, untilCycles);
      if (target > now) {
        trace(TR_IDLE, now, p, 0, 0, target - now, 0);
        pcpuAddIdle(p, target - now);
        setPcpuClock(p, target);
      }
      continue;
    }

    const uv = <u32>v;
    const wasLoaded = vcpuIsLoaded(uv);
    if (cur != v) {
      if (cur >= 0) schedOut(<u32>cur, p, now);
      setPcpuCur(p, v);
      charge(COST_CTX_SWITCH);
      vcpuLoad(uv);
      schedIn(uv, p, now);
      writeRunstateArea(uv);
    } else if (!vcpuIsLoaded(uv)) vcpuLoad(uv);
    // The CPU now holds another vCPU's state: its data selectors are reloaded (Xen's lazy
    // context switch does not reload when the same vCPU comes back).
    if (!wasLoaded) reloadSegments();
    updateTimeInfo(uv, now);
    deliverEvents();
    if (load<u32>(dom(load<u32>(vcpuCtl(uv) + VC_DOMID)) + DOM_STATE) == DS_SHUTDOWN) {
      // The upcall frame could not be written: the domain was crashed.
      schedOut(uv, p, now);
      setPcpuCur(p, -1);
      noteShutdown(load<u32>(vcpuCtl(uv) + VC_DOMID));
      continue;
    }

    // Run until the slice ends, the next timer on this pCPU, the quantum, or the deadline.
    let room = pcpuSliceEnd(p) - now;
    const nd = nextDeadline(p);
    if (nd != NONE) room = min<u64>(room, nd > now ? nd - now : 1);
    if (nrPcpus > 1) room = min<u64>(room, quantumCycles);
    room = min<u64>(room, untilCycles - now);
    let budget = room / cyclesPerInsn;
    if (budget == 0) budget = 1;
    budget = min<u64>(budget, maxInsns - insns);
    budget = min<u64>(budget, 0x7fffffff);
    const before = load<u64>(INSNS);
    const r = runVcpu(<u32>budget);
    const n = load<u64>(INSNS) - before;
    insns += n;
    const after = now + n * cyclesPerInsn + extraCycles;
    setPcpuClock(p, after);
    setBase(after);
    const ca = vcpuCtl(uv) + VC_CNT + VCNT_INSNS * 8;
    store<u64>(ca, load<u64>(ca) + n);

    const d = load<u32>(vcpuCtl(uv) + VC_DOMID);
    if (load<u32>(dom(d) + DOM_STATE) == DS_SHUTDOWN) {
      schedOut(uv, p, after);
      setPcpuCur(p, -1);
      noteShutdown(d);
      continue;
    }
    if (r == EXIT_YIELD) setPcpuSliceEnd(p, after);
    if (r == EXIT_CONSOLE) return EXIT_CONSOLE;
    if (r == EXIT_EXCEPTION || trapToHost) return r;
  }
}

// The machine's time for the host: the clock of the pCPU furthest behind.
export function machineCycles(): u64 {
  let m = pcpuClock(0);
  for (let p: u32 = 1; p < nrPcpus; p++) m = min<u64>(m, pcpuClock(p));
  return m;
}
