// Event channels end to end: interdomain ping-pong between two domains, the console ring driven
// by events, hostile EVTCHNOP calls, SCHEDOP_poll; on 1 and on 4 physical CPUs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runGuests, assertPoweredOff } from "./helpers/guests.ts";
import { Hypervisor } from "../host/index.ts";

for (const pcpus of [1, 4]) {
  test(`ping-pong: 1000 interdomain round trips (${pcpus} pCPU)`, () => {
    const rounds = 1000;
    const { doms, results } = runGuests([
      { elf: "pingpong", name: "ping", cmdline: `ping peer=2 rounds=${rounds}` },
      { elf: "pingpong", name: "pong", cmdline: `pong peer=1 port=3 rounds=${rounds}` },
    ], { pcpus });
    doms.forEach((d, i) => assertPoweredOff(d, results[i]!));
    assert.match(doms[0]!.console, /ping: port 3 for domain 2/);
    assert.match(doms[0]!.console, new RegExp(`ping: ${rounds} round trips, ${rounds} replies`));
    assert.match(doms[1]!.console, new RegExp(`pong: answered ${rounds} pings`));
    const [ping, pong] = [doms[0]!.counters()[0]!, doms[1]!.counters()[0]!];
    assert.equal(ping.sends, rounds);
    assert.ok(pong.sends >= rounds, `pong sent ${pong.sends}`);
    // Each side sleeps between events rather than spinning.
    assert.ok(ping.blocks >= rounds / 2, `ping blocked ${ping.blocks} times`);
    assert.ok(ping.upcalls >= rounds, `ping took ${ping.upcalls} upcalls`);
  });

  test(`SCHEDOP_poll with and without a timeout (${pcpus} pCPU)`, () => {
    const { doms, results } = runGuests([{ elf: "poll" }], { pcpus });
    assertPoweredOff(doms[0]!, results[0]!);
    assert.match(doms[0]!.console, /poll: ok/);
  });
}

test("the console ring is served only when the guest notifies", () => {
  const { doms, results } = runGuests([{ elf: "conring" }]);
  const d = doms[0]!;
  assertPoweredOff(d, results[0]!);
  const lines = d.console.split("\n").filter((l) => l.startsWith("ring line"));
  assert.equal(lines.length, 285);
  lines.forEach((l, i) => assert.equal(l, `ring line ${String(i).padStart(4, "0")}: the quick brown fox`));
  const be = d.consoleBackend!;
  assert.equal(be.bytes, 10260);
  // One backend run per notification, and the guest notified once per write that added bytes.
  assert.ok(be.notifications > 0 && be.notifications <= 300, `${be.notifications} notifications`);
  const c = d.counters()[0]!;
  assert.ok(c.hypercalls < 1000, `${c.hypercalls} hypercalls: the guest must not spin`);
});

test("hostile event-channel and scheduling calls get Xen's errno", () => {
  const { doms, results } = runGuests([{ elf: "evhostile" }]);
  assertPoweredOff(doms[0]!, results[0]!);
  assert.match(doms[0]!.console, /evhostile: ok/);
  assert.doesNotMatch(doms[0]!.console, /FAIL/);
});

test("an unfed watchdog shuts the domain down with reason watchdog", () => {
  const { doms, results } = runGuests([{ elf: "evhostile", cmdline: "watchdog" }]);
  const r = results[0]!;
  assert.equal(r.kind, "shutdown", JSON.stringify(r) + doms[0]!.console);
  assert.equal(r.kind === "shutdown" && r.reason, "watchdog");
});

test("a domain blocked with nothing to wake it is reported stuck, others still finish", () => {
  const { doms, results } = runGuests([
    { elf: "pingpong", name: "lonely", cmdline: "ping peer=9 rounds=1" },
    { elf: "timer" },
  ]);
  assert.equal(results[0]!.kind, "stuck", JSON.stringify(results[0]));
  assertPoweredOff(doms[1]!, results[1]!);
});

test("VIRQs raised by the host reach the guest's bound ports", () => {
  const hv = new Hypervisor();
  const d = hv.createDomain({ kernel: "build/guests/idle.elf", cmdline: "virqs" });
  d.onConsole((t) => {
    if (t.includes("waiting for VIRQs")) {
      d.raiseVirq(1);
      d.raiseVirq(2);
    }
  });
  assert.throws(() => d.raiseVirq(24), /VIRQ 24/);
  const r = hv.run({ maxSeconds: 60 }).get(d)!;
  assertPoweredOff(d, r);
  assert.match(d.console, /got VIRQ_DEBUG and VIRQ_CONSOLE/);
});

test("SCHEDOP_shutdown with every reason reaches the host; a shutdown_code set first wins", () => {
  const reasons = ["poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset"];
  const { results } = runGuests(reasons.map((_, i) => ({ elf: "idle", cmdline: `shutdown=${i}` })));
  results.forEach((r, i) => {
    assert.equal(r.kind, "shutdown", JSON.stringify(r));
    if (r.kind === "shutdown") {
      assert.equal(r.reason, reasons[i]);
      assert.equal(r.code, i);
    }
  });
  // Xen's domain_shutdown: once SCHEDOP_shutdown_code recorded a code (reboot), any later
  // shutdown reports it, whatever reason the guest passes.
  const coded = runGuests([0, 3].map((i) => ({ elf: "idle", cmdline: `coded-shutdown=${i}` }))).results;
  for (const r of coded) {
    assert.equal(r.kind, "shutdown", JSON.stringify(r));
    if (r.kind === "shutdown") {
      assert.equal(r.reason, "reboot");
      assert.equal(r.code, 1);
    }
  }
});

test("a host backend attached to the xenstore port answers each notification", () => {
  const hv = new Hypervisor();
  const d = hv.createDomain({ kernel: "build/guests/idle.elf", memoryMiB: 8, cmdline: "store" });
  assert.equal(d.built.storeEvtchn, 1);
  assert.equal(d.built.consoleEvtchn, 2);
  let calls = 0;
  const port = hv.bindBackend(d, d.built.storeEvtchn!, () => {
    calls++;
    hv.notify(port);
  });
  const r = hv.run({ maxSeconds: 60 }).get(d)!;
  assertPoweredOff(d, r);
  assert.match(d.console, /idle: 3 answers on port 1/);
  // One call for the binding itself (Xen raises a freshly bound port once), three for the guest.
  assert.equal(calls, 4);
  assert.throws(() => hv.bindBackend(d, 40, () => {}), /cannot bind port 40/);
});
