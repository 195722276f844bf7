// Timed run of the cpubench guest on xenwasm (child process of host/bench/cpu.ts).
//   node --import tsx host/bench/cpu-xenwasm.ts <kernel.elf> <iterations>
// The instruction count is the core's retired-instruction counter of the vCPU (INSNS in its
// saved register file); the run is cut into short host calls so the counter can be sampled.
// A short untimed run in another hypervisor comes first, so that V8 has tiered up the core
// (the compiled module is shared between instances; its first calls run in Liftoff).
import { Hypervisor } from "../index.ts";
import * as A from "../gen/abi.ts";
import { checksumIn, cpuTime, printReport, warmupIterations, type RunReport } from "./cpu-sample.ts";

const [kernel, iterArg] = process.argv.slice(2);
if (!kernel || !iterArg) {
  console.error("usage: cpu-xenwasm.ts <kernel.elf> <iterations>");
  process.exit(2);
}

function runOnce(iterations: number): RunReport {
  const hv = new Hypervisor();
  const d = hv.createDomain({ kernel: kernel!, cmdline: `iterations=${iterations}` });
  const x = hv.core.exports;
  const v = x.domainVcpu(d.id, 0);
  const insns = (): number => Number(hv.core.dv().getBigUint64(x.vcpuSaveAddr(v) + (A.INSNS - A.CPU), true));

  const samples: Array<[number, number]> = [[0, insns()]];
  const t0 = performance.now();
  const c0 = cpuTime();
  for (;;) {
    const r = hv.run({ maxSeconds: 0.1 }).get(d);
    samples.push([(performance.now() - t0) / 1000, insns()]);
    if (!r || r.kind === "timeout") continue;
    if (r.kind !== "shutdown" || r.reason !== "poweroff") {
      throw new Error(`the guest did not power off: ${JSON.stringify(r)}\n${d.console}`);
    }
    break;
  }
  const cpuSeconds = cpuTime() - c0;
  const checksum = checksumIn(d.console);
  if (!checksum) throw new Error(`no checksum in the guest's console:\n${d.console}`);
  const [seconds, instructions] = samples[samples.length - 1]!;
  return { checksum, instructions, seconds, cpuSeconds, samples };
}

try {
  runOnce(warmupIterations(Number(iterArg)));
  printReport(runOnce(Number(iterArg)));
} catch (e) {
  console.error(`xenwasm: ${(e as Error).message}`);
  process.exit(1);
}
