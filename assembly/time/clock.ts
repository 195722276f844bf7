// Virtual time. Every physical CPU (sched/pcpu.ts) has its own clock in TSC cycles; a vCPU
// running there advances it by its retired instructions times the configured cycles per
// instruction, plus the modelled cost of what the hypervisor did for it (the cost table below).
// System time (ns since boot) is the TSC scaled with the same mul/shift pair the guest gets in
// vcpu_time_info, so guest and core agree to the nanosecond. Nothing here reads host time.
import { COSTS } from "../layout";

export let cyclesPerInsn: u64 = 1;
export let tscKhz: u64 = 2000000; // 2 GHz virtual TSC
export let tscMul: u32 = 0x80000000;
export let tscShift: i32 = 0;

// Instructions retired in the current runVcpu() batch, not yet added to the clock.
export let batchInsns: u64 = 0;
export function setBatchInsns(n: u64): void {
  batchInsns = n;
}

// The clock of the pCPU now executing, at the start of the current batch, and the modelled
// costs charged since then.
export let baseCycles: u64 = 0;
export let extraCycles: u64 = 0;

export function setBase(c: u64): void {
  baseCycles = c;
  extraCycles = 0;
  batchInsns = 0;
}

// ---- the cost table: cycles charged per event, and how often each happened ----
export const COST_HYPERCALL: u32 = 0;
export const COST_PAGE_WALK: u32 = 1;
export const COST_PTE_VALIDATE: u32 = 2;
export const COST_BOUNCE: u32 = 3;
export const COST_CTX_SWITCH: u32 = 4;
export const COST_TLB_FLUSH: u32 = 5;
export const COST_EVENT_SEND: u32 = 6;
export const COST_KINDS: u32 = 8;
// COSTS: u64 cycles[COST_KINDS], then u64 counts[COST_KINDS].

export function costsReset(): void {
  store<u64>(COSTS + COST_HYPERCALL * 8, 150);
  store<u64>(COSTS + COST_PAGE_WALK * 8, 40);
  store<u64>(COSTS + COST_PTE_VALIDATE * 8, 120);
  store<u64>(COSTS + COST_BOUNCE * 8, 200);
  store<u64>(COSTS + COST_CTX_SWITCH * 8, 1500);
  store<u64>(COSTS + COST_TLB_FLUSH * 8, 300);
  store<u64>(COSTS + COST_EVENT_SEND * 8, 80);
  store<u64>(COSTS + 7 * 8, 0);
  memory.fill(COSTS + COST_KINDS * 8, 0, COST_KINDS * 8);
}

export function setCost(kind: u32, cycles: u64): void {
  if (kind < COST_KINDS) store<u64>(COSTS + kind * 8, cycles);
}

export function costOf(kind: u32): u64 {
  return kind < COST_KINDS ? load<u64>(COSTS + kind * 8) : 0;
}

export function costCount(kind: u32): u64 {
  return kind < COST_KINDS ? load<u64>(COSTS + (COST_KINDS + kind) * 8) : 0;
}

// Account one event of the given kind to the running pCPU.
@inline export function charge(kind: u32): void {
  const c = COSTS + (COST_KINDS + kind) * 8;
  store<u64>(c, load<u64>(c) + 1);
  extraCycles += load<u64>(COSTS + kind * 8);
}

// Xen's set_time_scale: the mul/shift with ns = ((tsc << shift) * mul) >> 32.
function computeScale(): void {
  const target: u64 = 1000000000;
  let tps64: u64 = tscKhz * 1000;
  let shift: i32 = 0;
  while (tps64 > target * 2) {
    tps64 >>= 1;
    shift--;
  }
  let tps32 = <u32>tps64;
  while (<u64>tps32 <= target) {
    tps32 <<= 1;
    shift++;
  }
  tscMul = <u32>((target << 32) / <u64>tps32);
  tscShift = shift;
}

export function configureClock(cpi: u64, khz: u64): void {
  if (cpi > 0) cyclesPerInsn = cpi;
  if (khz >= 1000 && khz <= 100000000) tscKhz = khz;
  computeScale();
}

// ns for a number of cycles (the guest's formula, with a 96-bit product).
export function cyclesToNs(c: u64): u64 {
  const s: u64 = tscShift >= 0 ? c << <u64>tscShift : c >> <u64>(-tscShift);
  const m = <u64>tscMul;
  return (s >> 32) * m + (((s & 0xffffffff) * m) >> 32);
}

// The first cycle count whose system time is at least ns.
export function nsToCycles(ns: u64): u64 {
  const limit: u64 = <u64>0x7fffffffffffffff;
  const whole = ns / 1000000;
  if (whole > limit / tscKhz) return limit;
  let c = whole * tscKhz + ((ns % 1000000) * tscKhz) / 1000000;
  while (c > 0 && cyclesToNs(c - 1) >= ns) c--;
  while (cyclesToNs(c) < ns) c++;
  return c;
}

// The running pCPU's clock, including the instructions and costs of the current batch.
export function nowCycles(): u64 {
  return baseCycles + batchInsns * cyclesPerInsn + extraCycles;
}

export function nowNs(): u64 {
  return cyclesToNs(nowCycles());
}

// rdtsc / rdtscp.
export function virtualTsc(): u64 {
  return nowCycles();
}
