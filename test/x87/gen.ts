// Records the reference results for test/x87.test.ts: assembles every case of cases.ts with
// the machine's `as`, runs them natively (native.c, compiled with gcc) and writes
// vectors.json. Run it on an x86-64 Linux machine after changing the cases:
//   npx tsx test/x87/gen.ts
// The recorded processor is named in the file; the test itself needs neither gcc nor as.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { cases } from "./cases.ts";

const here = dirname(fileURLToPath(import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "x87gen-"));
const list = cases();

// One assembly file, each case between two labels.
let src = ".intel_syntax noprefix\n.text\n";
list.forEach((c, i) => {
  src += `c${i}_s:\n${c.asm.split(";").map((l) => l.trim()).join("\n")}\nc${i}_e:\n`;
});
writeFileSync(join(tmp, "cases.s"), src);
execFileSync("as", ["--64", "-o", join(tmp, "cases.o"), join(tmp, "cases.s")], { stdio: ["ignore", "inherit", "inherit"] });
execFileSync("objcopy", ["-O", "binary", "-j", ".text", join(tmp, "cases.o"), join(tmp, "cases.bin")]);
const text = readFileSync(join(tmp, "cases.bin"));
const syms = new Map<string, number>();
for (const line of execFileSync("nm", [join(tmp, "cases.o")], { encoding: "utf8" }).split("\n")) {
  const m = /^([0-9a-f]+) \w (c\d+_[se])$/.exec(line.trim());
  if (m) syms.set(m[2]!, parseInt(m[1]!, 16));
}

execFileSync("gcc", ["-O1", "-o", join(tmp, "native"), join(here, "native.c")]);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const trim = (h: string) => h.replace(/(00)+$/, "");
const input = list.map((c, i) => {
  const code = text.subarray(syms.get(`c${i}_s`)!, syms.get(`c${i}_e`)!);
  return `${hex(code)} ${hex(c.data)}`;
});
const out = execFileSync(join(tmp, "native"), { input: input.join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 30 })
  .trim()
  .split("\n");
if (out.length !== list.length) throw new Error(`native runner returned ${out.length} of ${list.length} results`);

// The window as the runs of bytes that changed ("offset:hex,..."); the FXSAVE image without
// MXCSR and the always-zero upper bytes of the register slots (bytes 0..23, then 8 x 10), as
// its nonzero runs the same way.
function changes(before: Buffer, after: Buffer): string {
  const runs: string[] = [];
  for (let i = 0; i < after.length; ) {
    if (after[i] === (before[i] ?? 0)) {
      i++;
      continue;
    }
    let j = i;
    while (j < after.length && after[j] !== (before[j] ?? 0)) j++;
    runs.push(`${i.toString(16)}:${after.subarray(i, j).toString("hex")}`);
    i = j;
  }
  return runs.join(",");
}
function compactFx(fx: Buffer): string {
  const parts = [fx.subarray(0, 24)];
  for (let i = 0; i < 8; i++) parts.push(fx.subarray(32 + i * 16, 42 + i * 16));
  return changes(Buffer.alloc(0), Buffer.concat(parts));
}
const vectors = list.map((c, i) => {
  const [sig, rip, win, fx] = out[i]!.split(" ");
  const [code, data] = input[i]!.split(" ");
  return {
    name: c.name,
    code,
    data: trim(data ?? ""),
    ...(sig !== "0" ? { signal: Number(sig), rip: parseInt(rip!, 16) } : {}),
    changed: changes(Buffer.from(data ?? "", "hex"), Buffer.from(win!, "hex")),
    fx: compactFx(Buffer.from(fx!, "hex")),
    ...(c.ulps !== undefined ? { ulps: c.ulps } : {}),
  };
});
const cpu = cpus()[0]?.model ?? "unknown";
writeFileSync(
  join(here, "vectors.json"),
  `{"recordedOn": ${JSON.stringify(cpu)},\n"cases": [\n` + vectors.map((v) => JSON.stringify(v)).join(",\n") + "\n]}\n",
);
console.log(`${vectors.length} cases recorded on ${cpu}`);
