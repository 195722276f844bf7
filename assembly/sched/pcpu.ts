// Simulated physical CPUs: each has its own clock (TSC cycles), the vCPU it is running, the
// end of that vCPU's slice and how many of its vCPUs are runnable. vCPUs are placed on pCPUs
// when their domain is set up and stay there, so a vCPU's clock only moves forward.
import { PCPU_TABLE, PCPU_STRIDE, MAX_PCPUS } from "../layout";

const PC_CLOCK: u32 = 0; // u64 cycles
const PC_CUR: u32 = 8; // i32 global vCPU running here (-1: none)
const PC_SLICE_END: u32 = 16; // u64 cycles
const PC_RUNNABLE: u32 = 24; // u32 runnable vCPUs placed here
const PC_IDLE: u32 = 32; // u64 cycles spent idle
const PC_CURSOR: u32 = 40; // u32 round-robin cursor: where the next search starts (sched/rr.ts)
const PC_NEXT_PLACE: u32 = 44; // u32 (pCPU 0 only) next placement

export let nrPcpus: u32 = 1;
export let curPcpu: u32 = 0;

@inline function pc(p: u32): u32 {
  return PCPU_TABLE + p * PCPU_STRIDE;
}

export function pcpusInit(n: u32): bool {
  if (n == 0 || n > MAX_PCPUS) return false;
  nrPcpus = n;
  memory.fill(PCPU_TABLE, 0, MAX_PCPUS * PCPU_STRIDE);
  for (let p: u32 = 0; p < MAX_PCPUS; p++) store<i32>(pc(p) + PC_CUR, -1);
  curPcpu = 0;
  return true;
}

export function setCurPcpu(p: u32): void {
  curPcpu = p;
}

@inline export function pcpuClock(p: u32): u64 {
  return load<u64>(pc(p) + PC_CLOCK);
}
@inline export function setPcpuClock(p: u32, c: u64): void {
  store<u64>(pc(p) + PC_CLOCK, c);
}
@inline export function pcpuCur(p: u32): i32 {
  return load<i32>(pc(p) + PC_CUR);
}
@inline export function setPcpuCur(p: u32, v: i32): void {
  store<i32>(pc(p) + PC_CUR, v);
}
@inline export function pcpuSliceEnd(p: u32): u64 {
  return load<u64>(pc(p) + PC_SLICE_END);
}
@inline export function setPcpuSliceEnd(p: u32, c: u64): void {
  store<u64>(pc(p) + PC_SLICE_END, c);
}
@inline export function pcpuRunnable(p: u32): u32 {
  return load<u32>(pc(p) + PC_RUNNABLE);
}
@inline export function setPcpuRunnable(p: u32, n: u32): void {
  store<u32>(pc(p) + PC_RUNNABLE, n);
}
@inline export function pcpuBusy(p: u32): bool {
  return load<u32>(pc(p) + PC_RUNNABLE) != 0;
}
export function pcpuAddIdle(p: u32, c: u64): void {
  store<u64>(pc(p) + PC_IDLE, load<u64>(pc(p) + PC_IDLE) + c);
}
export function pcpuIdle(p: u32): u64 {
  return load<u64>(pc(p) + PC_IDLE);
}
@inline export function pcpuCursor(p: u32): u32 {
  return load<u32>(pc(p) + PC_CURSOR);
}
@inline export function setPcpuCursor(p: u32, v: u32): void {
  store<u32>(pc(p) + PC_CURSOR, v);
}

// Where the next new vCPU goes: round robin over the pCPUs, in creation order.
export function placeVcpu(): u32 {
  const p = load<u32>(pc(0) + PC_NEXT_PLACE);
  store<u32>(pc(0) + PC_NEXT_PLACE, (p + 1) % nrPcpus);
  return p;
}

// The machine's time: the clock of the pCPU furthest behind.
export function minClock(): u64 {
  let m = pcpuClock(0);
  for (let p: u32 = 1; p < nrPcpus; p++) m = min<u64>(m, pcpuClock(p));
  return m;
}
