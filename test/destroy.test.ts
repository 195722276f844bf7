// Destroying domains (xl destroy): memory comes back, peers see their channels unbound, frames
// another party still maps keep the domain dying until they are unmapped, and the slot and
// memory serve a new domain.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hypervisor, TRACE_TYPES, type Domain } from "../host/index.ts";
import { assertFrameTableClean, checkedHypervisor } from "./helpers/grants.ts";
import { GrantBackend } from "../host/backends/grants.ts";
import * as A from "../host/gen/abi.ts";

const ECS_UNBOUND = 2;
const ECS_INTERDOMAIN = 3;



// Run in steps of `step` virtual seconds until the domain's console shows `text` (at most
// `steps` steps).
function runUntil(hv: Hypervisor, d: Domain, text: string, step = 0.01, steps = 2000): void {
  const slice = step < 0.001 ? 500 : undefined; // instructions per core call: fine steps
  for (let i = 0; i < steps && !d.console.includes(text); i++) hv.run({ maxVirtualSeconds: step, maxSeconds: 30, slice });
  assert.ok(d.console.includes(text), `no "${text}" in:\n${d.console}`);
}

test("destroying a running domain gives back every frame, and the memory serves a new domain", () => {
  const hv = new Hypervisor({ memoryMiB: 64, core: "debug" });
  const x = hv.core.exports;
  x.setMmuChecks(1);
  const free0 = x.freeFrames();
  const spin = hv.createDomain({ kernel: "build/guests/spin.elf", memoryMiB: 24 });
  const mmu = hv.createDomain({ kernel: "build/guests/mmutest.elf", memoryMiB: 16 });
  runUntil(hv, spin, "spinning");
  assert.ok(x.freeFrames() < free0 - 10000);
  const ran = spin.totals().instructions;
  spin.destroy();
  assert.equal(spin.state, "destroyed");
  assert.equal(x.domainState(spin.id), A.DS_FREE);

  assert.equal(hv.domains.includes(spin), false);
  assertFrameTableClean(hv);
  // The other domain is unharmed and finishes.
  const r = hv.run({ maxSeconds: 60 }).get(mmu);
  assert.deepEqual(r, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined });
  mmu.destroy();
  assert.equal(x.freeFrames(), free0, "every frame is free again");
  assertFrameTableClean(hv);
  // Destroyed twice: a clear error, nothing changes.
  assert.throws(() => spin.destroy(), /spin \(domain \d+\): already destroyed/);
  assert.equal(x.domainDestroy(spin.id), -3, "no such domain: -ESRCH");
  assert.equal(x.domainDestroy(0), -3, "the host is not a domain to destroy");
  assert.equal(x.domainDestroy(100000), -3);
  // All of the memory is usable again: a domain as large as both runs.
  const big = hv.createDomain({ kernel: "build/guests/hello.elf", memoryMiB: 40 });
  const rb = hv.run({ maxSeconds: 60 }).get(big);
  assert.equal(rb?.kind, "shutdown");
  assert.match(big.console, /Hello from xenwasm/);
  // big runs in the vCPU slot spin had: spin's counters are the ones it ended with.
  assert.equal(x.domainVcpu(big.id, 0), 0);
  assert.equal(spin.totals().instructions, ran, "a destroyed domain keeps its final counters");
  assert.equal(spin.vcpuCount, 1);
});

test("a destroyed domain's interdomain peer sees its port unbound and is not disturbed", () => {
  const hv = new Hypervisor({ memoryMiB: 64 });
  const x = hv.core.exports;
  const free0 = x.freeFrames();
  const ping = hv.createDomain({ kernel: "build/guests/pingpong.elf", memoryMiB: 8, cmdline: "ping peer=2 rounds=1000000" });
  const pong = hv.createDomain({ kernel: "build/guests/pingpong.elf", memoryMiB: 8, cmdline: `pong peer=1 port=3` });
  runUntil(hv, ping, "ping: port");
  hv.run({ maxVirtualSeconds: 0.05, maxSeconds: 30 });
  const port = Number(/ping: port (\d+) for domain/.exec(ping.console)![1]);
  assert.equal(x.evtchnPort(ping.id, port) >>> 24, ECS_INTERDOMAIN, "pong bound to ping's port");
  pong.destroy();
  assert.equal(x.evtchnPort(ping.id, port) >>> 24, ECS_UNBOUND, "ping's port is unbound once its peer is gone");
  // ping waits for answers that never come: it blocks with nothing left to wake it.
  const r = hv.run({ maxSeconds: 30, maxVirtualSeconds: 1 }).get(ping);
  assert.ok(r && (r.kind === "stuck" || r.kind === "timeout"), JSON.stringify(r));
  ping.destroy();
  assert.equal(x.freeFrames(), free0);
  assertFrameTableClean(hv);
});

