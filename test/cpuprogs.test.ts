// "Real programs": the CPU workload (guests/cpuprogs: CRC, sorting, hashing, a bytecode interpreter,
// string functions, floating point, recursion, 64- and 128-bit integers, bit tricks) built as the
// guests cpu-O0, cpu-O2 and cpu-O3, and the same C built natively for the host with the same flags
// (test/cpu/native/workload-main.c). Each prints one `name: checksum` line per test; the guest on
// xenwasm must print exactly what the native program prints.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const WORKLOAD = join(ROOT, "guests", "cpuprogs");
const NATIVE_MAIN = join(ROOT, "test", "cpu", "native", "workload-main.c");
const NATIVE_DIR = join(ROOT, "build", "native");
const GUEST_DIR = join(ROOT, "build", "guests");
const LEVELS = ["O0", "O2", "O3"] as const;
type Level = (typeof LEVELS)[number];

const mtime = (p: string) => (existsSync(p) ? statSync(p).mtimeMs : 0);

// The per-level flags live in one place, the guest's guest.mk; the native twin uses them too.
function levelFlags(level: Level): string[] {
  const mk = readFileSync(join(ROOT, "guests", `cpu-${level}`, "guest.mk"), "utf8");
  const m = /^CFLAGS_EXTRA\s*:?=\s*(.*)$/m.exec(mk);
  assert.ok(m, `guests/cpu-${level}/guest.mk sets no CFLAGS_EXTRA`);
  return m[1]!.trim().split(/\s+/).filter(Boolean);
}

const workloadSources = () =>
  readdirSync(WORKLOAD).filter((f) => /^wl_.*\.c$/.test(f)).sort().map((f) => join(WORKLOAD, f));

// build/native/cpu-<level>, rebuilt when a source, a header or the level's flags are newer.
function buildNative(level: Level): string {
  const out = join(NATIVE_DIR, `cpu-${level}`);
  const inputs = [...workloadSources(), ...readdirSync(WORKLOAD).filter((f) => f.endsWith(".h")).map((f) => join(WORKLOAD, f)),
    NATIVE_MAIN, join(ROOT, "guests", `cpu-${level}`, "guest.mk")];
  if (mtime(out) > Math.max(...inputs.map(mtime))) return out;
  mkdirSync(NATIVE_DIR, { recursive: true });
  const args = ["-std=gnu11", "-march=x86-64", "-mtune=generic", "-Wall", "-Wextra", "-Werror", ...levelFlags(level),
    `-I${WORKLOAD}`, ...workloadSources(), NATIVE_MAIN, "-o", out];
  const r = spawnSync("gcc", args, { encoding: "utf8" });
  assert.ok(!r.error, `gcc is needed to build the native twin (apt-get install gcc): ${r.error?.message}`);
  assert.equal(r.status, 0, `native build failed: gcc ${args.join(" ")}\n${r.stderr}`);
  return out;
}

// The guests are built by `npm test`'s build step; make keeps them current when this file runs alone.
function buildGuests(): void {
  const r = spawnSync("make", ["-s", "-C", join(ROOT, "guests"), `O=${GUEST_DIR}`, ...LEVELS.map((l) => `cpu-${l}`)], { encoding: "utf8" });
  assert.ok(!r.error, `make is needed to build the guests: ${r.error?.message}`);
  assert.equal(r.status, 0, `building the cpu guests failed:\n${r.stderr}`);
}

function runNative(level: Level, cmdline: string): string {
  const r = spawnSync(buildNative(level), cmdline ? cmdline.split(" ") : [], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 0, `native cpu-${level} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function runGuest(level: Level, cmdline: string) {
  const args = ["bin/xenwasm.js", "run", join(GUEST_DIR, `cpu-${level}.elf`), "--max-seconds", "100"];
  if (cmdline) args.push("--cmdline", cmdline);
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
}

// Line by line: the first difference with both values, then every test whose checksum differs.
function compare(native: string, guest: string): string | undefined {
  const lines = (s: string) => (s === "" ? [] : s.replace(/\n$/, "").split("\n"));
  const a = lines(native), b = lines(guest);
  const first = a.findIndex((line, i) => line !== b[i]);
  const firstAt = first >= 0 ? first : a.length < b.length ? a.length : -1;
  if (firstAt < 0) return undefined;
  const show = (s: string | undefined) => (s === undefined ? "(no line)" : JSON.stringify(s));
  const sums = (lines: string[]) => new Map(lines.filter((l) => l.includes(": ")).map((l) => l.split(": ", 2) as [string, string]));
  const na = sums(a), gb = sums(b);
  const differ = [...na.keys()].filter((k) => na.get(k) !== gb.get(k)).map((k) => `${k} (native ${na.get(k)}, guest ${gb.get(k) ?? "missing"})`);
  return `line ${firstAt + 1}: native ${show(a[firstAt])}, guest ${show(b[firstAt])}` +
    (differ.length ? `\n  differing: ${differ.join("; ")}` : "");
}

function check(level: Level, cmdline: string): void {
  const native = runNative(level, cmdline);
  const g = runGuest(level, cmdline);
  const diff = compare(native, g.stdout);
  const how = `cpu-${level}${cmdline ? ` --cmdline "${cmdline}"` : ""}`;
  assert.ok(
    g.status === 0 && diff === undefined,
    `${how}: guest exit status ${g.status}${g.signal ? ` (${g.signal})` : ""}${g.stderr ? `, stderr: ${g.stderr.trim()}` : ""}` +
      (diff ? `\n  ${diff}` : ""),
  );
}

test("the cpu guests build", () => {
  buildGuests();
  for (const l of LEVELS) assert.ok(existsSync(join(GUEST_DIR, `cpu-${l}.elf`)), `cpu-${l}.elf`);
});

test("the workload is well-defined C: the native builds agree at every level", () => {
  const outs = LEVELS.map((l) => runNative(l, ""));
  assert.match(outs[0]!, /^crc: [0-9a-f]{16}$/m);
  assert.match(outs[0]!, /^end: [0-9a-f]{16}$/m);
  for (let i = 1; i < LEVELS.length; i++) {
    assert.equal(compare(outs[0]!, outs[i]!), undefined, `native -${LEVELS[0]} vs -${LEVELS[i]}`);
  }
});

for (const level of LEVELS) {
  test(`cpu-${level} on xenwasm prints what the native build prints`, () => check(level, ""));
}

test("the command line reaches the workload: iterations= and only=", () => {
  check("O2", "iterations=2 only=crc,int128,bits");
  const lines = runNative("O2", "iterations=2 only=crc,int128,bits").trim().split("\n");
  assert.deepEqual(lines.map((l) => l.split(":")[0]), ["crc", "int128", "bits", "end"]);
});
