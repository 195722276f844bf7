// Compares the native and emulated outcome of a case, with the form's undefined flags and
// results masked, and prints a mismatch: the form, the bytes, the starting state and both
// results with the differences marked.
import type { Case } from "./gen.ts";
import { GPR } from "./gen.ts";
import type { NativeResult } from "./native.ts";
import type { EmuResult } from "./emu.ts";
import { DATA_VA, DATA_SIZE, WINDOW_DATA_OFF } from "./layout.ts";
import { hex } from "./encode.ts";

/** Vectors that push an error code. */
const HAS_ERROR = new Set([8, 10, 11, 12, 13, 14, 17]);
/** RFLAGS bits compared: CF PF AF ZF SF DF OF NT AC ID (TF, IF, IOPL, RF are the host's). */
const FLAGS_COMPARED = 0x244cd5n;
const SIGALRM = 14;

export interface Outcome {
  regs: bigint[];
  rip: bigint;
  rflags: bigint;
  xmm: Uint8Array;
  mxcsr: number;
  vector: number; // 3: stopped at an int3; -1: did not stop; -2: native timeout
  error: number;
  cr2: bigint;
  mem: Map<number, number>; // data offset -> final byte, where it changed
}

export function fromNative(r: NativeResult): Outcome {
  return {
    regs: r.regs, rip: r.rip, rflags: r.rflags, xmm: r.xmm, mxcsr: r.mxcsr,
    vector: r.signo === SIGALRM ? -2 : r.trapno, error: r.err, cr2: r.cr2, mem: r.diffs,
  };
}

export function fromEmu(r: EmuResult, pages: Uint8Array[][], initial: Uint8Array): Outcome {
  const mem = new Map<number, number>();
  pages.forEach((ws, wi) => {
    const base0 = WINDOW_DATA_OFF[wi]!;
    if (base0 < 0) return;
    ws.forEach((w, pi) => {
      const base = base0 + pi * 4096;
      const a32 = new Int32Array(w.buffer, w.byteOffset, w.length >> 2);
      const b32 = new Int32Array(initial.buffer, initial.byteOffset + base, w.length >> 2);
      for (let k = 0; k < a32.length; k++) {
        if (a32[k] === b32[k]) continue;
        for (let i = k * 4; i < k * 4 + 4; i++) if (w[i] !== initial[base + i]) mem.set(base + i, w[i]!);
      }
    });
  });
  return {
    regs: r.state.regs, rip: r.state.rip, rflags: r.state.rflags, xmm: r.state.xmm, mxcsr: r.state.mxcsr,
    vector: r.exception ? r.exception.vector : -1, error: r.exception?.error ?? -1, cr2: r.exception?.cr2 ?? 0n, mem,
  };
}

export interface Diff {
  what: string;
  native: string;
  emu: string;
}

const h = (v: bigint) => "0x" + BigInt.asUintN(64, v).toString(16);

function flagNames(f: bigint): string {
  const names: Array<[number, string]> = [[0x1, "CF"], [0x4, "PF"], [0x10, "AF"], [0x40, "ZF"], [0x80, "SF"], [0x400, "DF"], [0x800, "OF"], [0x4000, "NT"], [0x40000, "AC"], [0x200000, "ID"]];
  return names.filter(([b]) => (f & BigInt(b)) !== 0n).map(([, n]) => n).join(" ") || "-";
}

