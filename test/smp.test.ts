// SMP guests: four vCPUs brought up with VCPUOP_initialise/up, synchronised with IPIs, taken
// down again; on 1 and on 4 physical CPUs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runGuests, assertPoweredOff } from "./helpers/guests.ts";

for (const pcpus of [1, 4]) {
  test(`4 vCPUs run work and meet at an IPI barrier (${pcpus} pCPU)`, () => {
    const { doms, results, hv } = runGuests([{ elf: "smp", vcpus: 4 }], { pcpus });
    const d = doms[0]!;
    assertPoweredOff(d, results[0]!);
    assert.match(d.console, /smp: phase 2 done, results checked/);
    assert.match(d.console, /smp: ok/);
    const c = d.counters();
    assert.equal(c.length, 4);
    for (let i = 1; i < 4; i++) {
      assert.ok(c[i]!.instructions > 100000, `vCPU ${i} ran ${c[i]!.instructions} instructions`);
      assert.ok(c[i]!.upcalls >= 1, `vCPU ${i} got its go IPI`);
      assert.ok(c[i]!.runstate.offline > 0, `vCPU ${i} went down`);
    }
    const t = d.totals();
    assert.equal(t.instructions, c.reduce((s, x) => s + x.instructions, 0));
    assert.ok(t.upcalls >= 4);
    if (pcpus === 4) {
      // The work of vCPUs 1..3 overlapped in virtual time: the run took less than its sum.
      const busy = c.reduce((s, x) => s + x.runstate.running, 0);
      assert.ok(hv.nowNs < busy, `elapsed ${hv.nowNs} ns, busy ${busy} ns`);
    }
  });
}

test("the pCPU quantum is a setting: a smaller one changes the interleaving, reproducibly", () => {
  const run = (quantumUs: number) => {
    const { doms, results, hv } = runGuests([{ elf: "smp", vcpus: 4 }], { pcpus: 4, quantumUs });
    assertPoweredOff(doms[0]!, results[0]!);
    return { hash: hv.traceHash(), now: hv.nowNs };
  };
  const coarse = run(100);
  const fine = run(5);
  assert.deepEqual(run(5), fine, "same settings, same run");
  assert.notEqual(fine.hash, coarse.hash, "a 5 µs quantum interleaves the pCPUs differently from 100 µs");
  for (const bad of [0, 0.1, 2e6, Number.NaN]) {
    assert.throws(() => runGuests([{ elf: "hello" }], { quantumUs: bad }), RangeError, `quantum ${bad}`);
  }
});
