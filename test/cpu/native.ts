// Drives the native runner (test/cpu/native/runner.c): builds it with the machine's gcc
// when its source is newer than the binary, and runs batches of cases through one process.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Case } from "./gen.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SRC = join(ROOT, "test", "cpu", "native", "runner.c");
export const RUNNER = join(ROOT, "build", "cpu-runner");

const IN_SIZE = 424;
const OUT_SIZE = 520;

/** What the runner needs of a generated case. */
export type NativeCase = Pick<Case, "code" | "codeOff" | "seed" | "patches" | "regs" | "rflags" | "xmm" | "mxcsr">;

export interface NativeResult {
  regs: bigint[];
  rip: bigint;
  rflags: bigint;
  xmm: Uint8Array;
  mxcsr: number;
  signo: number;
  trapno: number;
  err: number;
  cr2: bigint;
  fcw: number;
  fsw: number;
  ftw: number;
  st: Uint8Array;
  /** Data offset -> final byte, for every byte that changed. */
  diffs: Map<number, number>;
}

export function buildRunner(): string {
  const mt = (p: string) => (existsSync(p) ? statSync(p).mtimeMs : 0);
  if (mt(RUNNER) >= mt(SRC)) return RUNNER;
  const probe = spawnSync("gcc", ["--version"], { stdio: "ignore" });
  if (probe.error || probe.status !== 0) {
    throw new Error("the CPU differential tests build their native runner with gcc, which is missing: apt-get install gcc");
  }
  mkdirSync(dirname(RUNNER), { recursive: true });
  const r = spawnSync("gcc", ["-O2", "-fno-stack-protector", "-Wall", "-o", RUNNER, SRC], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building ${RUNNER} failed:\n${r.stderr}`);
  return RUNNER;
}

export class NativeRunner {
  private proc: ChildProcessWithoutNullStreams;
  private buf = Buffer.alloc(0);
  private chunks: Buffer[] = [];
  private pending = 0;
  private wake: (() => void) | null = null;
  private dead: Error | null = null;
  private stderr = "";

  constructor() {
    this.proc = spawn(buildRunner(), [], { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.pending += d.length;
      this.wake?.();
    });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.proc.on("exit", (code, sig) => {
      this.dead = new Error(`cpu-runner exited (${code ?? sig}) ${this.stderr}`);
      this.wake?.();
    });
    this.proc.stdin.on("error", () => {});
  }

  private encode(cases: NativeCase[]): Buffer {
    let size = 8;
    for (const c of cases) {
      size += IN_SIZE + c.code.length;
      for (const p of c.patches) size += 8 + p.bytes.length;
    }
    const b = Buffer.alloc(size);
    b.writeUInt32LE(0x48435442, 0);
    b.writeUInt32LE(cases.length, 4);
    let o = 8;
    for (const c of cases) {
      b.writeUInt32LE(c.code.length, o);
      b.writeUInt32LE(c.codeOff, o + 4);
      b.writeUInt32LE(c.patches.length, o + 8);
      b.writeBigUInt64LE(BigInt(c.seed >>> 0), o + 16);
      for (let i = 0; i < 16; i++) b.writeBigUInt64LE(BigInt.asUintN(64, c.regs[i]!), o + 24 + i * 8);
      b.writeBigUInt64LE(c.rflags, o + 152);
      b.set(c.xmm.subarray(0, 256), o + 160);
      b.writeUInt32LE(c.mxcsr >>> 0, o + 416);
      o += IN_SIZE;
      b.set(c.code, o);
      o += c.code.length;
      for (const p of c.patches) {
        b.writeUInt32LE(p.off, o);
        b.writeUInt32LE(p.bytes.length, o + 4);
        b.set(p.bytes, o + 8);
        o += 8 + p.bytes.length;
      }
    }
    return b;
  }

  private async need(n: number): Promise<void> {
    while (this.buf.length < n) {
      if (this.pending) {
        this.buf = Buffer.concat([this.buf, ...this.chunks]);
        this.chunks = [];
        this.pending = 0;
        continue;
      }
      if (this.dead) throw this.dead;
      await new Promise<void>((res) => (this.wake = res));
      this.wake = null;
    }
  }

  async run(cases: NativeCase[]): Promise<NativeResult[]> {
    if (this.dead) throw this.dead;
    this.proc.stdin.write(this.encode(cases));
    const out: NativeResult[] = [];
    for (let k = 0; k < cases.length; k++) {
      await this.need(OUT_SIZE);
      const ndiff = this.buf.readUInt32LE(512);
      await this.need(OUT_SIZE + ndiff * 4);
      const b = this.buf;
      const regs: bigint[] = [];
      for (let i = 0; i < 16; i++) regs.push(b.readBigUInt64LE(i * 8));
      const diffs = new Map<number, number>();
      for (let i = 0; i < ndiff; i++) {
        const v = b.readUInt32LE(OUT_SIZE + i * 4);
        diffs.set(v >>> 8, v & 0xff);
      }
      out.push({
        regs,
        rip: b.readBigUInt64LE(128),
        rflags: b.readBigUInt64LE(136),
        xmm: new Uint8Array(b.subarray(144, 400)),
        mxcsr: b.readUInt32LE(400),
        signo: b.readUInt32LE(404),
        trapno: b.readUInt32LE(408),
        err: b.readUInt32LE(412),
        cr2: b.readBigUInt64LE(416),
        fcw: b.readUInt16LE(424),
        fsw: b.readUInt16LE(426),
        ftw: b.readUInt8(428),
        st: new Uint8Array(b.subarray(432, 512)),
        diffs,
      });
      this.buf = b.subarray(OUT_SIZE + ndiff * 4);
    }
    return out;
  }

  close(): void {
    if (this.dead) return;
    const end = Buffer.alloc(4);
    this.proc.stdin.end(end);
  }
}
