// Grant tables end to end: real guests on the real (debug) core. Two domains share pages; a
// domain uses every operation on its own grants (v1 and v2, growth, copies, transfer); a
// hostile guest gets Xen's GNTST_*/errno answer for every attack; the host maps and copies a
// guest's grants as a dom0 backend would. After each run the MMU invariant checker, with the
// grant tables' own references accounted for, must find the frame table consistent.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hypervisor, type Domain } from "../host/index.ts";
import { assertFrameTableClean, checkedHypervisor } from "./helpers/grants.ts";
import { GrantBackend, GrantError, type GrantMapping } from "../host/backends/grants.ts";

const SHARE = "build/guests/gntshare.elf";
const SELF = "build/guests/gntself.elf";
const HOSTILE = "build/guests/gnthostile.elf";
const HOST = "build/guests/gnthost.elf";
const HELLO = "build/guests/hello.elf";

function lines(d: Domain, prefix: string): string[] {
  return d.console.split("\n").filter((l) => l.startsWith(prefix));
}

// Every check printed PASS, and the guest's own summary agrees.
function assertAllPassed(d: Domain, guest: string, atLeast: number): void {
  assert.deepEqual(lines(d, "FAIL"), [], d.console);
  const summary = d.console.match(new RegExp(`^${guest}: (\\d+) checks, 0 failure\\(s\\)$`, "m"));
  assert.ok(summary, `no summary line:\n${d.console}`);
  assert.equal(lines(d, "PASS ").length, Number(summary[1]), d.console);
  assert.ok(Number(summary[1]) >= atLeast, `only ${summary[1]} checks`);
}



function assertPoweredOff(results: Map<Domain, unknown>): void {
  for (const [d, r] of results) {
    assert.deepEqual(r, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined }, `domain ${d.id}:\n${d.console}`);
  }
}

test("gntshare: two domains share pages by grant, read-only is enforced, copies go both ways", () => {
  const hv = checkedHypervisor();
  const granter = hv.createDomain({ kernel: SHARE, memoryMiB: 8, cmdline: "role=1 peer=2" });
  const mapper = hv.createDomain({ kernel: SHARE, memoryMiB: 8, cmdline: "role=2 peer=1" });
  assert.equal(granter.id, 1);
  assert.equal(mapper.id, 2);
  const results = hv.run({ maxSeconds: 120 });
  assertAllPassed(granter, "gntshare granter", 11);
  assertAllPassed(mapper, "gntshare mapper", 14);
  for (const name of [
    "mapper: reads what the granter wrote",
    "granter: the mapper's write through its mapping is visible",
    "mapper: writing the read-only mapping faults",
    "mapper: copy from the peer's grant into our own frame",
    "granter: grant copy wrote the granted page",
  ]) {
    assert.ok([...lines(granter, "PASS "), ...lines(mapper, "PASS ")].includes(`PASS ${name}`), `missing PASS ${name}`);
  }
  assertPoweredOff(results);
  assertFrameTableClean(hv);
});

test("gntself: a domain maps and copies its own grants, grows its table, switches v1 -> v2 -> v1", () => {
  const hv = checkedHypervisor();
  const d = hv.createDomain({ kernel: SELF, memoryMiB: 8, cmdline: "self=1" });
  const results = hv.run({ maxSeconds: 120 });
  assertAllPassed(d, "gntself", 80);
  for (const name of [
    "a frame mapped writable through a grant cannot be pinned as an L1",
    "unpin: the read-only mapping took no type",
    "the host mapping stays",
    "map into a PTE named by machine address",
    "host_addr now maps what new_addr mapped",
    "copy grant to grant",
    "the transferred frame is reported in the entry",
    "map the last ref of the new frames",
    "no switch back while a grant is mapped",
    "no switch back while we map the status frames",
    "switch back to v1 once they are unmapped",
  ]) {
    assert.ok(lines(d, "PASS ").includes(`PASS ${name}`), `missing PASS ${name}`);
  }
  assertPoweredOff(results);
  assertFrameTableClean(hv);
});

