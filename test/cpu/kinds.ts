// Operand set-up per form kind (tables/x86-forms.mjs `kind`): shift counts, dividends that
// mostly fit, bit-string offsets, branch targets inside the code window, stacks, string
// buffers with bounded counts, SSE lane values and MXCSR, x87 sequences, invalid encodings,
// and the flag-producing instruction that may run first to leave lazy flags behind.
import { decodeAttr } from "../../tables/x86-forms.mjs";
import { encode, newInsn } from "./encode.ts";
import { CODE_VA, DATA_VA, GS_BASE, PAGE, MXCSR_DEFAULT } from "./layout.ts";
import { intValue, mask, leBytes, xmmValue, f32Value, f64Value, f80Value, signExtend } from "./values.ts";
import { Builder, M64, RSP, va } from "./builder.ts";

export function kindGeneric(b: Builder): void {
  const f = b.form;
  const s = b.size;
  if (f.rm) {
    if (f.rm === "r") {
      b.setReg(b.pickReg());
      b.rmRegister();
      b.setOperand(b.rmReg, s, intValue(b.rng, s));
    } else {
      b.setReg(b.pickReg());
      // movzx/movsx Gv,Eb read a byte register (AH..BH when there is no REX).
      b.rmOperand(s, f.regSz === "b" ? 1 : f.msz ?? s);
    }
    if (b.regField >= 0 && f.ext === undefined) b.setOperand(b.regField, s, intValue(b.rng, s));
    if (f.lock && b.insn.modrm!.mod !== 3 && b.rng.chance(0.2)) b.insn.prefixes.unshift(0xf0);
  }
  b.setImm();
}

export function kindOpReg(b: Builder): void {
  const f = b.form;
  let r = b.rng.int(b.maxReg());
  if (f.x === "norax") while (r === 0) r = b.rng.int(b.maxReg());
  b.opReg = r;
  b.insn.op = f.op + (r & 7);
  b.insn.opRegB = r >= 8;
  b.used.add(r);
  if (f.x === "stack") {
    b.stackPointer();
    const sp = Number(b.fixed.get(RSP)! - DATA_VA);
    if (f.op === 0x58 && sp >= 0x4000 && sp <= 0x5ff8) b.patch(sp, leBytes(intValue(b.rng, 8), 8));
  } else b.setOperand(r, b.size, intValue(b.rng, b.size));
  b.setImm();
}

export function kindShift(b: Builder): void {
  const f = b.form;
  const bits = b.size * 8;
  const counts = [0, 1, 2, bits - 1, bits, bits + 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255];
  const count = BigInt(b.rng.chance(0.7) ? b.rng.pick(counts) : b.rng.int(256));
  if (f.x === "cl") {
    b.reserved.add(1);
    b.setOperand(1, 1, count);
  }
  kindGeneric(b);
  if (f.x === "imm") b.insn.imm = Uint8Array.of(Number(count));
}

export function kindDiv(b: Builder, signed: boolean): void {
  const s = b.size;
  b.reserved.add(0);
  b.reserved.add(2);
  b.setReg(0);
  const wantMem = b.rng.chance(0.5);
  let d = intValue(b.rng, s);
  if (b.rng.chance(0.1)) d = 0n;
  if (wantMem) {
    b.memOperand({ size: s, access: "r" });
    b.memPatch(leBytes(d, s));
  } else {
    let r = b.pickReg();
    b.rmRegister(r);
    b.setOperand(r, s, d);
    d = b.operandValue(r, s);
  }
  // Dividend: mostly one whose quotient fits (else #DE).
  const m = mask(s);
  const lo = intValue(b.rng, s);
  let hi: bigint;
  if (b.rng.chance(0.7) && d !== 0n) {
    if (signed) hi = signExtend(lo, s) < 0n ? m : 0n;
    else hi = BigInt(b.rng.u32()) % d;
  } else hi = intValue(b.rng, s);
  const rm = b.insn.modrm!.mod === 3 ? b.rmReg : -1;
  if (s === 1) {
    if (rm !== 0 && !(b.noRex && rm === 4)) b.setOperand(0, 2, (hi << 8n) | lo);
  } else {
    if (rm !== 0) b.setOperand(0, s, lo);
    if (rm !== 2) b.setOperand(2, s, hi);
  }
}

