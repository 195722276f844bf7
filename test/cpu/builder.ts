// The pieces a case is built from: operand size and prefixes, registers (including the
// byte registers AH..BH that exist only without REX), immediates, and ModRM memory operands
// whose addressing mode (base, index, scale, displacement, RIP-relative, absolute, 0x67, GS)
// is chosen at random and whose registers are then solved so the access lands where wanted.
import { decodeAttr } from "../../tables/x86-forms.mjs";
import type { Rng } from "./rng.ts";
import { newInsn, type Insn } from "./encode.ts";
import { DATA_VA, GS_BASE, PAGE, MXCSR_DEFAULT, poolBytes, type Patch } from "./layout.ts";
import { intValue, regValue, mask, leBytes, xmmValue } from "./values.ts";
import type { Ctx } from "./gen.ts";

export interface Form {
  name: string;
  family: string;
  op: number;
  ext?: number;
  pfx?: number;
  sz: string;
  rm?: "rm" | "r" | "m";
  mem?: string;
  msz?: number;
  lock?: boolean;
  kind?: string;
  x?: any;
  flagsIn?: boolean;
  regSz?: string;
  undef?: number | ((ctx: Ctx) => number);
  undefRes?: (ctx: Ctx) => { reg?: number[]; rm?: boolean };
  /** XMM results are approximations compared within the architectural error (compare.ts). */
  approx?: boolean;
}

export const M64 = (1n << 64n) - 1n;
export const RSP = 4;
export const STACK_LO = 0x4000;
export const STACK_HI = 0x6000;
const REG8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"];
export const GPR = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

export function va(off: number): bigint {
  return DATA_VA + BigInt(off);
}

// Modular inverse of an odd number mod 2^64 (Newton iteration).
function inv64(a: bigint): bigint {
  let x = a;
  for (let i = 0; i < 6; i++) x = (x * (2n - a * x)) & M64;
  return x;
}

/** Builds one case; the methods are the pieces the kinds combine. */
export class Builder {
  insn: Insn;
  regs: bigint[] = [];
  fixed = new Map<number, bigint>(); // register values the operands require (applied last)
  reserved = new Set<number>(); // registers that may not serve as base/index
  addrRegs = new Set<number>(); // registers holding a memory address
  used = new Set<number>();
  patches: Patch[] = [];
  desc: string[] = [];
  noRex = false; // byte form without REX: registers 4..7 are AH..BH
  size = 4;
  memVA: bigint | null = null;
  memOff = -1;
  memValue = 0n;
  rmReg = -1;
  regField = -1;
  opReg = -1;
  count = 0n;
  rflags: bigint;
  xmm: Uint8Array;
  mxcsr = MXCSR_DEFAULT;
  codeOff: number;
  pre: Uint8Array[] = []; // instructions before the one under test
  post: Uint8Array[] = []; // instructions after it
  preUndef = 0;
  prelude: string[] = [];
  undefMem = new Set<number>();
  fxsaveOff?: number;

  readonly rng: Rng;
  readonly form: Form;

  constructor(rng: Rng, form: Form) {
    this.rng = rng;
    this.form = form;
    this.insn = newInsn(form.op);
    for (let i = 0; i < 16; i++) this.regs.push(regValue(rng, rng.pick([1, 2, 4, 8])));
    this.regs[RSP] = va(rng.range(0x4400, 0x5c00) & ~7);
    this.rflags = BigInt(rng.u32() & 0x8d5) | (rng.chance(0.2) ? 0x400n : 0n) | 2n;
    if (form.kind === "sse") {
      this.xmm = new Uint8Array(256);
      const lane = form.x.lane === "mxcsr" ? "int" : form.x.lane;
      for (let i = 0; i < 16; i++) this.xmm.set(xmmValue(rng, rng.chance(0.8) ? lane : rng.pick(["ps", "pd", "int"])), i * 16);
    } else this.xmm = poolBytes(rng.u32(), 256); // only checked for being left alone
    this.codeOff = rng.range(0x600, 0xa00);
  }

