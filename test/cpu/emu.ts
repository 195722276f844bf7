// Runs raw x86-64 instruction bytes on the xenwasm CPU from a given register state, with
// chosen memory windows mapped, and reports the final state or the exception that stopped
// it. The emulator half of the differential CPU tests (and of CPU micro-benchmarks).
import { loadCore, type Core } from "../../host/core.ts";
import * as A from "../../host/gen/abi.ts";

export interface Window {
  /** Page-aligned guest virtual address (below 0x0000800000000000). */
  va: bigint;
  /** Initial contents; the window is bytes.length rounded up to pages. */
  bytes: Uint8Array;
  writable: boolean;
  executable: boolean;
}

export interface CpuState {
  /** rax rcx rdx rbx rsp rbp rsi rdi r8..r15 */
  regs: bigint[];
  rip: bigint;
  rflags: bigint;
  /** 16 registers x 16 bytes. */
  xmm: Uint8Array;
  mxcsr: number;
  fsBase: bigint;
  gsBase: bigint;
}

export interface EmuResult {
  state: CpuState;
  /** Set when an exception stopped execution (RIP is the faulting instruction, or after int3). */
  exception?: { vector: number; error: number; cr2: bigint };
  /** Instructions retired. */
  retired: number;
  /** Final window contents, same order as given. */
  windows: Uint8Array[];
}

const P = 1n, RW = 2n, US = 4n, A_ = 0x20n, D_ = 0x40n, NX = 1n << 63n;

export class EmuCpu {
  readonly core: Core;
  private v: number;
  private domid = 1;
  private l4: number;
  private tables = new Map<string, number>(); // "level:index-path" -> mfn
  private mapped: Array<{ va: bigint; mfns: number[] }> = [];

  constructor(seed = 1n) {
    this.core = loadCore();
    const x = this.core.exports;
    if (!x.init(4096, seed)) throw new Error("core init failed");
    if (x.domainCreate(this.domid, 1, 4096) < 0) throw new Error("domainCreate failed");
    this.v = x.domainVcpu(this.domid, 0);
    this.l4 = this.alloc();
    x.domainSetup(this.domid, this.alloc(), this.alloc(), 0);
    x.domainStart(this.domid);
    x.vcpuSetBaseptr(this.v, this.l4);
    x.setTrapMode(1);
  }

  private alloc(): number {
    const m = this.core.exports.allocFrame(this.domid);
    if (m < 0) throw new Error("out of frames");
    return m;
  }

  private entry(tableMfn: number, index: number): number {
    return this.core.exports.frameAddr(tableMfn) + index * 8;
  }

  private table(level: number, va: bigint): number {
    // Walk/create L4 -> L3 -> L2 for va; returns the mfn of the table at `level`.
    let mfn = this.l4;
    for (let l = 4; l > level; l--) {
      const idx = Number((va >> BigInt(12 + 9 * (l - 1))) & 511n);
      const key = `${l}:${mfn}:${idx}`;
      let next = this.tables.get(key);
      if (next === undefined) {
        next = this.alloc();
        this.tables.set(key, next);
        this.core.dv().setBigUint64(this.entry(mfn, idx), (BigInt(next) << 12n) | P | RW | US | A_ | D_, true);
      }
      mfn = next;
    }
    return mfn;
  }

  /** Map the windows (replacing earlier ones) and copy their bytes in. */
  map(windows: Window[]): void {
    const dv = this.core.dv();
    for (const w of this.mapped) {
      for (let i = 0; i < w.mfns.length; i++) {
        const va = w.va + BigInt(i) * 4096n;
        dv.setBigUint64(this.entry(this.table(1, va), Number((va >> 12n) & 511n)), 0n, true);
      }
    }
    this.mapped = [];
    for (const w of windows) {
      const pages = Math.max(1, Math.ceil(w.bytes.length / 4096));
      const mfns: number[] = [];
      for (let i = 0; i < pages; i++) {
        const va = w.va + BigInt(i) * 4096n;
        const l1 = this.table(1, va);
        const mfn = this.alloc();
        mfns.push(mfn);
        const pte = (BigInt(mfn) << 12n) | P | US | A_ | D_ | (w.writable ? RW : 0n) | (w.executable ? 0n : NX);
        dv.setBigUint64(this.entry(l1, Number((va >> 12n) & 511n)), pte, true);
      }
      this.mapped.push({ va: w.va, mfns });
    }
    this.load(windows);
  }

