// memory_op, set_gdt and update_descriptor end to end: the memtest guest balloons its
// reservation down and up, maps a new frame, checks the M2P against machphys_mapping /
// machphys_mfn_list, exchanges frames and loads selectors from a GDT of its own; memhostile
// throws garbage at the same hypercalls while another domain runs beside it, unharmed. Both
// print PASS/FAIL lines; every check must pass and the frame table must still add up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hypervisor, type Domain } from "../host/index.ts";
import { readCString } from "../host/core.ts";

const MEMTEST = "build/guests/memtest.elf";
const HOSTILE = "build/guests/memhostile.elf";
const HELLO = "build/guests/hello.elf";
const TRAPS = "build/guests/traps.elf";

function lines(d: Domain, prefix: string): string[] {
  return d.console.split("\n").filter((l) => l.startsWith(prefix));
}

function invariantReport(hv: Hypervisor): string {
  const x = hv.core.exports;
  const n = x.checkInvariants();
  return n === 0 ? "" : `${n} violation(s): ${readCString(hv.core, x.messageAddr(), 1024)}`;
}

const POWEROFF = { kind: "shutdown", reason: "poweroff", code: 0, message: undefined };

// The debug core with the MMU invariant checker run after every MMU hypercall (memory_op,
// set_gdt and update_descriptor included).
function checkedHypervisor(): Hypervisor {
  const hv = new Hypervisor({ memoryMiB: 96, core: "debug" });
  hv.core.exports.setMmuChecks(1);
  return hv;
}

test("memtest: reservation up and down, M2P, e820, exchange, long batches, a GDT of its own", () => {
  const hv = checkedHypervisor();
  const dom = hv.createDomain({ kernel: MEMTEST, memoryMiB: 32 });
  const result = hv.run({ maxSeconds: 120 }).get(dom);
  assert.deepEqual(lines(dom, "FAIL"), [], dom.console);
  const passes = lines(dom, "PASS ");
  assert.ok(passes.length >= 90, `only ${passes.length} checks passed:\n${dom.console}`);
  for (const name of [
    "current_reservation is start_info.nr_pages",
    "increase_reservation at max_pages gets nothing",
    "machphys_mapping describes the M2P at 0xFFFF800000000000",
    "the M2P read at v_start maps our frames back to their pfns",
    "machphys_mfn_list has one 2 MiB-aligned frame per 2 MiB of M2P",
    "memory_map is one RAM entry of the maximum reservation",
    "decrease_reservation of 8 unmapped frames",
    "tot_pages goes down by 8",
    "increase_reservation by 4",
    "map a new frame with update_va_mapping",
    "write and read back the new frame",
    "the M2P shows the new frame's pfn",
    "a mapped frame given back still counts while mapped",
    "a decreased frame still mapped is freed when unmapped",
    "populate_physmap returns frames whose M2P entries are the pfns",
    "a 1100-frame exchange is continued to the end",
    "exchange gives new frames with their M2P set and frees the old ones",
    "a 1100-extent decrease_reservation is continued to the end",
    "a 1100-extent populate_physmap is continued to the end",
    "the continued decrease inside a multicall completes",
    "set_gdt with a frame mapped writable",
    "set_gdt with a read-only frame of descriptors",
    "a live GDT frame cannot be mapped writable",
    "load %ds from our GDT",
    "the descriptor's base applies to %fs accesses",
    "a not-present descriptor raises #NP",
    "a null %ss at CPL 3 raises #GP",
    "Xen's flat data selector 0xE02B loads",
    "Xen's ring-0 selector 0xE008 cannot be loaded",
    "update_descriptor on the live GDT",
    "the updated base applies",
    "set_gdt with two frames",
    "set_gdt with no entries drops the GDT",
    "load %fs from the LDT",
    "the LDT descriptor's base applies",
  ]) {
    assert.ok(passes.includes(`PASS ${name}`), `missing PASS ${name}`);
  }
  assert.deepEqual(result, POWEROFF);
  assert.equal(invariantReport(hv), "");
});

test("memhostile: every attack gets Xen's answer; a domain beside it is unharmed", () => {
  const hv = checkedHypervisor();
  // Built first, so the hostile guest finds another domain's frames (and domid 1) to aim at.
  const victim = hv.createDomain({ kernel: HELLO, memoryMiB: 8 });
  const dom = hv.createDomain({ kernel: HOSTILE, memoryMiB: 16 });
  const bystander = hv.createDomain({ kernel: TRAPS, memoryMiB: 8 });
  const results = hv.run({ maxSeconds: 120 });
  assert.deepEqual(lines(dom, "FAIL"), [], dom.console);
  const passes = lines(dom, "PASS ");
  assert.ok(passes.length >= 120, `only ${passes.length} checks passed:\n${dom.console}`);
  for (const name of [
    "found another domain's frame and a free frame through the M2P",
    "decrease_reservation of another domain's frame",
    "decrease_reservation of the shared_info frame is refused",
    "decrease_reservation of the L1 mapping our code",
    "the L1 in use is not freed",
    "decrease_reservation with a list in the hypervisor's range (the readable M2P)",
    "a list running into unmapped memory stops there",
    "extent_order 10 is refused",
    "nr_extents too large to continue is refused",
    "current_reservation of another domain",
    "current_reservation of DOMID_XEN",
    "increase another domain's reservation",
    "a huge increase stops at max_pages",
    "increase beyond max_pages gets nothing",
    "exchange of 2 frames for 1",
    "exchange of another domain's frame",
    "exchange naming one frame twice",
    "the frame named twice is still ours",
    "set_gdt with 7169 entries",
    "set_gdt of a frame mapped writable",
    "set_gdt of another domain's frame",
    "set_gdt of a page holding a TSS descriptor",
    "set_gdt with a call gate into Xen's ring-0 code",
    "the call gate gets DPL 0 and RPL 3 in its selector",
    "a live GDT frame cannot become a page table",
    "update_descriptor at a misaligned address",
    "update_descriptor into another domain's frame",
    "update_descriptor into a page table",
    "update_descriptor with a TSS descriptor",
    "decrease_reservation of our L4 in use",
    "the L4 in use is not freed",
  ]) {
    assert.ok(passes.includes(`PASS ${name}`), `missing PASS ${name}`);
  }
  assert.match(dom.console, /still running after giving away a live L1/);
  assert.deepEqual(results.get(dom), POWEROFF);
  assert.deepEqual(results.get(victim), POWEROFF);
  assert.match(victim.console, /^Hello from xenwasm\n/);
  assert.deepEqual(results.get(bystander), POWEROFF);
  assert.deepEqual(lines(bystander, "FAIL"), [], bystander.console);
  assert.equal(invariantReport(hv), "");
});

test("memtest on the release core", () => {
  const hv = new Hypervisor({ memoryMiB: 96 });
  const dom = hv.createDomain({ kernel: MEMTEST, memoryMiB: 32 });
  const result = hv.run({ maxSeconds: 120 }).get(dom);
  assert.deepEqual(lines(dom, "FAIL"), [], dom.console);
  assert.deepEqual(result, POWEROFF);
  assert.equal(invariantReport(hv), "");
});