test("gnthostile: every attack on grant_table_op gets Xen's answer and the frame table stays consistent", () => {
  const hv = checkedHypervisor();
  // Built first, so the hostile guest has another domain (and its frames) to aim at.
  const victim = hv.createDomain({ kernel: HELLO, memoryMiB: 8 });
  const d = hv.createDomain({ kernel: HOSTILE, memoryMiB: 8, cmdline: `self=2 victim=${victim.id}` });
  // Small limits, so exhausting them is quick: 4 grant frames, 1 maptrack frame.
  const gnt = new GrantBackend(hv.core);
  assert.throws(() => gnt.setLimits(d.id, 65, 1), RangeError, "more than 64 grant frames");
  assert.throws(() => gnt.setLimits(d.id, 4, 1025), RangeError, "more than 1024 maptrack frames");
  gnt.setLimits(d.id, 4, 1);
  const results = hv.run({ maxSeconds: 120 });
  assertAllPassed(d, "gnthostile", 85);
  for (const name of [
    "a negative count",
    "maptrack exhaustion",
    "setup_table beyond the domain's limit of 4 frames",
    "contains_pte with a misaligned PTE address",
    "contains_pte with another domain's frame",
    "unmapping a host mapping through a device unmap does nothing",
    "the stale handle",
    "a double unmap",
    "no version switch while a grant is in use",
    "cache_flush of a free frame",
    "every element of the continued batch was done",
  ]) {
    assert.ok(lines(d, "PASS ").includes(`PASS ${name}`), `missing PASS ${name}`);
  }
  assertPoweredOff(results);
  // The guest powered off with a device mapping still held: it is accounted for.
  assertFrameTableClean(hv);
});

test("the host maps a guest's grants, writes through them and copies between them", () => {
  const hv = checkedHypervisor();
  const d = hv.createDomain({ kernel: HOST, memoryMiB: 8 });
  const gnt = new GrantBackend(hv.core);
  let rw: GrantMapping | undefined;
  let ro: GrantMapping | undefined;
  const seen: string[] = [];
  let text = "";
  d.onConsole((chunk) => {
    text += chunk;
    if (text.includes("READY\n") && !seen.includes("READY")) {
      seen.push("READY");
      rw = gnt.map(d.id, 8);
      seen.push(gnt.readString(rw));
      gnt.writeString(rw, 1024, "from the host");
      ro = gnt.map(d.id, 10, true);
      seen.push(gnt.readString(ro));
      for (const [what, fn, status] of [
        ["read-only grant mapped writable", () => gnt.map(d.id, 10), -1],
        ["ref never granted", () => gnt.map(d.id, 11), -1],
        ["no such domain", () => gnt.map(99, 8), -2],
        ["ref beyond the table", () => gnt.map(d.id, 512), -3],
      ] as const) {
        assert.throws(fn, (e: unknown) => e instanceof GrantError && e.status === status, what);
      }
    }
    if (text.includes("SEEN\n") && !seen.includes("SEEN")) {
      seen.push("SEEN");
      assert.equal(gnt.unmap(rw!), 0);
      assert.equal(gnt.unmap(rw!), -4, "a double unmap is GNTST_bad_handle");
      assert.equal(gnt.unmap(ro!), 0);
      assert.equal(gnt.copy({ domid: d.id, ref: 8, offset: 4090 }, { domid: d.id, ref: 9, offset: 0 }, 14), -10, "copy across the page end");
      assert.equal(gnt.copy({ domid: d.id, ref: 10, offset: 0 }, { domid: d.id, ref: 10, offset: 100 }, 4), -1, "copy into a read-only grant");
      assert.equal(gnt.copy({ domid: d.id, ref: 8, offset: 1024 }, { domid: d.id, ref: 9, offset: 0 }, 14), 0);
    }
  });
  const results = hv.run({ maxSeconds: 120 });
  assert.deepEqual(seen, ["READY", "to the host", "read only for the host", "SEEN"]);
  assertAllPassed(d, "gnthost", 6);
  assertPoweredOff(results);
  assertFrameTableClean(hv);
});