  maxReg(): number {
    return this.noRex ? 8 : 16;
  }

  pickReg(exclude: Set<number> = new Set()): number {
    for (;;) {
      const r = this.rng.int(this.maxReg());
      if (!exclude.has(r)) return r;
    }
  }

  hasRex(): boolean {
    const i = this.insn;
    if (i.rexW || i.rexForce || i.opRegB) return true;
    if (i.modrm && (i.modrm.reg >= 8 || i.modrm.rm >= 8)) return true;
    return !!i.sib && (i.sib.index >= 8 || i.sib.base >= 8);
  }

  /** Register number r as the size-`size` operand. */
  gprName(r: number, size: number): string {
    if (size === 1) {
      if (!this.hasRex() && r >= 4 && r < 8) return REG8[r]!;
      return r < 4 ? REG8[r]! : r < 8 ? ["spl", "bpl", "sil", "dil"][r - 4]! : `r${r}b`;
    }
    if (size === 8) return GPR[r]!;
    const n = GPR[r]!;
    if (r >= 8) return `${n}${size === 4 ? "d" : "w"}`;
    return size === 4 ? "e" + n.slice(1) : n.slice(1);
  }

  /** The (register index, shift) a byte/word/dword operand r lives in. */
  loc(r: number, size: number): [number, number] {
    if (size === 1 && !this.hasRex() && r >= 4 && r < 8) return [r - 4, 8];
    return [r, 0];
  }

  setOperand(r: number, size: number, v: bigint): void {
    const [reg, sh] = this.loc(r, size);
    if (this.addrRegs.has(reg)) return; // the address wins
    // RSP stays canonical: the kernel cannot return to user mode with a non-canonical RSP
    // (a timer interrupt or a page fault during the case would turn into a bogus #GP).
    if (reg === RSP && size === 8) v = BigInt.asUintN(64, BigInt.asIntN(48, v));
    const m = mask(size) << BigInt(sh);
    const cur = this.fixed.get(reg) ?? this.regs[reg]!;
    this.fixed.set(reg, (cur & ~m & M64) | ((v << BigInt(sh)) & m));
    this.used.add(reg);
  }

  operandValue(r: number, size: number): bigint {
    const [reg, sh] = this.loc(r, size);
    const v = this.fixed.get(reg) ?? this.regs[reg]!;
    return (v >> BigInt(sh)) & mask(size);
  }

  finalRegs(): bigint[] {
    const r = [...this.regs];
    for (const [k, v] of this.fixed) r[k] = v & M64;
    return r;
  }

  patch(off: number, bytes: Uint8Array): void {
    this.patches.push({ off, bytes });
  }

  // ---- operand size and prefixes ----
  chooseSize(): void {
    const f = this.form;
    const rng = this.rng;
    switch (f.sz) {
      case "b": this.size = 1; break;
      case "v": this.size = rng.pick([2, 4, 8]); break;
      case "s": this.size = rng.chance(0.25) ? 2 : 8; break;
      case "q": this.size = 8; break;
      case "d": this.size = 4; break;
      case "dq": this.size = rng.pick([4, 8]); break;
      default: this.size = 4;
    }
    if (f.pfx !== undefined) this.insn.mandatory = f.pfx;
    // Segment prefixes other than FS/GS do nothing in 64-bit mode (CS/DS are branch hints).
    if (rng.chance(0.04)) this.insn.prefixes.push(rng.pick([0x26, 0x2e, 0x36, 0x3e]));
    if (f.sz === "v" || f.sz === "dq" || f.sz === "q") {
      if (this.size === 8) this.insn.rexW = true;
      if (this.size === 2) this.insn.prefixes.push(0x66);
    } else if (f.sz === "s") {
      if (this.size === 2) this.insn.prefixes.push(0x66);
    }
    if (f.sz === "b") {
      this.noRex = rng.chance(0.5);
      if (!this.noRex) this.insn.rexForce = true;
      if (rng.chance(0.1) && !this.noRex) this.insn.rexW = true; // REX.W does not widen byte forms
    } else if (rng.chance(0.1)) this.insn.rexForce = true;
  }

