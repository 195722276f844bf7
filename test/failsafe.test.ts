// Xen's failsafe callback: a data selector that no longer loads when its vCPU is switched back
// in is nulled, and the guest enters its failsafe callback with the old selectors in the frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hypervisor } from "../host/index.ts";

test("a stale data selector is nulled on the switch back and the failsafe callback runs", () => {
  const hv = new Hypervisor({ memoryMiB: 64 });
  const guest = hv.createDomain({ kernel: "build/guests/failsafe.elf", memoryMiB: 8 });
  // A second domain that keeps waking up, so the first one's state is switched out and back.
  const other = hv.createDomain({ kernel: "build/guests/idle.elf", memoryMiB: 8, cmdline: "ticks=10" });
  const results = hv.run({ maxSeconds: 60 });
  const lines = guest.console.split("\n");
  assert.deepEqual(lines.filter((l) => l.startsWith("FAIL")), [], guest.console);
  for (const name of ["a valid selector survives a block", "the failsafe callback ran once", "its frame holds the old %es",
    "the selector that did not load is null"]) {
    assert.ok(lines.includes(`PASS ${name}`), `${name}\n${guest.console}`);
  }
  assert.equal(results.get(guest)?.kind, "shutdown");
  assert.equal(guest.shutdownReason, "poweroff");
  assert.equal(other.shutdownReason, "poweroff");
});
