// `npm run bench:pv`: what the PV platform's basic operations cost, timed on the host.
//   null        hypercall round trips / s (HYPERVISOR_xen_version(XENVER_version) in a loop);
//   mmu_update  validated L1 PTE updates / s (MMU_NORMAL_PT_UPDATE, batches of 64 per hypercall);
//   uvm         update_va_mapping(UVMF_INVLPG) / s (one PTE flipped between two frames);
//   bounce      exception bounce + iret round trips / s (int3 -> trap table -> handler -> iret);
//   startup     new Hypervisor() + createDomain(hello) to the first console output callback, and
//               destroying the domain once it powered off.
// Every loop runs in guests/pvbench. Each test runs in its own process: a warm-up run, then best
// of 3 runs with iterations=0 (boot, setup, printing) and best of 3 with iterations=N; the rates
// use the difference, so they count the loop alone. Host CPU time (the process's user + system
// time over the same runs) is printed beside wall time because the machine is shared. Guest
// instructions and hypercalls per operation come from the core's counters (exact, the same every
// run); virtual ns per operation is the machine's modelled time (instructions x CPI + the cost
// table) at 2000 MHz.
// Env: SCALE (default 1) multiplies every N.
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Hypervisor, COST_KINDS } from "../index.ts";
import * as A from "../gen/abi.ts";

const PVBENCH = "build/guests/pvbench.elf";
const HELLO = "build/guests/hello.elf";
const SCALE = Number(process.env.SCALE ?? 1);
const BATCH = 64;

interface Test {
  name: string;
  n: number;
  measures: string;
}
const TESTS: Test[] = [
  { name: "null", n: 1_000_000, measures: "null hypercall round trips / s (xen_version(XENVER_version))" },
  { name: "mmu_update", n: 1_024_000, measures: `validated PTE updates / s (mmu_update, ${BATCH} per call)` },
  { name: "uvm", n: 1_000_000, measures: "update_va_mapping(UVMF_INVLPG) / s" },
  { name: "bounce", n: 500_000, measures: "exception bounce + iret round trips / s (int3)" },
];

interface Sample {
  wall: number; // host seconds spent in hv.run()
  cpu: number; // host CPU seconds (user + system) of the process during hv.run()
  insns: number;
  hypercalls: number;
  virtNs: number;
  costEvents: number[]; // how many of each COST_KINDS the core charged
}

function runOnce(test: string, n: number): Sample {
  const hv = new Hypervisor();
  const d = hv.createDomain({ kernel: PVBENCH, cmdline: `test=${test} iterations=${n}` });
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const res = hv.run({ maxSeconds: 600 }).get(d);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  if (res?.kind !== "shutdown" || res.reason !== "poweroff" || !d.console.includes(`pvbench: ${test} ${n} done`)) {
    throw new Error(`pvbench ${test} ${n}: ${JSON.stringify(res)}\n${d.console}`);
  }
  const x = hv.core.exports;
  const v = x.domainVcpu(d.id, 0);
  const insns = Number(hv.core.dv().getBigUint64(x.vcpuSaveAddr(v) + (A.INSNS - A.CPU), true));
  const costEvents = COST_KINDS.map((_, i) => x.costEvents(i));
  return { wall, cpu, insns, hypercalls: x.hypercalls(), virtNs: hv.nowNs, costEvents };
}

function best(k: number, f: () => Sample): Sample {
  let b: Sample | undefined;
  for (let i = 0; i < k; i++) {
    const s = f();
    if (!b || s.wall < b.wall) b = s;
  }
  return b!;
}

function childLoop(test: string, n: number): void {
  runOnce(test, Math.max(BATCH, Math.floor(n / 4 / BATCH) * BATCH)); // warm-up: JIT tiers, caches
  const base = best(3, () => runOnce(test, 0));
  const full = best(3, () => runOnce(test, n));
  console.log(JSON.stringify({ base, full }));
}

interface Startup {
  hv: number; // new Hypervisor()
  build: number; // new Hypervisor() + createDomain()
  first: number; // ... + running to the first console callback
  destroy: number; // destroying the powered-off domain (alone)
}
const STARTUP_KEYS = ["hv", "build", "first", "destroy"] as const;
const minStartup = (xs: Startup[]): Startup =>
  Object.fromEntries(STARTUP_KEYS.map((k) => [k, Math.min(...xs.map((x) => x[k]))])) as unknown as Startup;