  // ---- immediates (kind from tables/x86-decode.mjs) ----
  immKind(): string {
    const a = decodeAttr(this.form.op);
    if (a === "f" || a === "F") return (this.form.ext ?? 0) < 2 ? (a === "f" ? "b" : "z") : "-";
    return a;
  }

  setImm(value?: bigint): bigint {
    const k = this.immKind();
    const rng = this.rng;
    let n = 0;
    if (k === "b" || k === "i") n = 1;
    else if (k === "z" || k === "Z") n = this.size === 2 ? 2 : 4;
    else if (k === "w") n = 2;
    else if (k === "v") n = this.size;
    else if (k === "d") n = 4;
    if (!n) return 0n;
    const v = (value ?? intValue(rng, n)) & mask(n);
    this.insn.imm = leBytes(v, n);
    return v;
  }

  // ---- ModRM ----
  regOperand(r?: number): number {
    const reg = r ?? this.pickReg();
    this.insn.modrm = { mod: 3, reg: this.form.ext ?? reg, rm: 0 };
    if (this.form.ext === undefined) this.regField = reg;
    return reg;
  }

  setReg(reg: number): void {
    if (!this.insn.modrm) this.insn.modrm = { mod: 3, reg, rm: 0 };
    this.insn.modrm.reg = this.form.ext ?? reg;
    if (this.form.ext === undefined) this.regField = reg;
  }

  rmRegister(r?: number): number {
    const rm = r ?? this.pickReg();
    if (!this.insn.modrm) this.insn.modrm = { mod: 3, reg: this.form.ext ?? 0, rm };
    this.insn.modrm.mod = 3;
    this.insn.modrm.rm = rm;
    this.rmReg = rm;
    return rm;
  }