export function kindBt(b: Builder, imm: boolean): void {
  const s = b.size;
  const bits = s * 8;
  if (imm) {
    kindGeneric(b);
    b.insn.imm = Uint8Array.of(b.rng.chance(0.5) ? b.rng.int(bits) : b.rng.int(256));
    return;
  }
  const reg = b.pickReg();
  b.setReg(reg);
  if (b.rng.chance(0.6)) {
    b.reserved.add(reg);
    // Bit strings in memory: the signed offset reaches up to +-256 bytes from the operand.
    const off = BigInt(b.rng.range(-2048, 2048));
    b.memOperand({ size: s, access: b.form.mem!, lo: 0x200, hi: 0x1e00, fault: true });
    b.memPatch(leBytes(intValue(b.rng, s), s));
    b.setOperand(reg, s, b.rng.chance(0.7) ? off & mask(s) : intValue(b.rng, s) & mask(s) & (s === 2 ? 0xfffn : 0x7ffn));
    if (b.rng.chance(0.2) && b.form.lock) b.insn.prefixes.unshift(0xf0);
  } else {
    b.rmRegister();
    b.setOperand(b.rmReg, s, intValue(b.rng, s));
    b.setOperand(reg, s, b.rng.chance(0.5) ? BigInt(b.rng.int(bits)) : intValue(b.rng, s));
  }
}

export function kindBitscan(b: Builder): void {
  kindGeneric(b);
  const r = b.rng.int(3);
  const v = r === 0 ? 0n : r === 1 ? 1n << BigInt(b.rng.int(b.size * 8)) : intValue(b.rng, b.size);
  if (b.insn.modrm!.mod === 3) b.setOperand(b.rmReg, b.size, v);
  else b.memPatch(leBytes(v, b.size));
}

export function kindMoffs(b: Builder): void {
  const rng = b.rng;
  const s = b.size;
  const a32 = rng.chance(0.15);
  const gs = !a32 && rng.chance(0.1);
  let off = rng.range(0, (b.form.mem === "r" ? 0x3000 : 0x2000) - s);
  if (rng.chance(0.7)) off &= ~(s - 1);
  let target = va(off);
  if (rng.chance(0.03)) target = va(0x3000 + rng.int(0x100));
  let addr = gs ? target - GS_BASE : target;
  if (gs) b.insn.prefixes.unshift(0x65);
  if (a32) b.insn.prefixes.push(0x67);
  b.insn.imm = leBytes(addr & M64, a32 ? 4 : 8);
  b.memVA = target;
  b.memOff = Number(target - DATA_VA);
  if (b.memOff < 0x3000) b.memPatch(leBytes(intValue(rng, s), s));
  b.setOperand(0, s, intValue(rng, s));
  b.desc.push(`moffs ${b.fmtAddr(addr)}${gs ? " gs" : ""}${a32 ? " a32" : ""}`);
}

export function kindXlat(b: Builder): void {
  const rng = b.rng;
  const al = BigInt(rng.int(256));
  const a32 = rng.chance(0.15);
  if (a32) b.insn.prefixes.push(0x67);
  const target = va(rng.range(0, 0x2f00));
  b.setOperand(0, 1, al);
  b.setAddrReg(3, (target - al) & M64, a32);
  b.memOff = Number(target - DATA_VA);
  b.patch(b.memOff, Uint8Array.of(rng.int(256)));
  if (rng.chance(0.03)) b.setAddrReg(3, va(0x3000) , a32);
}

export function kindCmpxchg(b: Builder): void {
  kindGeneric(b);
  if (b.rng.chance(0.5)) {
    const rmIsRax = b.insn.modrm!.mod === 3 && b.loc(b.rmReg, b.size)[0] === 0;
    if (!rmIsRax) b.setOperand(0, b.size, b.rmValue(b.size));
  }
}

