// x87 on the xenwasm CPU. The bulk is differential: test/x87/vectors.json holds sequences
// recorded on a real processor (test/x87/gen.ts) with the data window and the x87 state
// (FXSAVE layout) they left; each is replayed on the emulator and must match byte for byte,
// including the exception that stopped it (#MF, #PF, #UD). Transcendental results may be one
// ulp away. #NM, which a Linux process cannot see, is checked on the emulator alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EmuCpu, type CpuState, type Window } from "./cpu/emu.ts";
import * as A from "../host/gen/abi.ts";

interface Vector {
  name: string;
  code: string;
  /** Initial data window (hex, trailing zeros dropped). */
  data: string;
  /** The signal that stopped the sequence (none: it returned) and where. */
  signal?: number;
  rip?: number;
  /** The bytes of the data window that changed: "offset:hex,...". */
  changed: string;
  /** FXSAVE image bytes 0..23, then ST(0)..ST(7) as 10 bytes each, as runs over zeros. */
  fx: string;
  ulps?: number;
}

const vectors: { recordedOn: string; cases: Vector[] } = JSON.parse(
  readFileSync(new URL("./x87/vectors.json", import.meta.url), "utf8"),
);

const CODE = 0x20000000n;
const DATA = 0x10000000n;
const STACK = 0x30000000n;
const SIGFPE = 8, SIGSEGV = 11, SIGILL = 4;