  /** Picks a target for a memory operand of `size` bytes and an addressing mode reaching it. */
  memOperand(o: { size: number; access: string; align?: number; a16?: boolean; lo?: number; hi?: number; fault?: boolean; seg?: boolean; target?: bigint }): void {
    const rng = this.rng;
    const reg = this.insn.modrm?.reg ?? this.form.ext ?? 0;
    this.insn.modrm = { mod: 0, reg, rm: 0 };
    const size = o.size;
    let target: bigint;
    let fault = "";
    const a32 = rng.chance(0.1);
    const gs = o.seg !== false && !a32 && rng.chance(0.08);
    if (o.target !== undefined) target = o.target;
    else if (o.access === "none") target = rng.chance(0.5) ? rng.u64() : va(rng.int(0x6000));
    else if (o.fault !== false && rng.chance(0.04)) {
      const w = o.access !== "r";
      const choices = ["hole", "cross-hole", a32 ? "hole" : "noncanon"];
      if (w) choices.push("ro", "cross-ro");
      fault = rng.pick(choices);
      if (fault === "hole") target = va(0x3000 + rng.int(0x1000 - size));
      else if (fault === "cross-hole") target = va(0x3000 - rng.range(1, Math.max(2, size)));
      else if (fault === "ro") target = va(0x2000 + rng.int(0x1000 - size));
      else if (fault === "cross-ro") target = va(0x2000 - rng.range(1, Math.max(2, size)));
      else target = (rng.chance(0.5) ? 0x0000800000000000n : 0xffff000000000000n) + BigInt(rng.u32());
      if (size === 1 && fault.startsWith("cross")) target = va(fault === "cross-ro" ? 0x2000 : 0x3000);
    } else {
      const lo = o.lo ?? 0;
      let hi = o.hi ?? (o.access === "r" ? 0x3000 : 0x2000);
      let off: number;
      const useStack = o.lo === undefined && rng.chance(0.15);
      if (useStack) off = rng.range(STACK_LO, STACK_HI - size);
      else off = rng.range(lo, hi - size);
      const align = o.align ?? (o.a16 ? 16 : size);
      if (o.a16) {
        if (rng.chance(0.95)) off &= ~15;
      } else if (rng.chance(0.7)) off &= ~(Math.min(align, 16) - 1);
      else if (rng.chance(0.15) && o.lo === undefined && !useStack) {
        off = 0x1000 - rng.range(1, Math.max(2, size)); // crosses between the two data pages
      }
      // Flush against an inaccessible page: an access wider than the operand would fault.
      if (o.lo === undefined && rng.chance(0.04)) off = o.access === "r" ? rng.pick([0x3000, 0x6000]) - size : rng.pick([0x2000, 0x6000]) - size;
      target = va(off);
    }
    const lin = target;
    let ea = gs ? (target - GS_BASE) & M64 : target;
    if (gs) this.insn.prefixes.unshift(0x65);
    if (a32) this.insn.prefixes.push(0x67);
    const amask = a32 ? 0xffffffffn : M64;
    const mode = fault === "noncanon" ? rng.range(15, 100) : rng.int(100);
    const mr = this.insn.modrm;
    const baseOk = (r: number) => !this.reserved.has(r) && r < this.maxReg();
    if (mode < 10) {
      // RIP-relative
      mr.mod = 0;
      mr.rm = 5;
      this.insn.disp = { size: 4, value: 0n };
      this.insn.ripTarget = ea;
      this.desc.push(`[rip+${a32 ? "(32)" : ""}] -> ${this.fmtAddr(lin)}`);
    } else if (mode < 15 && (ea & amask) < 0x80000000n) {
      // absolute disp32 through a SIB with neither base nor index
      mr.mod = 0;
      mr.rm = 4;
      this.insn.sib = { scale: rng.int(4), index: 4, base: 5 };
      this.insn.disp = { size: 4, value: ea & amask };
      this.desc.push(`[${this.fmtAddr(ea & amask)}]${gs ? " gs" : ""}`);
    } else {
      let base = this.pickReg();
      let tries = 0;
      while (!baseOk(base) && tries++ < 50) base = this.pickReg();
      if (!baseOk(base)) base = 3;
      if (base >= this.maxReg() || this.reserved.has(base)) base = 3;
      const useSib = (base & 7) === 4 || mode >= 55;
      let mod = rng.pick([0, 1, 2]);
      if ((base & 7) === 5 && mod === 0) mod = rng.pick([1, 2]);
      mr.mod = mod;
      let disp = mod === 0 ? 0n : mod === 1 ? BigInt(rng.range(-128, 128)) : BigInt(rng.range(-0x8000, 0x8000)) * (rng.chance(0.2) ? 0x10000n : 1n);
      if (mod === 2) disp = BigInt.asIntN(32, disp);
      if (mod === 0) disp = 0n;
      let index = -1;
      let scale = 0;
      if (useSib) {
        mr.rm = 4;
        scale = rng.int(4);
        const noIndex = rng.chance(0.2);
        if (noIndex) index = -1;
        else {
          index = this.pickReg(new Set([4]));
          tries = 0;
          while (!baseOk(index) && tries++ < 50) index = this.pickReg(new Set([4]));
          if (!baseOk(index)) index = -1;
          if (rng.chance(0.15) && base !== 4 && (base & 7) !== 5) index = base;
        }
        this.insn.sib = { scale, index: index < 0 ? 4 : index, base };
      } else mr.rm = base;
      this.used.add(base);
      if (index >= 0) this.used.add(index);
      if (index === base) {
        const f = 1n + (1n << BigInt(scale));
        if (scale === 0 && ((ea - disp) & 1n)) {
          // 2 * base cannot be odd: move the displacement by one.
          if (mr.mod === 0) mr.mod = 1;
          disp = disp > 0n ? disp - 1n : disp + 1n;
        }
        const rest = (ea - disp) & amask;
        const v = scale === 0 ? rest >> 1n : (rest * inv64(f)) & amask;
        this.fixed.set(base, v);
        this.used.add(base);
        this.addrRegs.add(base);
      } else {
        let iv = 0n;
        if (index >= 0) {
          iv = rng.pick([BigInt(rng.range(-64, 64)) & M64, BigInt(rng.int(0x400)), rng.u64(), this.operandValue(index, 8)]);
          if (base === RSP) iv = BigInt(rng.range(-64, 64)) & M64; // keeps RSP canonical
          if (this.fixed.has(index)) iv = this.fixed.get(index)!;
          this.setAddrReg(index, iv, a32);
          iv = this.fixed.get(index)! & amask;
        }
        const bv = (ea - disp - ((iv << BigInt(scale)) & amask)) & amask;
        this.setAddrReg(base, bv, a32);
      }
      if (mr.mod !== 0) this.insn.disp = { size: mr.mod === 1 ? 1 : 4, value: disp & 0xffffffffn };
      this.desc.push(`[${GPR[base]}${index >= 0 ? `+${GPR[index]}*${1 << scale}` : ""}${mr.mod ? `${disp < 0n ? "-" : "+"}0x${(disp < 0n ? -disp : disp).toString(16)}` : ""}]${a32 ? " a32" : ""}${gs ? " gs" : ""} -> ${this.fmtAddr(lin)}`);
    }
    if (fault) this.desc.push(`(fault case: ${fault})`);
    this.memVA = lin;
    this.memOff = lin >= DATA_VA && lin < DATA_VA + 0x6000n ? Number(lin - DATA_VA) : -1;
  }