export function kindCmpxchg8b(b: Builder): void {
  const wide = b.form.sz === "q";
  const n = wide ? 16 : 8;
  for (const r of [0, 1, 2, 3]) b.reserved.add(r);
  b.memOperand({ size: n, access: "rw", align: n, a16: wide });
  const v = b.rng.bytes(n);
  b.memPatch(v);
  if (b.rng.chance(0.2)) b.insn.prefixes.unshift(0xf0);
  const half = wide ? 8 : 4;
  let lo = 0n, hi = 0n;
  for (let i = half - 1; i >= 0; i--) lo = (lo << 8n) | BigInt(v[i]!);
  for (let i = n - 1; i >= half; i--) hi = (hi << 8n) | BigInt(v[i]!);
  if (b.rng.chance(0.5)) {
    b.setOperand(0, half, lo);
    b.setOperand(2, half, hi);
  }
  b.used.add(0); b.used.add(1); b.used.add(2); b.used.add(3);
}

export function kindRel(b: Builder, insnLenGuess: number, seqStart: number): void {
  const f = b.form;
  if (f.x === "call") b.stackPointer();
  const k = decodeAttr(f.op);
  const far = k === "d" && b.rng.chance(0.05);
  const start = seqStart;
  const end = b.codeOff + insnLenGuess;
  let t: number;
  if (far) t = b.rng.chance(0.5) ? PAGE + b.rng.range(0, 0x10000) : -b.rng.range(1, 0x10000);
  else if (k === "i") {
    for (;;) {
      t = end + b.rng.range(-128, 128);
      if ((t < start || t >= end) && t >= 0x10 && t < PAGE - 0x10) break;
    }
  } else t = b.codeTarget(start, end);
  const rel = BigInt(t - (b.codeOff + insnLenGuess));
  b.insn.imm = leBytes(rel & M64, k === "i" ? 1 : 4);
  b.desc.push(`target 0x${(CODE_VA + BigInt(t)).toString(16)}`);
}

export function kindLoop(b: Builder, insnLen: number, seqStart: number): void {
  const rng = b.rng;
  const a32 = rng.chance(0.2);
  if (a32) b.insn.prefixes.push(0x67);
  const c = rng.pick([0n, 1n, 2n, 0x100000000n, 0x100000001n, 0xffffffffn, M64, intValue(rng, 8)]);
  b.setOperand(1, 8, c);
  b.reserved.add(1);
  const start = seqStart;
  const end = b.codeOff + insnLen + (a32 ? 1 : 0);
  let t: number;
  for (;;) {
    t = end + rng.range(-128, 128);
    if (t < start || t >= end) break;
  }
  b.insn.imm = leBytes(BigInt(t - end) & M64, 1);
}

export function kindIndirect(b: Builder): void {
  if (b.form.x === "call") b.stackPointer();
  const t = b.codeTarget(b.codeOff, b.codeOff + 12);
  let target = CODE_VA + BigInt(t);
  if (b.rng.chance(0.03)) target = b.rng.chance(0.5) ? 0x0000800000000000n + BigInt(b.rng.u32()) : CODE_VA + 0x2000n;
  b.setReg(0);
  const wantMem = b.rng.chance(0.5);
  if (wantMem) {
    b.memOperand({ size: 8, access: "r" });
    b.memPatch(leBytes(target, 8));
  } else {
    b.rmRegister(b.pickReg(new Set([RSP])));
    b.setOperand(b.rmReg, 8, target);
  }
  b.desc.push(`target ${b.fmtAddr(target)}`);
}

export function kindRet(b: Builder): void {
  b.stackPointer();
  const sp = Number(b.fixed.get(RSP)! - DATA_VA);
  let t = CODE_VA + BigInt(b.codeTarget(b.codeOff, b.codeOff + 4));
  if (b.rng.chance(0.03)) t = 0x0000800000000000n + BigInt(b.rng.u32()); // #GP on the ret
  if (sp + 8 <= 0x6000 && sp >= 0x4000) b.patch(sp, leBytes(t, 8));
  if (b.form.op === 0xc2) b.insn.imm = leBytes(BigInt(b.rng.chance(0.7) ? b.rng.int(64) * 8 : b.rng.int(0x10000)), 2);
  b.desc.push(`return to ${b.fmtAddr(t)}`);
}