  /** Rewrite the mapped windows' contents (same shapes as the last map()). */
  load(windows: Window[]): void {
    const u8 = this.core.u8();
    windows.forEach((w, wi) => {
      const m = this.mapped[wi]!;
      for (let i = 0; i < m.mfns.length; i++) {
        const addr = this.core.exports.frameAddr(m.mfns[i]!);
        u8.fill(0, addr, addr + 4096);
        u8.set(w.bytes.subarray(i * 4096, (i + 1) * 4096), addr);
        this.core.exports.frameWritten(m.mfns[i]!);
      }
    });
  }

  /** The mapped windows' pages as views into core memory (no copy: valid until the core runs again). */
  windowPages(): Uint8Array[][] {
    const u8 = this.core.u8();
    const x = this.core.exports;
    return this.mapped.map((m) => m.mfns.map((mfn) => u8.subarray(x.frameAddr(mfn), x.frameAddr(mfn) + 4096)));
  }

  /** opts.windows false: leave `windows` empty (read them with windowPages() instead). */
  run(state: CpuState, maxInsns: number, opts?: { windows?: boolean }): EmuResult {
    const x = this.core.exports;
    const save = x.vcpuSaveAddr(this.v);
    const dv = this.core.dv();
    const u8 = this.core.u8();
    const off = (abs: number) => save + (abs - A.CPU);
    for (let i = 0; i < 16; i++) dv.setBigUint64(off(A.REGS) + i * 8, state.regs[i] ?? 0n, true);
    dv.setBigUint64(off(A.RIP), state.rip, true);
    dv.setBigUint64(off(A.FS_BASE), state.fsBase, true);
    dv.setBigUint64(off(A.GS_BASE), state.gsBase, true);
    u8.set(state.xmm.subarray(0, 256), off(A.XMM));
    dv.setUint32(off(A.MXCSR), state.mxcsr, true);
    dv.setBigUint64(off(A.INSNS), 0n, true);
    x.vcpuReloaded(this.v);
    x.vcpuSetRflags(this.v, state.rflags);
    const exit = x.run(this.v, maxInsns);
    const d2 = this.core.dv();
    const regs: bigint[] = [];
    for (let i = 0; i < 16; i++) regs.push(d2.getBigUint64(off(A.REGS) + i * 8, true));
    const result: EmuResult = {
      state: {
        regs,
        rip: d2.getBigUint64(off(A.RIP), true),
        rflags: this.rflags(),
        xmm: this.core.u8().slice(off(A.XMM), off(A.XMM) + 256),
        mxcsr: d2.getUint32(off(A.MXCSR), true),
        fsBase: d2.getBigUint64(off(A.FS_BASE), true),
        gsBase: d2.getBigUint64(off(A.GS_BASE), true),
      },
      retired: Number(d2.getBigUint64(off(A.INSNS), true)),
      windows: opts?.windows === false ? [] : this.mapped.map((m) => {
        const out = new Uint8Array(m.mfns.length * 4096);
        m.mfns.forEach((mfn, i) => out.set(this.core.u8().subarray(x.frameAddr(mfn), x.frameAddr(mfn) + 4096), i * 4096));
        return out;
      }),
    };
    if (exit === A.EXIT_EXCEPTION) {
      const info = x.exitInfoAddr();
      result.exception = { vector: d2.getUint32(info, true), error: d2.getInt32(info + 4, true), cr2: d2.getBigUint64(info + 8, true) };
    }
    return result;
  }

  /** RFLAGS with the lazy arithmetic flags folded in. */
  private rflags(): bigint {
    // Reading through pushf semantics is not available from the host; recompute via the core.
    const x = this.core.exports;
    return BigInt.asUintN(64, x.vcpuGetRflags(this.v));
  }
}
