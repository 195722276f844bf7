// The PV MMU end to end: the mmutest guest uses every MMU hypercall as a kernel would, the
// mmuhostile guest attacks them; both run on the debug core with the invariant checker after
// every MMU hypercall, and the frame table must still add up when they are done.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hypervisor, type Domain } from "../host/index.ts";
import { readCString } from "../host/core.ts";
import * as A from "../host/gen/abi.ts";

const MMUTEST = "build/guests/mmutest.elf";
const HOSTILE = "build/guests/mmuhostile.elf";
const HELLO = "build/guests/hello.elf";

function lines(d: Domain, prefix: string): string[] {
  return d.console.split("\n").filter((l) => l.startsWith(prefix));
}

// Every check the guest made printed a PASS line: the guest's own count matches.
function assertAllPassed(d: Domain, guest: string): void {
  assert.deepEqual(lines(d, "FAIL"), [], d.console);
  const summary = d.console.match(new RegExp(`^${guest}: (\\d+) checks, 0 failure\\(s\\)$`, "m"));
  assert.ok(summary, `no summary line:\n${d.console}`);
  assert.equal(lines(d, "PASS ").length, Number(summary[1]), d.console);
}

function invariantReport(hv: Hypervisor): string {
  const x = hv.core.exports;
  const n = x.checkInvariants();
  return n === 0 ? "" : `${n} violation(s): ${readCString(hv.core, x.messageAddr(), 1024)}`;
}

function checkedHypervisor(): Hypervisor {
  const hv = new Hypervisor({ memoryMiB: 64, core: "debug" });
  hv.core.exports.setMmuChecks(1);
  return hv;
}

test("mmutest: every MMU check passes, with the invariants verified after each MMU hypercall", () => {
  const hv = checkedHypervisor();
  const dom = hv.createDomain({ kernel: MMUTEST, memoryMiB: 16 });
  const result = hv.run({ maxSeconds: 120 }).get(dom);
  assertAllPassed(dom, "mmutest");
  const passes = lines(dom, "PASS ");
  assert.ok(passes.length >= 150, `only ${passes.length} checks:\n${dom.console}`);
  for (const name of [
    "hooking a new L3/L2/L1 into the live L4 validates them on demand",
    "accepted entries are adjusted as Xen does",
    "unmap a page with mmu_update",
    "map a page with update_va_mapping",
    "pin and unpin an empty L4",
    "MMUEXT_NEW_BASEPTR to the new L4",
    "the new address space has its own mappings",
    "user mode runs on the user L4 (iret in, syscall back)",
    "MMU_MACHPHYS_UPDATE is visible in the M2P",
    "MMUEXT_COPY_PAGE copies a frame",
    "MMUEXT_CLEAR_PAGE zeroes a frame",
    "MMU_PT_UPDATE_PRESERVE_AD keeps A and D",
    "a multicall runs every entry and writes each result",
    "an L1 entry mapping a page table writable",
    "an L2 entry with PSE",
    "an L1 entry mapping a frame the domain does not own",
    "an L4 entry in hypervisor slot 256",
    "a read-only recursive L4 entry (linear page table)",
    "a 1500-entry mmu_update is continued to the end",
    "a 300-entry multicall with a continued sub-call completes",
    "a direct L1 write is emulated, validated and adjusted",
    "an invalid direct write becomes the #PF the guest took",
  ]) {
    assert.ok(passes.includes(`PASS ${name}`), `missing PASS ${name}`);
  }
  assert.deepEqual(result, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined });
  assert.equal(invariantReport(hv), "");
});

test("mmuhostile: every attack gets Xen's answer and the hypervisor keeps running", () => {
  const hv = checkedHypervisor();
  // Built first, so the hostile guest finds another domain's frames (and domid 1) to aim at.
  const victim = hv.createDomain({ kernel: HELLO, memoryMiB: 8 });
  const dom = hv.createDomain({ kernel: HOSTILE, memoryMiB: 16 });
  const results = hv.run({ maxSeconds: 120 });
  assertAllPassed(dom, "mmuhostile");
  const passes = lines(dom, "PASS ");
  assert.ok(passes.length >= 100, `only ${passes.length} checks:\n${dom.console}`);
  for (const name of [
    "found another domain's frame and a free frame through the M2P",
    "mmu_update with requests in the hypervisor's range (the readable M2P)",
    "a huge count runs into unmapped memory and stops",
    "map the L4 writable through mmu_update",
    "map another domain's frame writable",
    "take over the M2P's L4 slot",
    "the M2P is read-only",
    "a refused hierarchy leaves no table behind",
    "unpin the L4 in use as the base pointer",
    "pin the boot L4 a second time",
    "ptwr: a write straddling two entries",
  ]) {
    assert.ok(passes.includes(`PASS ${name}`), `missing PASS ${name}`);
  }
  assert.deepEqual(results.get(dom), { kind: "shutdown", reason: "poweroff", code: 0, message: undefined });
  assert.deepEqual(results.get(victim), { kind: "shutdown", reason: "poweroff", code: 0, message: undefined });
  assert.match(victim.console, /^Hello from xenwasm\n/);
  assert.equal(invariantReport(hv), "");
});

test("mmutest on the release core", () => {
  const hv = new Hypervisor({ memoryMiB: 64 });
  const dom = hv.createDomain({ kernel: MMUTEST, memoryMiB: 16 });
  const result = hv.run({ maxSeconds: 120 }).get(dom);
  assertAllPassed(dom, "mmutest");
  assert.deepEqual(result, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined });
  assert.equal(invariantReport(hv), "");
});

test("the builder's tables are pinned, validated and adjusted; the checker sees a bad count", () => {
  const hv = new Hypervisor({ memoryMiB: 64, core: "debug" });
  const x = hv.core.exports;
  const dom = hv.createDomain({ kernel: HELLO, memoryMiB: 8 });
  const l4 = dom.built.l4Mfn;
  const t = BigInt.asUintN(64, x.frameTypeInfo(l4));
  assert.equal(t >> 61n, 4n, "L4 type");
  assert.ok(t & (1n << 59n), "pinned");
  assert.ok(t & (1n << 58n), "validated");
  assert.equal(t & 0xffffffffn, 2n, "type references: the pin and the base pointer");
  const dv = hv.core.dv();
  const l4e = dv.getBigUint64(x.frameAddr(l4) + 511 * 8, true);
  assert.equal(l4e & 0x25n, 0x25n, "an L4 entry gets US and A");
  assert.equal(invariantReport(hv), "");

  // Corrupt one general count behind the core's back: reported, then restored.
  const entry = A.DYNAMIC_BASE + l4 * 16;
  dv.setUint32(entry, dv.getUint32(entry, true) + 1, true);
  assert.match(invariantReport(hv), /general count differs from references by mfn/);
  dv.setUint32(entry, dv.getUint32(entry, true) - 1, true);
  assert.equal(invariantReport(hv), "");
});