export function kindStack(b: Builder): void {
  const f = b.form;
  b.stackPointer();
  const sp = Number(b.fixed.get(RSP)! - DATA_VA);
  if (f.op === 0x9d) {
    // popf: TF and AC stay clear (a trap or alignment checks would change the test).
    const v = (b.rng.u64() & ~0x40100n) & (b.rng.chance(0.5) ? 0xffffn : M64);
    if (sp + 8 <= 0x6000 && sp >= 0x4000) b.patch(sp, leBytes(v, 8));
    return;
  }
  if (f.op === 0x8f && sp + 8 <= 0x6000 && sp >= 0x4000) b.patch(sp, leBytes(intValue(b.rng, 8), 8));
  if (f.rm) {
    b.setReg(0);
    if (f.rm === "rm" && b.rng.chance(0.5)) {
      b.memOperand({ size: b.size, access: f.mem!, lo: 0, hi: 0x2000 });
      b.memPatch(leBytes(intValue(b.rng, b.size), b.size));
    } else {
      b.rmRegister();
    }
  }
  b.setImm();
}

export function kindEnter(b: Builder): void {
  const rng = b.rng;
  b.stackPointer();
  const size = rng.pick([0, 8, 16, rng.int(0x100), rng.int(0x800), rng.int(0x800), 0x1000, rng.int(0x10000)]);
  const level = rng.pick([0, 1, 2, 3, rng.int(32), rng.int(256)]);
  const sp = rng.range(0x4400, 0x5f00) & ~7;
  b.fixed.set(RSP, va(sp));
  b.fixed.set(5, va(rng.range(0x4200, 0x5f00) & ~7));
  b.used.add(5);
  if (rng.chance(0.1)) b.insn.prefixes.push(0x66);
  b.insn.imm = Uint8Array.of(size & 0xff, size >> 8, level);
}

export function kindLeave(b: Builder): void {
  const rng = b.rng;
  let bp = rng.range(0x4000, 0x5ff8) & ~(rng.chance(0.9) ? 7 : 0);
  if (rng.chance(0.03)) bp = 0x3ff8;
  b.fixed.set(5, va(bp));
  b.used.add(5);
  b.used.add(RSP);
}

export function kindString(b: Builder): void {
  const rng = b.rng;
  const f = b.form;
  const s = b.size;
  const op = f.op & 0xfe;
  const rep = f.x as number | undefined;
  if (rep) b.insn.prefixes.push(rep);
  const df = rng.chance(0.3);
  b.rflags = (b.rflags & ~0x400n) | (df ? 0x400n : 0n);
  const a32 = rng.chance(0.15);
  if (a32) b.insn.prefixes.push(0x67);
  const n = rep ? rng.pick([0, 1, 2, 3, rng.range(4, 17), rng.range(17, 65)]) : 1;
  const span = Math.max(1, n) * s;
  const readsSi = op === 0xa4 || op === 0xa6 || op === 0xac;
  const usesDi = op !== 0xac;
  const writesDi = op === 0xa4 || op === 0xaa;
  const place = (write: boolean): number => {
    const regions = write ? [[0x100, 0x1f00], [0x4100, 0x5f00]] : [[0x100, 0x1f00], [0x2100, 0x2f00], [0x4100, 0x5f00]];
    const [lo, hi] = rng.pick(regions) as [number, number];
    let p = rng.range(lo + (df ? span : 0), hi - (df ? 0 : span));
    if (rng.chance(0.7)) p &= ~(s - 1);
    if (rng.chance(0.03)) p = write ? rng.pick([0x2000 - s, 0x1ff0, 0x3000 - s]) : 0x3000 - s; // runs into a fault
    return p;
  };
  const gs = readsSi && !a32 && rng.chance(0.1);
  if (gs) b.insn.prefixes.unshift(0x65);
  const si = place(false);
  let di = usesDi ? place(writesDi) : 0;
  if (op === 0xa4 && rng.chance(0.2)) di = Math.max(0x100, Math.min(0x1f00 - span, si + rng.range(-span, span))) & ~(s - 1); // overlap
  const addrReg = (r: number, off: number, seg: bigint) => b.setAddrReg(r, (va(off) - seg) & M64, a32);
  if (readsSi) addrReg(6, si, gs ? GS_BASE : 0n);
  else b.used.add(6);
  if (usesDi) addrReg(7, di, 0n);
  const cnt = rep ? BigInt(n) | (a32 ? rng.u64() & ~0xffffffffn & M64 : 0n) : rng.u64();
  b.fixed.set(1, cnt);
  b.used.add(1);
  b.used.add(0);
  // Data: cmps compares two buffers that agree up to a point; scas searches for AL..RAX.
  const bufAt = (p: number) => (df ? p - span + s : p);
  if (op === 0xa6) {
    const src = rng.bytes(span);
    const dst = Uint8Array.from(src);
    if (rng.chance(0.6)) {
      const k = rng.int(span);
      dst[k] = dst[k]! ^ (1 << rng.int(8));
    }
    if (bufAt(si) >= 0 && bufAt(si) + span <= 0x6000) b.patch(bufAt(si), src);
    const p = bufAt(di);
    if (p >= 0 && (p + span <= 0x3000 || (p >= 0x4000 && p + span <= 0x6000))) b.patch(p, dst);
  } else if (op === 0xae) {
    const v = intValue(rng, s);
    b.setOperand(0, s, v);
    const buf = new Uint8Array(span);
    for (let i = 0; i < span; i += s) buf.set(leBytes(v, s), i);
    if (rng.chance(0.6)) {
      const k = rng.int(span);
      buf[k] = buf[k]! ^ (1 << rng.int(8));
    }
    const p = bufAt(di);
    if (p >= 0 && (p + span <= 0x3000 || (p >= 0x4000 && p + span <= 0x6000))) b.patch(p, buf);
  } else b.setOperand(0, s, intValue(rng, s));
  b.desc.push(`rsi=${b.fmtAddr(va(si))} rdi=${b.fmtAddr(va(di))} count=${n}${df ? " DF" : ""}${a32 ? " a32" : ""}${gs ? " gs" : ""}`);
}

