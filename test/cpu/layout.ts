// The memory windows every differential case runs in, identical on the native runner
// (test/cpu/native/runner.c) and on the emulator, and the pseudo-random page contents both
// sides derive from a case's seed.
import type { Window } from "./emu.ts";

export const CODE_VA = 0x10000000n;
export const PAGE = 0x1000;
export const DATA_VA = 0x20000000n;
/** Offsets from DATA_VA. */
export const DATA_SIZE = 0x6000;
export const RW0_OFF = 0x0000; // two read/write pages
export const RO_OFF = 0x2000; // read-only page
export const HOLE_OFF = 0x3000; // never mapped
export const STACK_OFF = 0x4000; // two read/write pages
export const GS_BASE = 0x20001000n;

export const MXCSR_DEFAULT = 0x1f80;

/** Where the data offset `off` may be accessed from: "rw", "r" or undefined (the hole). */
export function access(off: number): "rw" | "r" | undefined {
  if (off < 0 || off >= DATA_SIZE) return undefined;
  if (off >= RO_OFF && off < HOLE_OFF) return "r";
  if (off >= HOLE_OFF && off < STACK_OFF) return undefined;
  return "rw";
}

export function hash32(seed: number, i: number): number {
  let x = (seed ^ Math.imul(i, 0x9e3779b9)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

export interface Patch {
  off: number;
  bytes: Uint8Array;
}

// The background both sides fill the data pages with: a fixed pool of hash32 words, rotated
// and xored by the case's seed (cheap per case, different for every case).
const POOL_WORDS = 0x4000;
const POOL = new Int32Array(POOL_WORDS);
for (let i = 0; i < POOL_WORDS; i++) POOL[i] = hash32(0x9e3779b9, i) | 0;

/** The data area (DATA_SIZE bytes from DATA_VA) a case starts with. */
export function initialData(seed: number, patches: Patch[], into?: Uint8Array): Uint8Array {
  const data = into ?? new Uint8Array(DATA_SIZE);
  const w = new Int32Array(data.buffer, data.byteOffset, DATA_SIZE / 4);
  const sd = seed | 0;
  const rot = seed & (POOL_WORDS - 1);
  for (let i = 0; i < w.length; i++) w[i] = POOL[(i + rot) & (POOL_WORDS - 1)]! ^ sd;
  for (const p of patches) data.set(p.bytes, p.off);
  return data;
}

/** 256 pseudo-random bytes for the XMM registers of cases that do not care about lanes. */
export function poolBytes(seed: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  const w = new Int32Array(out.buffer);
  const rot = (seed >>> 4) & (POOL_WORDS - 1);
  for (let i = 0; i < w.length; i++) w[i] = POOL[(i + rot) & (POOL_WORDS - 1)]! ^ (seed | 0);
  return out;
}

/** The emulator's windows for a data area and code page (same order every case). */
export function windows(code: Uint8Array, data: Uint8Array): Window[] {
  return [
    { va: CODE_VA, bytes: code, writable: false, executable: true },
    { va: DATA_VA, bytes: data.subarray(RW0_OFF, RO_OFF), writable: true, executable: false },
    { va: DATA_VA + BigInt(RO_OFF), bytes: data.subarray(RO_OFF, HOLE_OFF), writable: false, executable: false },
    { va: DATA_VA + BigInt(STACK_OFF), bytes: data.subarray(STACK_OFF, DATA_SIZE), writable: true, executable: false },
  ];
}

/** Window index and offset inside it -> data offset (code window: -1). */
export const WINDOW_DATA_OFF = [-1, RW0_OFF, RO_OFF, STACK_OFF];

export function codePage(bytes: Uint8Array, off: number, into?: Uint8Array): Uint8Array {
  const page = into ?? new Uint8Array(PAGE);
  page.fill(0xcc);
  page.set(bytes, off);
  return page;
}
