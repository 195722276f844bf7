// The scheduling policy: plain round robin per pCPU with a fixed time slice. The run loop
// (sched/loop.ts) asks it only two things: which vCPU next on this pCPU, and for how long.
// A later scheduler framework replaces this file without touching the loop.
import { MAX_VCPUS } from "../layout";
import { vcpuCtl, dom, VC_STATE, VS_RUNNABLE, VC_PCPU, VC_DOMID, DOM_STATE, DS_RUNNING } from "../domain/domain";
import { pcpuCursor, setPcpuCursor } from "./pcpu";

export let sliceCycles: u64 = 20000000; // 10 ms at 2 GHz
export let nrVcpusCreated: u32 = 0;

export function setSlice(c: u64): void {
  if (c >= 1000) sliceCycles = c;
}

export function noteVcpusCreated(n: u32): void {
  if (n > nrVcpusCreated) nrVcpusCreated = min<u32>(n, MAX_VCPUS);
}

export function runnableHere(v: u32, p: u32): bool {
  const c = vcpuCtl(v);
  return load<u32>(c + VC_STATE) == VS_RUNNABLE && load<u32>(c + VC_PCPU) == p &&
    load<u32>(dom(load<u32>(c + VC_DOMID)) + DOM_STATE) == DS_RUNNING;
}

// The next runnable vCPU on p after the one picked last, in vCPU order (-1: none).
export function rrPick(p: u32): i32 {
  const n = nrVcpusCreated;
  if (n == 0) return -1;
  const start = pcpuCursor(p); // the vCPU after the one picked last
  for (let i: u32 = 0; i < n; i++) {
    const v = (start + i) % n;
    if (runnableHere(v, p)) {
      setPcpuCursor(p, v + 1);
      return <i32>v;
    }
  }
  return -1;
}