export function compare(c: Case, n: Outcome, e: Outcome, initial: Uint8Array): Diff[] {
  const d: Diff[] = [];
  // Did the instruction under test complete? (It faulted when the native run stopped on it.)
  const faulted = n.vector !== 3 && n.rip === c.insnVA;
  const undefFlags = BigInt(faulted ? c.undefFlagsFault : c.undefFlags);
  if (n.vector !== e.vector) d.push({ what: "exception", native: vecName(n.vector), emu: vecName(e.vector) });
  else if (HAS_ERROR.has(n.vector)) {
    const m = n.vector === 14 ? ~4 : ~0; // U/S: native runs in user mode, the emulated guest in kernel mode
    if ((n.error & m) !== (e.error & m)) d.push({ what: "error code", native: h(BigInt(n.error)), emu: h(BigInt(e.error)) });
    if (n.vector === 14 && n.cr2 !== e.cr2) d.push({ what: "cr2", native: h(n.cr2), emu: h(e.cr2) });
  }
  if (n.rip !== e.rip) d.push({ what: "rip", native: h(n.rip), emu: h(e.rip) });
  for (let i = 0; i < 16; i++) {
    const m = faulted ? ~0n : ~(c.undefRegs.get(i) ?? 0n);
    if (((n.regs[i]! ^ e.regs[i]!) & m & ((1n << 64n) - 1n)) !== 0n) d.push({ what: GPR[i]!, native: h(n.regs[i]!), emu: h(e.regs[i]!) });
  }
  const fm = FLAGS_COMPARED & ~undefFlags;
  if (((n.rflags ^ e.rflags) & fm) !== 0n) {
    d.push({ what: "rflags", native: `${h(n.rflags & fm)} [${flagNames(n.rflags & fm)}]`, emu: `${h(e.rflags & fm)} [${flagNames(e.rflags & fm)}]` });
  }
  for (let i = 0; i < 16; i++) {
    const a = n.xmm.subarray(i * 16, i * 16 + 16);
    const b = e.xmm.subarray(i * 16, i * 16 + 16);
    const same = c.form.approx ? approxEqual(a, b) : a.every((v, k) => v === b[k]);
    if (!same) d.push({ what: `xmm${i}`, native: xmmHex(a), emu: xmmHex(b) });
  }
  if (n.mxcsr !== e.mxcsr) d.push({ what: "mxcsr", native: h(BigInt(n.mxcsr)), emu: h(BigInt(e.mxcsr)) });
  const offs = new Set([...n.mem.keys(), ...e.mem.keys()]);
  const bad: number[] = [];
  const stale = faulted ? new Set<number>() : emptyX87Slots(c, n, initial);
  for (const o of offs) {
    if (!faulted && c.undefMem.has(o)) continue;
    if (stale.has(o)) continue;
    if ((n.mem.get(o) ?? initial[o]) !== (e.mem.get(o) ?? initial[o])) bad.push(o);
  }
  if (bad.length) {
    bad.sort((a, b) => a - b);
    for (const [lo, hi] of ranges(bad).slice(0, 4)) {
      const span = (m: Map<number, number>) => {
        const out: string[] = [];
        for (let o = lo; o <= hi; o++) out.push((m.get(o) ?? initial[o]!).toString(16).padStart(2, "0"));
        return out.join(" ");
      };
      d.push({ what: `mem ${h(DATA_VA + BigInt(lo))}..+${hi - lo + 1}`, native: span(n.mem), emu: span(e.mem) });
    }
  }
  return d;
}

// Forms marked `approx` (rcpps, rsqrtps and their scalar forms: tables/x86-forms.mjs): the
// architecture bounds each result's relative error by 1.5 * 2^-12, so two conforming
// processors' results agree on specials bit for bit and otherwise differ by at most
// 3 * 2^-12 relative; near 2^-126 one may have flushed a result to zero the other kept
// as the smallest normals. Compared per single-precision lane.
const APPROX_REL = 3 * 2 ** -12;
function approxEqual(a: Uint8Array, b: Uint8Array): boolean {
  const va = new DataView(a.buffer, a.byteOffset, 16);
  const vb = new DataView(b.buffer, b.byteOffset, 16);
  for (let k = 0; k < 16; k += 4) {
    const x = va.getUint32(k, true);
    const y = vb.getUint32(k, true);
    if (x === y) continue;
    if ((x ^ y) >>> 31) return false; // signs differ
    const ex = (x >>> 23) & 0xff, ey = (y >>> 23) & 0xff;
    if (((x << 1) === 0 && ey === 1) || ((y << 1) === 0 && ex === 1)) continue; // flushed or not
    if (ex === 0 || ey === 0 || ex === 0xff || ey === 0xff) return false; // specials are exact
    const fx = Math.abs(va.getFloat32(k, true)), fy = Math.abs(vb.getFloat32(k, true));
    if (Math.abs(fx - fy) > APPROX_REL * Math.max(fx, fy)) return false;
  }
  return true;
}

