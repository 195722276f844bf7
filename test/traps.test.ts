// The traps guest: exceptions bounced into the guest with Xen's frame and returned from with
// the iret hypercall, emulated privileged instructions, and hypercall error paths.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hypervisor } from "../host/index.ts";

test("traps guest: every check passes and it powers off", () => {
  const hv = new Hypervisor({ memoryMiB: 64 });
  const dom = hv.createDomain({ kernel: "build/guests/traps.elf", memoryMiB: 16 });
  const result = hv.run({ maxSeconds: 60 }).get(dom);
  const fails = dom.console.split("\n").filter((l) => l.startsWith("FAIL"));
  assert.deepEqual(fails, []);
  const passes = dom.console.split("\n").filter((l) => l.startsWith("PASS"));
  assert.ok(passes.length >= 25, dom.console);
  for (const name of ["ud2 raises #UD", "read of an unmapped page raises #PF with CR2", "division by zero raises #DE",
    "int3 is delivered and returns after the instruction", "forced-emulation cpuid shows Xen's leaves",
    "non-canonical access raises #GP(0)", "non-canonical access through rbp raises #SS(0)", "hlt raises #GP(0)"]) {
    assert.ok(passes.includes(`PASS ${name}`), name);
  }
  assert.deepEqual(result, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined });
});
