// Virtual time. A vCPU's clock is its retired instructions times the configured cycles per
// instruction; the TSC counts those cycles. Nothing here reads host time.
import { INSNS } from "../layout";

export let cyclesPerInsn: u64 = 1;
export let tscKhz: u64 = 2000000; // 2 GHz virtual TSC

// Instructions retired in the current run() batch, not yet added to INSNS.
export let batchInsns: u64 = 0;
export function setBatchInsns(n: u64): void {
  batchInsns = n;
}

export function configureClock(cpi: u64, khz: u64): void {
  if (cpi > 0) cyclesPerInsn = cpi;
  if (khz > 0) tscKhz = khz;
}

export function virtualTsc(): u64 {
  return (load<u64>(INSNS) + batchInsns) * cyclesPerInsn;
}
