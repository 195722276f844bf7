// `npm run bench:events`: how fast the core moves events and time.
//   1. interdomain event round trips per host second (two domains ping-ponging over a channel);
//   2. events delivered (upcalls into guests) per host second, in the same run;
//   3. timer interrupts (VIRQ_TIMER upcalls) per host second with 100 idle domains;
//   4. host time to run 1 virtual second of 100 domains that each tick at 100 Hz.
// Prints the machine, the virtual clock and the cost table it ran with, then the table.
import { cpus } from "node:os";
import { Hypervisor, COST_KINDS, type Domain } from "../index.ts";

const ROUNDS = Number(process.env.ROUNDS ?? 20000);
const IDLE_DOMAINS = 100;

function best<T extends { wall: number }>(n: number, f: () => T): T {
  let b: T | undefined;
  for (let i = 0; i < n; i++) {
    const r = f();
    if (!b || r.wall < b.wall) b = r;
  }
  return b!;
}

function check(doms: Domain[], res: Map<Domain, unknown>): void {
  for (const d of doms) {
    const r = res.get(d) as { kind: string; reason?: string };
    if (r.kind !== "shutdown" || r.reason !== "poweroff") throw new Error(`${d.name}: ${JSON.stringify(r)}\n${d.console}`);
  }
}

function pingpong(pcpus: number) {
  const hv = new Hypervisor({ pcpus });
  const ping = hv.createDomain({ kernel: "build/guests/pingpong.elf", name: "ping", cmdline: `ping peer=2 rounds=${ROUNDS}` });
  const pong = hv.createDomain({ kernel: "build/guests/pingpong.elf", name: "pong", cmdline: `pong peer=1 port=3 rounds=${ROUNDS}` });
  const t0 = process.hrtime.bigint();
  const res = hv.run({ maxSeconds: 300 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  check([ping, pong], res);
  const upcalls = [ping, pong].reduce((s, d) => s + d.counters()[0]!.upcalls, 0);
  return { wall, upcalls, virt: hv.nowNs / 1e9 };
}

function idle(pcpus: number, ticks: number) {
  const hv = new Hypervisor({ pcpus, memoryMiB: IDLE_DOMAINS * 5 + 64 });
  const doms: Domain[] = [];
  for (let i = 0; i < IDLE_DOMAINS; i++) {
    doms.push(hv.createDomain({ kernel: "build/guests/idle.elf", name: `idle${i}`, memoryMiB: 4, cmdline: `ticks=${ticks}` }));
  }
  const v0 = hv.nowNs;
  const t0 = process.hrtime.bigint();
  const res = hv.run({ maxSeconds: 600 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  check(doms, res);
  const timer = doms.reduce((s, d) => s + d.counters()[0]!.timerFires, 0);
  return { wall, timer, virt: (hv.nowNs - v0) / 1e9 };
}

const hv0 = new Hypervisor();
console.log(`machine: ${cpus()[0]?.model ?? "?"} x${cpus().length}, node ${process.version}`);
console.log(`virtual clock: 2000 MHz, 1 cycle per instruction; costs (cycles): ${COST_KINDS.map((k, i) => `${k} ${hv0.core.exports.cost(i)}`).join(", ")}`);
console.log(`best of 3 runs each; ${ROUNDS} round trips; ${IDLE_DOMAINS} idle domains at Xen's default 100 Hz periodic timer\n`);

const rows: string[][] = [];
for (const pcpus of [1, 4]) {
  const pp = best(3, () => pingpong(pcpus));
  rows.push([`interdomain round trips / host s (${pcpus} pCPU)`, Math.round(ROUNDS / pp.wall).toLocaleString("en-US"), `${ROUNDS} in ${pp.wall.toFixed(3)} s, ${(pp.virt * 1e6 / ROUNDS).toFixed(2)} virtual us each`]);
  rows.push([`events delivered / host s (${pcpus} pCPU)`, Math.round(pp.upcalls / pp.wall).toLocaleString("en-US"), `${pp.upcalls} upcalls`]);
}
for (const pcpus of [1, 4]) {
  const id = best(3, () => idle(pcpus, 100));
  rows.push([`timer interrupts / host s, ${IDLE_DOMAINS} idle domains (${pcpus} pCPU)`, Math.round(id.timer / id.wall).toLocaleString("en-US"), `${id.timer} ticks`]);
  rows.push([`host s for 1 virtual s of ${IDLE_DOMAINS} domains at 100 Hz (${pcpus} pCPU)`, id.wall.toFixed(3), `virtual ${id.virt.toFixed(3)} s (idle skipping)`]);
}
const w0 = Math.max(...rows.map((r) => r[0]!.length));
const w1 = Math.max(...rows.map((r) => r[1]!.length));
console.log(`| ${"measure".padEnd(w0)} | ${"value".padStart(w1)} | notes |`);
console.log(`|${"-".repeat(w0 + 2)}|${"-".repeat(w1 + 2)}|-------|`);
for (const r of rows) console.log(`| ${r[0]!.padEnd(w0)} | ${r[1]!.padStart(w1)} | ${r[2]} |`);