const hexBytes = (h: string, len: number) => {
  const b = new Uint8Array(len);
  b.set(Buffer.from(h, "hex").subarray(0, len));
  return b;
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// Apply "offset:hex,..." runs to a buffer.
function applyRuns(w: Uint8Array, runs: string): Uint8Array {
  for (const run of runs ? runs.split(",") : []) {
    const [off, bytes] = run.split(":");
    w.set(Buffer.from(bytes!, "hex"), parseInt(off!, 16));
  }
  return w;
}

const WINDOW = 1024; // bytes of the data window compared

function expectedWindow(vec: Vector): Uint8Array {
  return applyRuns(hexBytes(vec.data, WINDOW), vec.changed);
}

function expectedFxsave(vec: Vector): Uint8Array {
  const c = applyRuns(new Uint8Array(104), vec.fx);
  const fx = new Uint8Array(160);
  fx.set(c.subarray(0, 24));
  for (let i = 0; i < 8; i++) fx.set(c.subarray(24 + i * 10, 34 + i * 10), 32 + i * 16);
  return fx;
}

class X87Harness {
  emu = new EmuCpu();
  v: number;
  windows: Window[];

  constructor() {
    const x = this.emu.core.exports;
    this.v = x.domainVcpu(1, 0);
    this.windows = [
      { va: CODE, bytes: new Uint8Array(4096), writable: false, executable: true },
      { va: DATA, bytes: new Uint8Array(8192), writable: true, executable: false },
      { va: STACK, bytes: new Uint8Array(4096), writable: true, executable: false },
    ];
    this.emu.map(this.windows);
  }

  private save(abs: number): number {
    return this.emu.core.exports.vcpuSaveAddr(this.v) + (abs - A.CPU);
  }

  /** Run code bytes (int3 appended) with rdi = the data window. */
  run(code: Uint8Array, data: Uint8Array) {
    const c = new Uint8Array(4096).fill(0xcc);
    c.set(code);
    const d = new Uint8Array(8192);
    d.set(data);
    this.windows[0]!.bytes = c;
    this.windows[1]!.bytes = d;
    this.emu.load(this.windows);
    // The reference ran in a Linux process: user selectors, DS = 0.
    const dv = this.emu.core.dv();
    this.emu.core.u8().fill(0, this.save(A.FPU), this.save(A.FPU) + 160); // as native.c: registers zero
    dv.setUint16(this.save(A.SEL) + 2, 0x33, true);
    dv.setUint16(this.save(A.SEL) + 4, 0x2b, true);
    dv.setUint16(this.save(A.SEL) + 6, 0, true);
    const regs = new Array<bigint>(16).fill(0n);
    regs[4] = STACK + 0xf00n;
    regs[7] = DATA;
    const state: CpuState = { regs, rip: CODE, rflags: 0x202n, xmm: new Uint8Array(256), mxcsr: 0x1f80, fsBase: 0n, gsBase: 0n };
    return this.emu.run(state, 10000);
  }

  setTs(on: boolean): void {
    const x = this.emu.core.exports;
    this.emu.core.dv().setUint32(x.vcpuCtlAddr(this.v) + A.VC_FPU_TS, on ? 1 : 0, true);
  }

  /** The x87 part of an FXSAVE64 image of the emulator's state, as the reference stores it. */
  fxsave(): Uint8Array {
    const dv = this.emu.core.dv();
    const f = this.save(A.FPU);
    const out = new Uint8Array(160);
    const o = new DataView(out.buffer);
    const fsw = dv.getUint16(f + 2, true);
    o.setUint16(0, dv.getUint16(f, true), true);
    o.setUint16(2, fsw, true);
    o.setUint8(4, dv.getUint8(f + 4));
    if (fsw & 0x80) {
      // FOP/FIP/FDP are stored only while an exception is pending (AMD).
      o.setUint16(6, dv.getUint16(f + 6, true), true);
      o.setBigUint64(8, dv.getBigUint64(f + 8, true), true);
      o.setBigUint64(16, dv.getBigUint64(f + 16, true), true);
    }
    const top = (fsw >> 11) & 7;
    for (let i = 0; i < 8; i++) {
      const r = f + 32 + ((top + i) & 7) * 16;
      o.setBigUint64(32 + i * 16, dv.getBigUint64(r, true), true);
      o.setUint16(40 + i * 16, dv.getUint16(r + 8, true), true);
    }
    return out;
  }
}

const h = new X87Harness();

function vectorOf(signal: number): number {
  if (signal === SIGFPE) return 16;
  if (signal === SIGILL) return 6;
  if (signal === SIGSEGV) return 14;
  return 3;
}

// How many representable 80-bit values apart two results are.
function ulpDistance(a: Uint8Array, b: Uint8Array): number {
  const ord = (x: Uint8Array) => {
    const dv = new DataView(x.buffer, x.byteOffset);
    const sig = dv.getBigUint64(0, true), se = dv.getUint16(8, true);
    const e = BigInt(se & 0x7fff);
    // Consecutive finite values get consecutive numbers (the integer bit is implied by e).
    const mag = e == 0n ? sig : (e << 63n) + (sig & ((1n << 63n) - 1n));
    return se & 0x8000 ? -mag : mag;
  };
  const d = ord(a) - ord(b);
  return Number(d < 0n ? -d : d);
}

/** Compare one vector; returns a description of the first difference, or "". */
function check(vec: Vector): string {
  const res = h.run(hexBytes(vec.code, vec.code.length / 2), hexBytes(vec.data, WINDOW));
  const wantVector = vectorOf(vec.signal ?? 0);
  const gotVector = res.exception?.vector ?? -1;
  if (gotVector !== wantVector) return `exception ${gotVector}, want ${wantVector}`;
  if (wantVector !== 3) {
    const rip = Number(res.state.rip - CODE);
    if (rip !== vec.rip) return `fault at +${rip.toString(16)}, want +${vec.rip!.toString(16)}`;
  }
  const win = res.windows[1]!.subarray(0, WINDOW);
  const want = expectedWindow(vec);
  const fx = h.fxsave();
  const wantFx = expectedFxsave(vec);
  if (vec.ulps !== undefined) {
    // Transcendental results: 80-bit values stored at 0x90 and 0xa0 may differ by vec.ulps.
    for (const off of [0x90, 0xa0]) {
      const d = ulpDistance(win.subarray(off, off + 10), want.subarray(off, off + 10));
      if (d > vec.ulps) return `result at ${off.toString(16)} ${d} ulps away: ${hex(win.subarray(off, off + 10))} want ${hex(want.subarray(off, off + 10))}`;
      win.set(want.subarray(off, off + 10), off);
    }
    for (let i = 0; i < 8; i++) {
      const o = 32 + i * 16;
      if (ulpDistance(fx.subarray(o, o + 10), wantFx.subarray(o, o + 10)) <= vec.ulps) fx.set(wantFx.subarray(o, o + 10), o);
    }
    // Inexact and rounded-up bits depend on the exact result.
    win[0x80]! &= ~0x20; want[0x80]! &= ~0x20; win[0x81]! &= ~0x02; want[0x81]! &= ~0x02;
    fx[2]! &= ~0x20; wantFx[2]! &= ~0x20; fx[3]! &= ~0x02; wantFx[3]! &= ~0x02;
  }
  for (let i = 0; i < WINDOW; i++) {
    if (win[i] !== want[i]) {
      const s = i & ~15;
      return `window +${i.toString(16)}: ${hex(win.subarray(s, s + 16))} want ${hex(want.subarray(s, s + 16))}`;
    }
  }
  for (let i = 0; i < 160; i++) {
    if (fx[i] !== wantFx[i]) return `fxsave +${i}: ${hex(fx.subarray(0, 32))} st ${hex(fx.subarray(32, 42))}.. want ${hex(wantFx.subarray(0, 32))} st ${hex(wantFx.subarray(32, 42))}..`;
  }
  return "";
}

// Group the vectors by the first word of their names.
const groups = new Map<string, Vector[]>();
for (const v of vectors.cases) {
  const key = v.name.split(/[ #]/)[0]!;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key)!.push(v);
}

for (const [key, list] of groups) {
  test(`x87 ${key}: ${list.length} sequences match ${vectors.recordedOn}`, () => {
    const bad: string[] = [];
    for (const v of list) {
      const why = check(v);
      if (why) bad.push(`${v.name}: ${why}`);
    }
    assert.equal(bad.length, 0, `${bad.length} of ${list.length} differ:\n` + bad.slice(0, 15).join("\n"));
  });
}

test("x87 raises #NM while the guest's CR0.TS is set, and runs again once it is clear", () => {
  const fld1 = new Uint8Array([0xdb, 0xe3, 0xd9, 0xe8, 0xdd, 0x5f, 0x10]); // fninit; fld1; fstp qword [rdi+0x10]
  h.setTs(true);
  let res = h.run(fld1, new Uint8Array(0));
  assert.equal(res.exception?.vector, 7);
  assert.equal(res.state.rip, CODE);
  const emms = new Uint8Array([0x0f, 0x77]);
  res = h.run(emms, new Uint8Array(0));
  assert.equal(res.exception?.vector, 7);
  h.setTs(false);
  res = h.run(fld1, new Uint8Array(0));
  assert.equal(res.exception?.vector, 3);
  assert.equal(new DataView(res.windows[1]!.buffer).getBigUint64(0x10, true), 0x3ff0000000000000n);
});