test("a frame the host still maps keeps a destroyed domain dying until it is unmapped", () => {
  const hv = checkedHypervisor();
  const x = hv.core.exports;
  const free0 = x.freeFrames();
  const d = hv.createDomain({ kernel: "build/guests/gnthost.elf", memoryMiB: 8 });
  runUntil(hv, d, "READY\n");
  const gnt = new GrantBackend(hv.core);
  const rw = gnt.map(d.id, 8);
  const events: string[] = [];
  hv.onTrace((r) => {
    const name = TRACE_TYPES[r.type];
    if (name === "destroy" || name === "released") events.push(`${name} ${r.domid}`);
  });
  d.destroy();
  assert.deepEqual(events, [`destroy ${d.id}`], "the trace shows the destroy; the release waits for the unmap");
  assert.equal(d.state, "dying");
  assert.equal(x.domainState(d.id), A.DS_DYING);
  assertFrameTableClean(hv);
  // The mapped frame is still the guest's page: the host reads what the guest wrote.
  assert.equal(gnt.readString(rw), "to the host");
  assert.ok(x.freeFrames() < free0);
  assert.equal(gnt.unmap(rw), 0);
  assert.equal(d.state, "destroyed");
  hv.run({ maxVirtualSeconds: 0.001 }); // trace records reach listeners as the host serves
  assert.deepEqual(events, [`destroy ${d.id}`, `released ${d.id}`]);
  assert.equal(x.domainState(d.id), A.DS_FREE);
  // Everything went back but the host's own maptrack (a directory and one frame of handles),
  // made by its first mapping and kept for the next.
  assert.equal(x.freeFrames(), free0 - 2, "the last frame, then the grant table, went back to the pool");
  assertFrameTableClean(hv);
});

test("grants across a destroy: the granter stays dying while the mapper maps its pages, and the mapper's own maps are given back", () => {
  const hv = checkedHypervisor();
  const x = hv.core.exports;
  const free0 = x.freeFrames();
  const granter = hv.createDomain({ kernel: "build/guests/gntshare.elf", memoryMiB: 8, cmdline: "role=1 peer=2" });
  const mapper = hv.createDomain({ kernel: "build/guests/gntshare.elf", memoryMiB: 8, cmdline: "role=2 peer=1" });
  // Stop while the mapper holds its mappings (before the granter's acknowledgement arrives).
  runUntil(hv, mapper, "PASS mapper: reads what the granter wrote", 2e-6, 200000);
  assert.ok(!mapper.console.includes("PASS mapper: the granter saw the grants in use"), mapper.console);
  granter.destroy();
  assert.equal(granter.state, "dying", "the mapper's PTEs still reference two of its frames");
  assertFrameTableClean(hv);
  // The mapper goes on (its peer never answers again) and powers off; destroying it takes its
  // page tables, and with them the granter's last frames.
  const r = hv.run({ maxSeconds: 60 }).get(mapper);
  assert.equal(r?.kind, "shutdown", JSON.stringify(r));
  assertFrameTableClean(hv);
  mapper.destroy();
  assert.equal(granter.state, "destroyed");
  assert.equal(x.freeFrames(), free0);
  assertFrameTableClean(hv);
});