  setAddrReg(r: number, v: bigint, a32: boolean): void {
    if (a32 && r !== RSP) v = (v & 0xffffffffn) | (this.rng.chance(0.5) ? this.rng.u64() & ~0xffffffffn & M64 : 0n);
    this.fixed.set(r, v & M64);
    this.used.add(r);
    this.addrRegs.add(r);
  }

  fmtAddr(v: bigint): string {
    return "0x" + (v & M64).toString(16);
  }

  /** Writes a value at the memory operand (when it is in a window). */
  memPatch(bytes: Uint8Array): void {
    this.memValue = 0n;
    for (let i = bytes.length - 1; i >= 0; i--) this.memValue = (this.memValue << 8n) | BigInt(bytes[i]!);
    if (this.memOff < 0) return;
    const n = Math.min(bytes.length, 0x6000 - this.memOff);
    this.patch(this.memOff, bytes.subarray(0, n));
  }

  /** The generic r/m operand: register or memory, with a value of `size` bytes. */
  rmOperand(size: number, valueSize = size): void {
    const f = this.form;
    const wantMem = f.rm === "m" || (f.rm === "rm" && this.rng.chance(0.6));
    const msz = f.msz ?? valueSize;
    if (wantMem) {
      this.memOperand({ size: msz, access: f.mem ?? "r" });
      this.memPatch(leBytes(intValue(this.rng, msz), msz));
    } else {
      const r = this.rmRegister();
      this.setOperand(r, valueSize, intValue(this.rng, valueSize));
    }
  }

  rmValue(size: number): bigint {
    if (this.insn.modrm?.mod === 3) return this.operandValue(this.insn.modrm.rm, size);
    return this.memValue & mask(size);
  }

  codeTarget(avoidLo: number, avoidHi: number): number {
    for (;;) {
      const t = this.rng.range(0x40, PAGE - 0x40);
      if (t < avoidLo - 16 || t >= avoidHi) return t;
    }
  }

  stackPointer(fault = true): void {
    let off = this.rng.range(0x4200, 0x5e00) & ~7;
    if (this.rng.chance(0.1)) off += this.rng.int(8);
    let sp = va(off);
    if (fault && this.rng.chance(0.03)) sp = va(this.rng.chance(0.5) ? 0x4000 : 0x6000);
    else if (fault && this.rng.chance(0.015)) {
      // Non-canonical stack accesses (#SS). Only addresses whose first access is non-canonical
      // for both pushes and pops: the top user page (0x7ffffffff000) cannot be mapped natively.
      sp = this.rng.pick([0x0000800000000008n, 0xffff7ffffffffff0n, 0x0000912345678000n]);
    }
    this.fixed.set(RSP, sp);
    this.reserved.add(RSP);
    this.used.add(RSP);
  }
}