// Host ms from `new Hypervisor()` to its return, to createDomain's return, to the first console
// callback. The host serves console output between run-loop chunks (2,000,000 instructions), and
// hello prints and powers off inside its first chunk.
function startupOnce(): Startup {
  const t0 = process.hrtime.bigint();
  const hv = new Hypervisor();
  const made = process.hrtime.bigint();
  const d = hv.createDomain({ kernel: HELLO });
  const built = process.hrtime.bigint();
  let first = 0n;
  d.onConsole(() => {
    if (!first) first = process.hrtime.bigint();
  });
  const res = hv.run({ maxSeconds: 60 }).get(d);
  if (res?.kind !== "shutdown" || !first) throw new Error(`hello: ${JSON.stringify(res)}\n${d.console}`);
  const ms = (t: bigint) => Number(t - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  d.destroy();
  const destroy = Number(process.hrtime.bigint() - t1) / 1e6;
  if (d.state !== "destroyed") throw new Error(`hello: ${d.state} after destroy`);
  return { hv: ms(made), build: ms(built), first: ms(first), destroy };
}

function childStartup(): void {
  const cold = startupOnce(); // the first in the process also compiles the core's module
  const warm = minStartup(Array.from({ length: 5 }, startupOnce));
  console.log(JSON.stringify({ cold, warm }));
}

function child(args: string[]): unknown {
  const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`bench:pv child ${args.join(" ")} failed (status ${r.status}):\n${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

const fmt = (v: number, digits = 0) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

// The cost kinds the loop charged, per operation ("hypercall 1, tlbFlush 2").
function costsPerOp(base: Sample, full: Sample, n: number): string {
  const parts: string[] = [];
  COST_KINDS.forEach((k, i) => {
    const per = (full.costEvents[i]! - base.costEvents[i]!) / n;
    if (per >= 0.005) parts.push(`${k} ${fmt(per, per >= 1 || per === 0 ? 0 : 3)}`);
  });
  return parts.join(", ") || "-";
}

function main(): void {
  const hv0 = new Hypervisor();
  const model = cpus()[0]?.model ?? "?";
  console.log(`machine: ${model}, ${cpus().length} cores, node ${process.version}; ${new Date().toISOString().slice(0, 10)}`);
  console.log(`virtual clock: 2000 MHz, 1 cycle per instruction; costs (cycles): ${COST_KINDS.map((k, i) => `${k} ${hv0.core.exports.cost(i)}`).join(", ")}`);
  console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (other work on the machine inflates host times)`);
  console.log(`each test in a fresh process: warm-up, then best of 3 at iterations=0 and at N; rates count the loop alone\n`);

  const rows: string[][] = [["measure", "per host s", "host ns / op", "host CPU ns / op", "guest insns / op", "hypercalls / op", "virtual ns / op", "modelled costs / op", "N", "comparison"]];
  for (const t of TESTS) {
    const unit = t.name === "mmu_update" ? BATCH : 1; // the guest takes whole batches
    const n = Math.max(unit, Math.round((t.n * SCALE) / unit) * unit);
    const { base, full } = child(["loop", t.name, String(n)]) as { base: Sample; full: Sample };
    const wall = full.wall - base.wall;
    rows.push([
      t.measures, fmt(n / wall), fmt((wall * 1e9) / n, 1), fmt(((full.cpu - base.cpu) * 1e9) / n, 1), fmt((full.insns - base.insns) / n, 2),
      fmt((full.hypercalls - base.hypercalls) / n, 4), fmt((full.virtNs - base.virtNs) / n, 1), costsPerOp(base, full, n), fmt(n), "no comparison",
    ]);
  }
  // Best of 5 processes for the first start in a process, best of 5 x 5 for a warm process.
  const runs = Array.from({ length: 5 }, () => child(["startup"]) as { cold: Startup; warm: Startup });
  const cold = minStartup(runs.map((r) => r.cold));
  const warm = minStartup(runs.map((r) => r.warm));
  const row = (m: string, ms: number, note: string) => [m, "", `${fmt(ms, 2)} ms`, "", "", "", "", "", "", note];
  for (const [label, s] of [["first in a process", cold], ["warm process", warm]] as const) {
    rows.push(row(`create-to-first-console-line, hello (${label})`, s.first, label === "first in a process" ? "includes compiling the core module; no comparison" : "no comparison"));
    rows.push(row("  build alone: new Hypervisor() (256 MiB machine)", s.hv, ""));
    rows.push(row("  build alone: new Hypervisor() + createDomain (32 MiB)", s.build, ""));
    rows.push(row("  destroying it after its power-off (Domain.destroy)", s.destroy, ""));
  }

  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const left = (c: number) => c === 0 || c === w.length - 1; // text columns; numbers align right
  const line = (r: string[]) => `| ${r.map((cell, c) => (left(c) ? cell.padEnd(w[c]!) : cell.padStart(w[c]!))).join(" | ")} |`;
  console.log(line(rows[0]!));
  console.log(`|${w.map((x, c) => "-".repeat(x + 2 - (left(c) ? 0 : 1)) + (left(c) ? "" : ":")).join("|")}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  console.log(`\nload average at end: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

const argv = process.argv.slice(2);
if (argv[0] === "--child" && argv[1] === "loop") childLoop(argv[2]!, Number(argv[3]));
else if (argv[0] === "--child" && argv[1] === "startup") childStartup();
else main();
