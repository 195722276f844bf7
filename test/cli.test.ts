// The CLI contract for bad input: exit status 2 and one clear line on stderr naming the file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildElf, str } from "./helpers/elfwriter.ts";

const dir = mkdtempSync(join(tmpdir(), "xenwasm-cli-"));

function xenwasm(...args: string[]) {
  return spawnSync(process.execPath, ["bin/xenwasm.js", ...args], { encoding: "utf8", timeout: 60_000 });
}

function expectBadInput(r: ReturnType<typeof xenwasm>, file: string, what: RegExp) {
  assert.equal(r.status, 2, `exit status (stderr: ${r.stderr})`);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.ok(lines[0]!.includes(file), `names the file: ${r.stderr}`);
  assert.match(lines[0]!, what);
}

test("--help documents run and the exit statuses", () => {
  const r = xenwasm("--help");
  assert.equal(r.status, 0);
  assert.match(r.stdout, /xenwasm run KERNEL\.elf/);
  for (const flag of ["--memory", "--vcpus", "--cmdline", "--max-seconds"]) assert.ok(r.stdout.includes(flag), flag);
  assert.match(r.stdout, /exit status/);
});

test("not an ELF file", () => {
  expectBadInput(xenwasm("run", "package.json"), "package.json", /not an ELF/);
});

test("a missing file", () => {
  expectBadInput(xenwasm("run", "no/such/kernel.elf"), "no/such/kernel.elf", /no such file/);
});

test("a 32-bit ELF", () => {
  const f = join(dir, "k32.elf");
  const elf = buildElf({ entry: 0x100000n, loads: [{ paddr: 0x100000n, data: new Uint8Array(16) }], elfClass: 1 });
  writeFileSync(f, elf.bytes);
  expectBadInput(xenwasm("run", f), f, /32-bit/);
});

test("an ELF without Xen notes", () => {
  const f = join(dir, "nonotes.elf");
  writeFileSync(f, buildElf({ entry: 0x100000n, loads: [{ paddr: 0x100000n, data: new Uint8Array(64) }] }).bytes);
  expectBadInput(xenwasm("run", f), f, /no Xen ELF notes/);
});

test("a truncated kernel", () => {
  const f = join(dir, "truncated.elf");
  writeFileSync(f, readFileSync("build/guests/hello.elf").subarray(0, 3000));
  expectBadInput(xenwasm("run", f), f, /truncated|beyond the end|past the end/);
});

test("a kernel Xen would refuse: no LOADER or GUEST_OS note", () => {
  const f = join(dir, "noloader.elf");
  const notes = [{ type: 5, desc: str("xen-3.0") }];
  writeFileSync(f, buildElf({ entry: 0x100000n, loads: [{ paddr: 0x100000n, data: new Uint8Array(64) }], notes }).bytes);
  expectBadInput(xenwasm("run", f), f, /LOADER|GUEST_OS/);
});

test("bad options", () => {
  const r = xenwasm("run", "build/guests/hello.elf", "--memory", "lots");
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--memory "lots"/);
  const r2 = xenwasm("run", "build/guests/hello.elf", "--frobnicate");
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /unknown option --frobnicate/);
  const r3 = xenwasm("run");
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /needs a kernel/);
});

test("--max-seconds stops a guest that never shuts down, with exit status 3", () => {
  const t0 = Date.now();
  const r = xenwasm("run", "build/guests/spin.elf", "--max-seconds", "1");
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /^spinning$/m);
  assert.match(r.stderr, /still running after --max-seconds 1/);
  assert.ok(Date.now() - t0 < 30_000);
});