export function kindSse(b: Builder): void {
  const f = b.form;
  const x = f.x;
  const rng = b.rng;
  const r = rng.int(100);
  if (r < 15) b.mxcsr = (MXCSR_DEFAULT & ~0x6000) | (rng.int(4) << 13) | (rng.chance(0.3) ? 0x8000 : 0) | (rng.chance(0.3) ? 0x40 : 0);
  else if (r < 28) b.mxcsr = (rng.u32() & 0xffc0) | (rng.chance(0.5) ? rng.u32() & 0x3f : 0);
  b.setReg(b.pickReg());
  const gsrc = x.src === "g" || x.dst === "g";
  if (f.rm === "r" || (f.rm === "rm" && rng.chance(0.4))) {
    b.rmRegister();
    if (gsrc) b.setOperand(b.rmReg, b.size, intValue(rng, b.size));
  } else {
    const n = f.msz || 16;
    b.memOperand({ size: n, access: f.mem ?? "r", a16: x.a16 && n === 16 });
    let v: Uint8Array;
    if (x.lane === "mxcsr") {
      let m = rng.u32() & 0xffff;
      if (rng.chance(0.15)) m |= rng.chance(0.5) ? 0x10000 : 1 << rng.range(18, 32);
      v = leBytes(BigInt(m >>> 0), 4);
    } else if (gsrc && n <= 8) v = leBytes(intValue(rng, n), n);
    else if (x.lane === "ps" && n === 4) v = leBytes(BigInt(f32Value(rng)), 4);
    else if (x.lane === "pd" && n === 8) v = leBytes(f64Value(rng), 8);
    else v = xmmValue(rng, x.lane).subarray(0, n);
    b.memPatch(v);
  }

  if (b.immKind() === "b") {
    let imm: number;
    if (x.shift) imm = rng.pick([0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 127, 128, 255, rng.int(256)]);
    else if (/^cmp/.test(f.name)) imm = rng.chance(0.9) ? rng.int(8) : rng.int(256);
    else imm = rng.int(256);
    b.insn.imm = Uint8Array.of(imm);
  }
}

// x87: [fldcw] fld operands (m80), the instruction, fxsave of the whole FPU state.
const X87_OPS = 0x0e00; // operand slots (10 bytes each)
const X87_CW = 0x0e40;
const FXSAVE_AT = 0x1400;

function absMem(op: number[], reg: number, off: number): number[] {
  const a = Number(va(off));
  return [...op, (reg << 3) | 4, 0x25, a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, (a >>> 24) & 0xff];
}