// fxsave stores every physical x87 register, empty or not, and fninit does not clear them:
// the contents of empty ones are whatever earlier code left (the abridged tag word says
// which are empty; image slot i holds ST(i) = R((TOP + i) mod 8)).
function emptyX87Slots(c: Case, n: Outcome, initial: Uint8Array): Set<number> {
  const out = new Set<number>();
  const at = c.fxsaveOff;
  if (at === undefined) return out;
  const byte = (o: number) => n.mem.get(at + o) ?? initial[at + o]!;
  const top = (byte(3) >> 3) & 7;
  const ftw = byte(4);
  for (let i = 0; i < 8; i++) {
    if ((ftw >> ((top + i) & 7)) & 1) continue;
    for (let k = 0; k < 10; k++) out.add(at + 32 + 16 * i + k);
  }
  return out;
}

function ranges(xs: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const x of xs) {
    const last = out[out.length - 1];
    if (last && x <= last[1] + 8) last[1] = x;
    else out.push([x, x]);
  }
  return out.map(([a, b]) => [a, Math.min(b, a + 31)]);
}

function xmmHex(b: Uint8Array): string {
  return [...b].reverse().map((v) => v.toString(16).padStart(2, "0")).join("");
}

const VECTORS: Record<number, string> = {
  0: "#DE", 1: "#DB", 3: "end (int3)", 6: "#UD", 7: "#NM", 12: "#SS", 13: "#GP", 14: "#PF", 16: "#MF", 17: "#AC", 19: "#XM",
  [-1]: "did not stop (instruction budget)", [-2]: "native timeout",
};
function vecName(v: number): string {
  return VECTORS[v] ?? `vector ${v}`;
}

export function describe(c: Case, n: Outcome, e: Outcome, diffs: Diff[], repro: string): string {
  const lines: string[] = [];
  lines.push(`MISMATCH ${c.form.name} [${c.form.family}] size ${c.size * 8}  case ${c.index}`);
  lines.push(`  reproduce: ${repro}`);
  lines.push(`  bytes:    ${hex(c.insn)}   at ${h(c.insnVA)}${c.desc.length ? "   " + c.desc.join(", ") : ""}`);
  if (c.prelude) lines.push(`  sequence: ${hex(c.code)}   (${c.prelude})`);
  const regs = new Set<number>(c.used);
  for (const x of diffs) {
    const i = GPR.indexOf(x.what);
    if (i >= 0) regs.add(i);
  }
  for (let i = 0; i < 16; i++) if (c.regs[i] !== n.regs[i] || c.regs[i] !== e.regs[i]) regs.add(i);
  const list = [...regs].sort((a, b) => a - b);
  lines.push(`  start:    ${list.map((i) => `${GPR[i]}=${h(c.regs[i]!)}`).join(" ")}`);
  lines.push(`            rflags=${h(c.rflags)} [${flagNames(c.rflags)}] mxcsr=${h(BigInt(c.mxcsr))}`);
  if (c.form.kind === "sse" || diffs.some((x) => x.what.startsWith("xmm"))) {
    for (let i = 0; i < 16; i++) {
      if (diffs.some((x) => x.what === `xmm${i}`) || c.form.kind === "sse") lines.push(`            xmm${i}=${xmmHex(c.xmm.subarray(i * 16, i * 16 + 16))}`);
    }
  }
  for (const p of c.patches.slice(0, 6)) lines.push(`            mem ${h(DATA_VA + BigInt(p.off))}: ${hex(p.bytes.subarray(0, 32))}${p.bytes.length > 32 ? " ..." : ""}`);
  const res = (o: Outcome) =>
    `${vecName(o.vector)}${HAS_ERROR.has(o.vector) ? ` err=${h(BigInt(o.error))}` : ""}${o.vector === 14 ? ` cr2=${h(o.cr2)}` : ""} rip=${h(o.rip)} ` +
    list.map((i) => `${GPR[i]}=${h(o.regs[i]!)}`).join(" ") + ` rflags=${h(o.rflags & FLAGS_COMPARED)} [${flagNames(o.rflags & FLAGS_COMPARED)}]`;
  lines.push(`  native:   ${res(n)}`);
  lines.push(`  emulator: ${res(e)}`);
  const masked = c.undefFlags ? ` (undefined flags masked: ${flagNames(BigInt(c.undefFlags))})` : "";
  lines.push(`  differences${masked}:`);
  for (const x of diffs) lines.push(`    ${x.what.padEnd(10)} native ${x.native}  emulator ${x.emu}   <<<`);
  return lines.join("\n");
}

export { DATA_SIZE };
