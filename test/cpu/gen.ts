// The case generator: for case k of seed S, picks a form from tables/x86-forms.mjs (round
// robin, so N cases cover every form N / forms times), sets its operands up (builder.ts,
// kinds.ts) and assembles the sequence and the starting state: registers, flags, XMM, MXCSR
// and memory patches, with memory operands inside the windows of layout.ts except for the
// deliberate fault cases. Same (S, k, forms) = same case.
import { FORMS, decodeAttr } from "../../tables/x86-forms.mjs";
import { Rng } from "./rng.ts";
import { encode } from "./encode.ts";
import { CODE_VA, type Patch } from "./layout.ts";
import { mask } from "./values.ts";
import { Builder, M64, type Form } from "./builder.ts";
import * as K from "./kinds.ts";

export { GPR, type Form } from "./builder.ts";

export const ALL_FORMS = FORMS as Form[];

/** What the undefined-flag and undefined-result rules of a form look at. */
export interface Ctx {
  size: number;
  mask: bigint;
  count: bigint;
  rmValue: bigint;
  regField: number;
  opReg: number;
}

export interface Case {
  index: number;
  form: Form;
  size: number;
  code: Uint8Array; // the whole sequence
  codeOff: number;
  insnVA: bigint; // the instruction under test
  insn: Uint8Array;
  seed: number;
  patches: Patch[];
  regs: bigint[];
  rflags: bigint;
  xmm: Uint8Array;
  mxcsr: number;
  /** Flags undefined when the instruction under test completes / when it faults. */
  undefFlags: number;
  undefFlagsFault: number;
  undefRegs: Map<number, bigint>;
  undefMem: Set<number>;
  /** Where an x87 sequence stores its fxsave image (data offset). */
  fxsaveOff?: number;
  used: Set<number>;
  desc: string[];
  prelude?: string;
}

export interface GenOptions {
  seed: number;
  forms: Form[];
}

export function generate(index: number, opts: GenOptions): Case {
  const form = opts.forms[index % opts.forms.length]!;
  const rng = new Rng(opts.seed, index);
  const b = new Builder(rng, form);
  b.chooseSize();
  const kind = form.kind ?? "generic";
  switch (kind) {
    case "shift": K.kindShift(b); break;
    case "div": K.kindDiv(b, false); break;
    case "idiv": K.kindDiv(b, true); break;
    case "btreg": K.kindBt(b, false); break;
    case "btimm": K.kindBt(b, true); break;
    case "bitscan": K.kindBitscan(b); break;
    case "opreg": K.kindOpReg(b); break;
    case "moffs": K.kindMoffs(b); break;
    case "xlat": K.kindXlat(b); break;
    case "cmpxchg": K.kindCmpxchg(b); break;
    case "cmpxchg8b": K.kindCmpxchg8b(b); break;
    case "indirect": K.kindIndirect(b); break;
    case "ret": K.kindRet(b); break;
    case "stack": case "popf": K.kindStack(b); break;
    case "enter": K.kindEnter(b); break;
    case "leave": K.kindLeave(b); break;
    case "string": K.kindString(b); break;
    case "sse": K.kindSse(b); break;
    case "x87": K.kindX87(b); break;
    case "invalid": K.kindInvalid(b); break;
    case "lockreg": K.kindLockReg(b); break;
    case "rel": case "loop": break; // need the length first (below)
    default: K.kindGeneric(b);
  }
  if (kind !== "x87" && kind !== "invalid" && kind !== "lockreg" && kind !== "sse" && rng.chance(0.2)) K.producer(b);
  const preLen = b.pre.reduce((n, x) => n + x.length, 0);
  let insnVA = CODE_VA + BigInt(b.codeOff + preLen);
  if (kind === "rel" || kind === "loop") {
    b.codeOff += preLen;
    const probeLen = encode(b.insn, insnVA).length + (decodeAttr(form.op) === "i" ? 1 : decodeAttr(form.op) === "d" ? 4 : 0);
    if (kind === "rel") K.kindRel(b, probeLen, b.codeOff - preLen);
    else K.kindLoop(b, probeLen, b.codeOff - preLen);
    b.codeOff -= preLen;
  }
  const insn = encode(b.insn, insnVA);
  const parts = [...b.pre, insn, ...b.post];
  const code = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const p of parts) {
    code.set(p, o);
    o += p.length;
  }
  const regs = b.finalRegs();
  const size = b.size;
  const ctx: Ctx = {
    size,
    mask: mask(size),
    count: 0n,
    rmValue: b.insn.modrm && (b.insn.modrm.mod === 3 || b.memOff >= 0) ? rmValueOf(b, regs, size) : 0n,
    regField: b.regField,
    opReg: b.opReg,
  };
  if (kind === "shift") {
    ctx.count = form.x === "cl" ? regs[1]! & 0xffn : form.x === "one" ? 1n : BigInt(b.insn.imm[0] ?? 0);
  }
  const undefFlags = (typeof form.undef === "function" ? form.undef(ctx) : form.undef ?? 0) | b.preUndef;
  const undefRegs = new Map<number, bigint>();
  const undefMem = new Set<number>(b.undefMem);
  const res = form.undefRes?.(ctx) ?? {};
  const regMask = (r: number) => (size === 2 ? 0xffffn : M64);
  for (const r of res.reg ?? []) if (r >= 0) undefRegs.set(r, regMask(r));
  if (res.rm) {
    if (b.insn.modrm?.mod === 3) undefRegs.set(b.rmReg, regMask(b.rmReg));
    else if (b.memOff >= 0) for (let i = 0; i < size; i++) undefMem.add(b.memOff + i);
  }
  const desc = [...b.desc];
  if (b.regField >= 0 && form.kind !== "sse") desc.unshift(`reg=${b.gprName(b.regField, size)}`);
  if (b.rmReg >= 0 && form.kind !== "sse") desc.unshift(`rm=${b.gprName(b.rmReg, form.regSz === "b" ? 1 : form.msz ?? size)}`);
  return {
    index,
    form,
    size,
    code,
    codeOff: b.codeOff,
    insnVA,
    insn,
    seed: rng.u32(),
    patches: b.patches.filter((p) => p.off >= 0 && p.off + p.bytes.length <= 0x6000),
    regs,
    rflags: b.rflags,
    xmm: b.xmm,
    mxcsr: b.mxcsr,
    undefFlags,
    undefFlagsFault: b.preUndef,
    undefRegs,
    undefMem,
    fxsaveOff: b.fxsaveOff,
    used: b.used,
    desc,
    prelude: b.prelude.length ? b.prelude.join("; ") : undefined,
  };
}

function rmValueOf(b: Builder, regs: bigint[], size: number): bigint {
  const m = b.insn.modrm!;
  if (m.mod === 3) {
    const [reg, sh] = b.loc(m.rm, size);
    return (regs[reg]! >> BigInt(sh)) & mask(size);
  }
  return b.memValue & mask(size);
}

/** Forms of the given families (all when empty). */
export function selectForms(families: string[]): Form[] {
  if (!families.length) return ALL_FORMS;
  const unknown = families.filter((f) => !ALL_FORMS.some((x) => x.family === f));
  if (unknown.length) throw new Error(`unknown famil${unknown.length > 1 ? "ies" : "y"}: ${unknown.join(", ")}`);
  return ALL_FORMS.filter((f) => families.includes(f.family));
}