export function kindX87(b: Builder): void {
  const rng = b.rng;
  const x = b.form.x;
  b.pre.push(Uint8Array.of(0xdb, 0xe3)); // fninit: every case starts from the same FPU state
  const r = rng.int(100);
  if (r < 35) {
    const masks = r < 8 ? rng.u32() & 0x3f : 0x3f;
    const cw = 0x40 | masks | (rng.int(4) << 8) | (rng.int(4) << 10);
    b.patch(X87_CW, leBytes(BigInt(cw), 2));
    b.pre.push(Uint8Array.from(absMem([0xd9], 5, X87_CW)));
    b.prelude.push(`fldcw 0x${cw.toString(16)}`);
  }
  for (let i = 0; i < x.push; i++) {
    const off = X87_OPS + i * 16;
    b.patch(off, f80Value(rng));
    b.pre.push(Uint8Array.from(absMem([0xdb], 5, off)));
  }
  if (x.push) b.prelude.push(`fld m80 x${x.push}`);
  const bytes: number[] = x.bytes;
  if (x.mod === "m") {
    b.insn.op = bytes[0]!;
    b.insn.modrm = { mod: 0, reg: (bytes[1]! >> 3) & 7, rm: 0 };
    const t = x.t as string;
    const n = { m32: 4, m64: 8, m80: 10, i16: 2, i32: 4, i64: 8 }[t]!;
    b.memOperand({ size: n, access: x.store ? "w" : "r", lo: 0, hi: 0xe00, seg: true });
    const v = t === "m32" ? leBytes(BigInt(f32Value(rng)), 4) : t === "m64" ? leBytes(f64Value(rng), 8) : t === "m80" ? f80Value(rng) : leBytes(intValue(rng, n), n);
    b.memPatch(v);
    b.desc.push(t);
  } else {
    b.insn.op = bytes[0]!;
    if (bytes.length > 1) b.insn.modrm = { mod: bytes[1]! >> 6, reg: (bytes[1]! >> 3) & 7, rm: bytes[1]! & 7 };
  }
  b.post.push(Uint8Array.from([0x0f, ...absMem([0xae], 0, FXSAVE_AT)]));
  // FCS and FDS in the image are the host's selectors, not the instruction's doing.
  for (const o of [12, 13, 20, 21]) b.undefMem.add(FXSAVE_AT + o);
  b.fxsaveOff = FXSAVE_AT;
}

export function kindInvalid(b: Builder): void {
  b.insn.op = b.form.op;
  b.insn.imm = b.rng.bytes(3);
}

export function kindLockReg(b: Builder): void {
  kindGeneric(b);
  b.insn.prefixes = b.insn.prefixes.filter((p) => p !== 0xf0);
  b.insn.prefixes.unshift(0xf0);
}

// ---- flag producers run before a form to leave lazy flags behind ----
const PRODUCERS = [0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x84];

export function producer(b: Builder): void {
  const rng = b.rng;
  const avoid = new Set<number>([0, 1, 2, 4, 6, 7, ...b.used, ...b.fixed.keys(), ...b.reserved]);
  const free = [3, 5, 8, 9, 10, 11, 12, 13, 14, 15].filter((r) => !avoid.has(r));
  if (free.length === 0) return;
  const dst = rng.pick(free);
  const src = rng.int(16);
  const size = rng.pick([1, 2, 4, 8]);
  const base = rng.pick(PRODUCERS);
  const i = newInsn(base === 0x84 ? (size === 1 ? 0x84 : 0x85) : base + (size === 1 ? 0 : 1));
  if (rng.chance(0.25)) {
    // inc/dec/neg keep CF or compute it from the one operand
    const g = rng.pick([[0xfe, 0], [0xfe, 1], [0xf6, 3]]) as [number, number];
    i.op = size === 1 ? g[0] : g[0] + 1;
    i.modrm = { mod: 3, reg: g[1], rm: dst };
  } else i.modrm = { mod: 3, reg: src, rm: dst };
  if (size === 8) i.rexW = true;
  if (size === 2) i.prefixes.push(0x66);
  if (size === 1) i.rexForce = true;
  const bytes = encode(i, 0n);
  const logic = [0x08, 0x20, 0x30, 0x84].includes(base) && i.op !== 0xfe && i.op !== 0xff && i.op !== 0xf6 && i.op !== 0xf7;
  b.preUndef |= logic ? 0x10 : 0;
  b.pre.unshift(bytes);
  b.prelude.unshift(`flags from ${[...bytes].map((v) => v.toString(16).padStart(2, "0")).join(" ")}`);
}