test("an SMP domain destroyed mid-run frees its vCPU slots for the next one, on several pCPUs", () => {
  const hv = new Hypervisor({ memoryMiB: 64, pcpus: 2 });
  const x = hv.core.exports;
  const free0 = x.freeFrames();
  const first = hv.createDomain({ kernel: "build/guests/smp.elf", memoryMiB: 16, vcpus: 4 });
  const spin = hv.createDomain({ kernel: "build/guests/spin.elf", memoryMiB: 8 });
  hv.run({ maxVirtualSeconds: 0.002, maxSeconds: 30 });
  const slot = x.domainVcpu(first.id, 0);
  first.destroy();
  // 4 vCPUs again: the first free run of slots is the one the first domain gave back.
  const second = hv.createDomain({ kernel: "build/guests/smp.elf", memoryMiB: 16, vcpus: 4 });
  assert.equal(x.domainVcpu(second.id, 0), slot);
  spin.destroy(); // it only held the slot after the first domain's
  const r = hv.run({ maxSeconds: 60, maxVirtualSeconds: 5 }).get(second);
  assert.equal(r?.kind, "shutdown", `${JSON.stringify(r)}\n${second.console}`);
  assert.match(second.console, /smp: ok/);
  second.destroy();
  assert.equal(x.freeFrames(), free0);
  assertFrameTableClean(hv);
});

test("domain ids and memory come back: 300 create/destroy cycles, then domains up to the vCPU limit", () => {
  const hv = new Hypervisor({ memoryMiB: 1040 });
  const x = hv.core.exports;
  const free0 = x.freeFrames();
  const ids = new Set<number>();
  for (let i = 0; i < 300; i++) {
    const d = hv.createDomain({ kernel: "build/guests/hello.elf", memoryMiB: 4 });
    ids.add(d.id);
    d.destroy();
  }
  assert.equal(ids.size, A.MAX_DOMAINS - 1, "ids wrap around, as Xen's rover does");
  assert.equal(x.freeFrames(), free0);
  // Up to the vCPU limit (128 in all) domains can be held; the next creation says why it fails,
  // and destroying one makes room again.
  const held: Domain[] = [];
  for (let i = 0; i < A.MAX_VCPUS; i++) held.push(hv.createDomain({ kernel: "build/guests/hello.elf", memoryMiB: 4 }));
  assert.throws(() => hv.createDomain({ kernel: "build/guests/hello.elf", memoryMiB: 4 }), /no room for 1 more vCPU\(s\): the hypervisor runs at most 128 vCPUs in all; destroy a domain first/);
  held[7]!.destroy();
  const again = hv.createDomain({ kernel: "build/guests/hello.elf", memoryMiB: 4 });
  assert.equal(x.domainVcpu(again.id, 0), 7, "the freed vCPU slot");
});

test("a console listener may destroy a domain while the hypervisor runs", () => {
  const hv = new Hypervisor({ memoryMiB: 64 });
  const spin = hv.createDomain({ kernel: "build/guests/spin.elf", memoryMiB: 8 });
  const hello = hv.createDomain({ kernel: "build/guests/hello.elf", memoryMiB: 8 });
  hello.onConsole((text) => {
    if (text.includes("Hello") && !spin.destroyed) spin.destroy();
  });
  const results = hv.run({ maxSeconds: 60 });
  assert.equal(results.get(hello)?.kind, "shutdown");
  assert.equal(results.has(spin), false, "a destroyed domain has no run result");
  assert.equal(spin.state, "destroyed");
  assert.throws(() => spin.raiseVirq(1), /spin \(domain \d+\): destroyed, no VIRQ can reach it/);
});

test("a new domain in the vCPU slot of a domain destroyed while running starts from its own state", () => {
  const hv = new Hypervisor({ memoryMiB: 64 });
  const x = hv.core.exports;
  const spin = hv.createDomain({ kernel: "build/guests/spin.elf", memoryMiB: 8 });
  runUntil(hv, spin, "spinning");
  const slot = x.domainVcpu(spin.id, 0);
  spin.destroy(); // it was the pCPU's current vCPU, loaded in the CPU
  const hello = hv.createDomain({ kernel: "build/guests/hello.elf", memoryMiB: 8 });
  assert.equal(x.domainVcpu(hello.id, 0), slot);
  const r = hv.run({ maxSeconds: 30, maxVirtualSeconds: 1 }).get(hello);
  assert.deepEqual(r, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined }, hello.console);
  assert.match(hello.console, /Hello from xenwasm/);
});
