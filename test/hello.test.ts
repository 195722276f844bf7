// End to end: the hello guest boots on the real core, through the CLI and the Node API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Hypervisor } from "../host/index.ts";

const CLI = ["bin/xenwasm.js"];
const HELLO = "build/guests/hello.elf";

function xenwasm(...args: string[]) {
  return spawnSync(process.execPath, [...CLI, ...args], { encoding: "utf8", timeout: 120_000 });
}

test("xenwasm run boots hello, prints its console and exits 0 on poweroff", () => {
  const r = xenwasm("run", HELLO);
  assert.equal(r.stderr, "");
  assert.equal(r.status, 0);
  const lines = r.stdout.split("\n");
  assert.ok(lines.includes("Hello from xenwasm"), r.stdout);
  assert.ok(lines.includes("start_info magic: xen-3.0-x86_64"), r.stdout);
  assert.ok(lines.includes("memory: 8192 pages (32 MiB)"), r.stdout);
});

test("--memory reaches the guest through start_info.nr_pages", () => {
  const r = xenwasm("run", HELLO, "--memory", "48");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^memory: 12288 pages \(48 MiB\)$/m);
});

test("the Node API runs hello and reports a poweroff", () => {
  const hv = new Hypervisor({ memoryMiB: 64 });
  const dom = hv.createDomain({ kernel: HELLO, memoryMiB: 16 });
  const seen: string[] = [];
  dom.onConsole((t) => seen.push(t));
  const result = hv.run().get(dom);
  assert.deepEqual(result, { kind: "shutdown", reason: "poweroff", code: 0, message: undefined });
  assert.equal(dom.state, "shutdown");
  assert.equal(dom.shutdownReason, "poweroff");
  assert.match(dom.console, /^Hello from xenwasm\n/);
  assert.equal(seen.join(""), dom.console);
});

test("the same seed gives the same machine frames; another seed other frames", () => {
  const frames = (seed: number) => {
    const hv = new Hypervisor({ memoryMiB: 64, seed });
    return hv.createDomain({ kernel: HELLO, memoryMiB: 8 }).built.p2m.slice(0, 64);
  };
  assert.deepEqual(frames(7), frames(7));
  assert.notDeepEqual(frames(7), frames(8));
  const p2m = frames(7);
  assert.ok(p2m.some((mfn, pfn) => mfn !== pfn), "frames are not handed out in identity order");
});
