// Determinism: the same configuration and guests give the same trace, bit for bit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runGuests, assertPoweredOff } from "./helpers/guests.ts";
import { Hypervisor, TRACE_TYPES } from "../host/index.ts";

function runOnce(pcpus: number): { hash: bigint; consoles: string[]; now: number } {
  const { hv, doms, results } = runGuests([
    { elf: "pingpong", name: "ping", cmdline: "ping peer=2 rounds=300" },
    { elf: "pingpong", name: "pong", cmdline: "pong peer=1 port=3 rounds=300" },
    { elf: "smp", vcpus: 4 },
    { elf: "timer" },
  ], { pcpus, seed: 7 });
  doms.forEach((d, i) => assertPoweredOff(d, results[i]!));
  return { hash: hv.traceHash(), consoles: doms.map((d) => d.console), now: hv.nowNs };
}

for (const pcpus of [1, 3]) {
  test(`two runs of four domains on ${pcpus} pCPU(s) have the same trace hash`, () => {
    const a = runOnce(pcpus);
    const b = runOnce(pcpus);
    assert.equal(a.hash.toString(16), b.hash.toString(16));
    assert.deepEqual(a.consoles, b.consoles);
    assert.equal(a.now, b.now);
  });
}

test("the trace records scheduling, blocking, wake-ups, upcalls, hypercalls and timers", () => {
  const hv = new Hypervisor();
  const kinds = new Map<number, number>();
  hv.onTrace((r) => kinds.set(r.type, (kinds.get(r.type) ?? 0) + 1));
  const d = hv.createDomain({ kernel: "build/guests/blocker.elf" });
  assertPoweredOff(d, hv.run({ maxSeconds: 60 }).get(d)!);
  for (const t of [1, 3, 4, 6, 7, 9]) assert.ok((kinds.get(t) ?? 0) > 0, `record type ${TRACE_TYPES[t]}`);
  assert.equal(hv.traceLost, 0);
});
