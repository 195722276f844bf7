// Virtual time and timers end to end: the default 10 ms periodic timer, 1 ms periodic and
// single-shot timers, blocking with a timeout, runstate; on 1 and 4 physical CPUs. Also the
// clock's configuration: a different CPU frequency changes cycles, not guest nanoseconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runGuests, assertPoweredOff } from "./helpers/guests.ts";
import { Hypervisor } from "../host/index.ts";

for (const pcpus of [1, 4]) {
  test(`periodic and single-shot timers deliver VIRQ_TIMER on time (${pcpus} pCPU)`, () => {
    const { doms, results } = runGuests([{ elf: "timer" }], { pcpus });
    const d = doms[0]!;
    assertPoweredOff(d, results[0]!);
    // Xen's count over one second: 100 periodic ticks, plus the single-shot that ends the wait.
    const m = /default periodic: (\d+) ticks in 1 s/.exec(d.console);
    assert.ok(m && Math.abs(Number(m[1]) - 101) <= 1, d.console);
    assert.match(d.console, /timer: ok/);
  });

  test(`blocking with a timeout wakes at the deadline (${pcpus} pCPU)`, () => {
    const { doms, results } = runGuests([{ elf: "blocker" }], { pcpus });
    assertPoweredOff(doms[0]!, results[0]!);
    assert.match(doms[0]!.console, /blocker: ok/);
    const rs = doms[0]!.counters()[0]!.runstate;
    assert.ok(rs.blocked > 29e6, `blocked ${rs.blocked} ns`);
  });
}

test("idle time is skipped: a second of blocked guests takes little host time", () => {
  const t0 = Date.now();
  const { doms, results } = runGuests([{ elf: "timer" }, { elf: "timer" }, { elf: "timer" }], { pcpus: 2 });
  doms.forEach((d, i) => assertPoweredOff(d, results[i]!));
  assert.ok(Date.now() - t0 < 20000);
});

test("the guest's nanoseconds do not depend on the virtual CPU frequency", () => {
  for (const cpuMHz of [1000, 3000]) {
    const { doms, results } = runGuests([{ elf: "blocker" }], { cpuMHz });
    assertPoweredOff(doms[0]!, results[0]!);
    assert.match(doms[0]!.console, /asked 5 ms, slept 50\d{5} ns/);
  }
});

test("real-time pacing (off by default) keeps virtual time behind host time", () => {
  const hv = new Hypervisor();
  const d = hv.createDomain({ kernel: "build/guests/idle.elf", memoryMiB: 8, cmdline: "ticks=30" });
  const t0 = Date.now();
  const r = hv.run({ realtime: true, maxSeconds: 30 }).get(d)!;
  assertPoweredOff(d, r);
  // 30 ticks of the 10 ms periodic timer: 0.3 virtual seconds, paced to at least ~0.3 host seconds.
  assert.ok(hv.nowNs >= 0.3e9 && hv.nowNs < 0.32e9, `virtual ${hv.nowNs} ns`);
  assert.ok(Date.now() - t0 >= 250, `host ${Date.now() - t0} ms`);
});

test("the cost table is configurable and every charged event is counted", () => {
  const { hv, doms, results } = runGuests([{ elf: "blocker" }], { costs: { hypercall: 1000 } });
  assertPoweredOff(doms[0]!, results[0]!);
  const c = hv.costs();
  assert.equal(c.hypercall.cycles, 1000);
  assert.equal(c.hypercall.count, doms[0]!.counters()[0]!.hypercalls);
  assert.ok(c.bounce.count >= doms[0]!.counters()[0]!.upcalls);
  assert.ok(c.contextSwitch.count >= 1);
  assert.throws(() => runGuests([{ elf: "blocker" }], { costs: { nonsense: 1 } as never }), /cost nonsense/);
});
