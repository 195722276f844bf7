// `xenwasm run` with several kernels, physical CPUs and a trace file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "xenwasm-run-"));

function xenwasm(...args: string[]) {
  return spawnSync(process.execPath, ["bin/xenwasm.js", ...args], { encoding: "utf8", timeout: 120_000 });
}

test("several kernels run together; each console line carries its domain's name", () => {
  const r = xenwasm("run", "build/guests/timer.elf", "build/guests/blocker.elf", "build/guests/timer.elf", "--pcpus", "2");
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  for (const l of lines) assert.match(l, /^\[(timer|blocker|timer-2)\] /);
  assert.ok(lines.includes("[timer] timer: ok"));
  assert.ok(lines.includes("[timer-2] timer: ok"));
  assert.ok(lines.includes("[blocker] blocker: ok"));
});

test("--trace writes one record per line", () => {
  const f = join(dir, "trace.txt");
  const r = xenwasm("run", "build/guests/blocker.elf", "--trace", f);
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(f, "utf8").trim().split("\n");
  assert.match(lines[0]!, /^# xenwasm trace/);
  assert.ok(lines.length > 50);
  for (const kind of ["sched_in", "block", "wake", "deliver", "hypercall", "timer"]) {
    assert.ok(lines.some((l) => l.split(" ")[1] === kind), kind);
  }
});

test("bad --pcpus, --quantum-us and --trace values are refused with a clear message", () => {
  for (const [args, msg] of [
    [["--pcpus", "0"], /--pcpus "0": expected a whole number >= 1/],
    [["--pcpus", "100"], /--pcpus 100: at most 64/],
    [["--pcpus", "two"], /--pcpus "two"/],
    [["--quantum-us", "0.1"], /quantum 0\.1 µs: give 1000 cycles \(0\.5 µs at 2000 MHz\) to 1 s/],
    [["--quantum-us", "x"], /--quantum-us "x": expected a number >= 0/],
    [["--trace"], /--trace needs a file name/],
  ] as const) {
    const r = xenwasm("run", "build/guests/hello.elf", ...args);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stdout, "");
  }
});

test("a guest that blocks for good is reported, exit status 1", () => {
  const r = xenwasm("run", "build/guests/pingpong.elf", "--cmdline", "ping peer=5 rounds=1");
  assert.equal(r.status, 1);
  assert.match(r.stderr, /pingpong: blocked with no event source to wake it/);
});
