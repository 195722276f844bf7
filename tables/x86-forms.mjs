// Every x86-64 instruction form the CPU differential tests generate (test/cpu/), with the
// flags and results the SDM leaves undefined for it. The encoding attributes (ModRM,
// immediate kind) are not repeated here: the generator reads them from tables/x86-decode.mjs,
// the table the core's decoder is generated from, so the two cannot disagree.
//
// A form:
//   name    unique, "mnemonic operands" (Intel order, SDM operand letters)
//   family  the group `--family` selects (integer families match assembly/cpu/*.ts)
//   op      map << 8 | opcode byte (map 0 one-byte, 1 0F, 2 0F 38, 3 0F 3A), as the decoder
//   ext     fixed ModRM.reg (group opcodes); modrm: a fixed whole ModRM byte
//   pfx     mandatory prefix byte (0x66, 0xf2, 0xf3) placed right before REX/opcode
//   sz      operand sizes: "b" 8-bit, "v" 16/32/64 (66 / REX.W), "s" stack 16/64, "q" 64 only,
//           "d" 32 only, "dq" 32/64 (REX.W), "n" none
//   rm      "rm" register or memory, "r" register only, "m" memory only (ModRM forms)
//   mem     memory access: "r", "w", "rw", "none" (lea); msz: memory size when it differs
//   lock    LOCK is legal with a memory destination
//   kind    operand set-up in test/cpu/gen.ts (defaults to plain random operands)
//   undef   flags left undefined: a mask, or (ctx) => mask
//   undefRes (ctx) => what else is undefined: { reg: [gpr...] , rm: true } (ctx: gen.ts Ctx)
//   x       extra data for the kind
//   approx  the XMM results are approximations: the SDM only bounds their relative error
//           (rcpps/rsqrtps: 1.5 * 2^-12) and each vendor has its own tables, so they are
//           compared within that bound, specials exactly (test/cpu/compare.ts approxEqual)
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;

import { MAP_1BYTE, MAP_0F, MAP_0F38, MAP_0F3A } from "./x86-decode.mjs";

/** The decode attribute character of an opcode (see tables/x86-decode.mjs). */
export function decodeAttr(op) {
  const map = [MAP_1BYTE, MAP_0F, MAP_0F38, MAP_0F3A][op >> 8];
  const b = op & 0xff;
  return map[b >> 4][b & 15];
}

const F = [];
function form(f) {
  F.push({ sz: "n", ...f });
}

// ---- shift and rotate undefined flags (SDM "Flags Affected" of SAL/SHR/SAR, ROL/ROR/RCL/RCR) ----
function shiftCount(ctx) {
  return Number(ctx.count & (ctx.size === 8 ? 63n : 31n));
}
function shiftUndef(which) {
  return (ctx) => {
    const c = shiftCount(ctx);
    if (c === 0) return 0;
    const bits = ctx.size * 8;
    if (which === "rot") return c === 1 ? 0 : OF;
    if (which === "rc") return c === 1 ? 0 : OF;
    let m = AF | (c === 1 ? 0 : OF);
    if (which === "shlr" && c >= bits) m |= CF;
    return m;
  };
}
function shiftdUndef(ctx) {
  const c = shiftCount(ctx);
  if (c === 0) return 0;
  if (c > ctx.size * 8) return ARITH;
  return AF | (c === 1 ? 0 : OF);
}

// ---- integer: the ALU block, groups 1-5 ----
const ALU = ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"];
ALU.forEach((m, i) => {
  const logic = m === "and" || m === "or" || m === "xor";
  const u = logic ? AF : 0;
  const wr = m === "cmp" ? "r" : "rw";
  const lock = m !== "cmp";
  const fam = "alu";
  form({ name: `${m} Eb,Gb`, family: fam, op: i * 8 + 0, sz: "b", rm: "rm", mem: wr, lock, undef: u });
  form({ name: `${m} Ev,Gv`, family: fam, op: i * 8 + 1, sz: "v", rm: "rm", mem: wr, lock, undef: u });
  form({ name: `${m} Gb,Eb`, family: fam, op: i * 8 + 2, sz: "b", rm: "rm", mem: "r", undef: u });
  form({ name: `${m} Gv,Ev`, family: fam, op: i * 8 + 3, sz: "v", rm: "rm", mem: "r", undef: u });
  form({ name: `${m} AL,Ib`, family: fam, op: i * 8 + 4, sz: "b", undef: u });
  form({ name: `${m} rAX,Iz`, family: fam, op: i * 8 + 5, sz: "v", undef: u });
  form({ name: `${m} Eb,Ib`, family: fam, op: 0x80, ext: i, sz: "b", rm: "rm", mem: wr, lock, undef: u });
  form({ name: `${m} Ev,Iz`, family: fam, op: 0x81, ext: i, sz: "v", rm: "rm", mem: wr, lock, undef: u });
  form({ name: `${m} Ev,Ib`, family: fam, op: 0x83, ext: i, sz: "v", rm: "rm", mem: wr, lock, undef: u });
});
form({ name: "test Eb,Gb", family: "alu", op: 0x84, sz: "b", rm: "rm", mem: "r", undef: AF });
form({ name: "test Ev,Gv", family: "alu", op: 0x85, sz: "v", rm: "rm", mem: "r", undef: AF });
form({ name: "test AL,Ib", family: "alu", op: 0xa8, sz: "b", undef: AF });
form({ name: "test rAX,Iz", family: "alu", op: 0xa9, sz: "v", undef: AF });
form({ name: "test Eb,Ib", family: "alu", op: 0xf6, ext: 0, sz: "b", rm: "rm", mem: "r", undef: AF });
form({ name: "test Eb,Ib (/1)", family: "alu", op: 0xf6, ext: 1, sz: "b", rm: "rm", mem: "r", undef: AF });
form({ name: "test Ev,Iz", family: "alu", op: 0xf7, ext: 0, sz: "v", rm: "rm", mem: "r", undef: AF });
form({ name: "test Ev,Iz (/1)", family: "alu", op: 0xf7, ext: 1, sz: "v", rm: "rm", mem: "r", undef: AF });
form({ name: "not Eb", family: "alu", op: 0xf6, ext: 2, sz: "b", rm: "rm", mem: "rw", lock: true });
form({ name: "not Ev", family: "alu", op: 0xf7, ext: 2, sz: "v", rm: "rm", mem: "rw", lock: true });
form({ name: "neg Eb", family: "alu", op: 0xf6, ext: 3, sz: "b", rm: "rm", mem: "rw", lock: true });
form({ name: "neg Ev", family: "alu", op: 0xf7, ext: 3, sz: "v", rm: "rm", mem: "rw", lock: true });
form({ name: "inc Eb", family: "alu", op: 0xfe, ext: 0, sz: "b", rm: "rm", mem: "rw", lock: true });
form({ name: "dec Eb", family: "alu", op: 0xfe, ext: 1, sz: "b", rm: "rm", mem: "rw", lock: true });
form({ name: "inc Ev", family: "alu", op: 0xff, ext: 0, sz: "v", rm: "rm", mem: "rw", lock: true });
form({ name: "dec Ev", family: "alu", op: 0xff, ext: 1, sz: "v", rm: "rm", mem: "rw", lock: true });

// ---- multiply and divide ----
const MULU = SF | ZF | AF | PF;
form({ name: "mul Eb", family: "muldiv", op: 0xf6, ext: 4, sz: "b", rm: "rm", mem: "r", undef: MULU });
form({ name: "mul Ev", family: "muldiv", op: 0xf7, ext: 4, sz: "v", rm: "rm", mem: "r", undef: MULU });
form({ name: "imul Eb", family: "muldiv", op: 0xf6, ext: 5, sz: "b", rm: "rm", mem: "r", undef: MULU });
form({ name: "imul Ev", family: "muldiv", op: 0xf7, ext: 5, sz: "v", rm: "rm", mem: "r", undef: MULU });
form({ name: "div Eb", family: "muldiv", op: 0xf6, ext: 6, sz: "b", rm: "rm", mem: "r", kind: "div", undef: ARITH });
form({ name: "div Ev", family: "muldiv", op: 0xf7, ext: 6, sz: "v", rm: "rm", mem: "r", kind: "div", undef: ARITH });
form({ name: "idiv Eb", family: "muldiv", op: 0xf6, ext: 7, sz: "b", rm: "rm", mem: "r", kind: "idiv", undef: ARITH });
form({ name: "idiv Ev", family: "muldiv", op: 0xf7, ext: 7, sz: "v", rm: "rm", mem: "r", kind: "idiv", undef: ARITH });
form({ name: "imul Gv,Ev", family: "muldiv", op: 0x1af, sz: "v", rm: "rm", mem: "r", undef: MULU });
form({ name: "imul Gv,Ev,Iz", family: "muldiv", op: 0x69, sz: "v", rm: "rm", mem: "r", undef: MULU });
form({ name: "imul Gv,Ev,Ib", family: "muldiv", op: 0x6b, sz: "v", rm: "rm", mem: "r", undef: MULU });

// ---- shifts and rotates: C0/C1 by imm8, D0/D1 by 1, D2/D3 by CL ----
const SH = ["rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"];
SH.forEach((m, i) => {
  const w = i < 2 ? "rot" : i < 4 ? "rc" : i === 7 ? "sar" : "shlr";
  const u = shiftUndef(w);
  const name = i === 6 ? "sal(/6)" : m;
  for (const [op, sz, cnt, ops] of [
    [0xc0, "b", "imm", "Eb,Ib"], [0xc1, "v", "imm", "Ev,Ib"], [0xd0, "b", "one", "Eb,1"],
    [0xd1, "v", "one", "Ev,1"], [0xd2, "b", "cl", "Eb,CL"], [0xd3, "v", "cl", "Ev,CL"],
  ]) {
    form({ name: `${name} ${ops}`, family: "shift", op, ext: i, sz, rm: "rm", mem: "rw", kind: "shift", x: cnt, undef: u });
  }
});
for (const [op, m, cnt] of [[0x1a4, "shld", "imm"], [0x1a5, "shld", "cl"], [0x1ac, "shrd", "imm"], [0x1ad, "shrd", "cl"]]) {
  form({
    name: `${m} Ev,Gv,${cnt === "cl" ? "CL" : "Ib"}`, family: "shift", op, sz: "v", rm: "rm", mem: "rw", kind: "shift", x: cnt,
    undef: shiftdUndef,
    undefRes: (ctx) => (shiftCount(ctx) > ctx.size * 8 ? { rm: true } : {}),
  });
}

// ---- bit tests and scans ----
const BTU = OF | SF | AF | PF;
for (const [op, m, wr] of [[0x1a3, "bt", "r"], [0x1ab, "bts", "rw"], [0x1b3, "btr", "rw"], [0x1bb, "btc", "rw"]]) {
  form({ name: `${m} Ev,Gv`, family: "bit", op, sz: "v", rm: "rm", mem: wr, lock: wr === "rw", kind: "btreg", undef: BTU });
}
["bt", "bts", "btr", "btc"].forEach((m, i) => {
  form({ name: `${m} Ev,Ib`, family: "bit", op: 0x1ba, ext: 4 + i, sz: "v", rm: "rm", mem: i ? "rw" : "r", lock: i > 0, kind: "btimm", undef: BTU });
});
for (const [op, m] of [[0x1bc, "bsf"], [0x1bd, "bsr"]]) {
  form({
    name: `${m} Gv,Ev`, family: "bit", op, sz: "v", rm: "rm", mem: "r", kind: "bitscan", undef: CF | OF | SF | AF | PF,
    // Intel leaves the destination undefined for a zero source (AMD keeps it).
    undefRes: (ctx) => ((ctx.rmValue & ctx.mask) === 0n ? { reg: [ctx.regField] } : {}),
  });
}
form({ name: "popcnt Gv,Ev", family: "bit", op: 0x1b8, pfx: 0xf3, sz: "v", rm: "rm", mem: "r", kind: "bitscan" });
form({
  name: "bswap Zv", family: "bit", op: 0x1c8, sz: "v", kind: "opreg",
  undefRes: (ctx) => (ctx.size === 2 ? { reg: [ctx.opReg] } : {}),
});

// ---- moves and conversions ----
form({ name: "mov Eb,Gb", family: "mov", op: 0x88, sz: "b", rm: "rm", mem: "w" });
form({ name: "mov Ev,Gv", family: "mov", op: 0x89, sz: "v", rm: "rm", mem: "w" });
form({ name: "mov Gb,Eb", family: "mov", op: 0x8a, sz: "b", rm: "rm", mem: "r" });
form({ name: "mov Gv,Ev", family: "mov", op: 0x8b, sz: "v", rm: "rm", mem: "r" });
form({ name: "mov Zb,Ib", family: "mov", op: 0xb0, sz: "b", kind: "opreg" });
form({ name: "mov Zv,Iv", family: "mov", op: 0xb8, sz: "v", kind: "opreg" });
form({ name: "mov Eb,Ib", family: "mov", op: 0xc6, ext: 0, sz: "b", rm: "rm", mem: "w" });
form({ name: "mov Ev,Iz", family: "mov", op: 0xc7, ext: 0, sz: "v", rm: "rm", mem: "w" });
form({ name: "mov AL,Ob", family: "mov", op: 0xa0, sz: "b", kind: "moffs", mem: "r" });
form({ name: "mov rAX,Ov", family: "mov", op: 0xa1, sz: "v", kind: "moffs", mem: "r" });
form({ name: "mov Ob,AL", family: "mov", op: 0xa2, sz: "b", kind: "moffs", mem: "w" });
form({ name: "mov Ov,rAX", family: "mov", op: 0xa3, sz: "v", kind: "moffs", mem: "w" });
form({ name: "movzx Gv,Eb", family: "mov", op: 0x1b6, sz: "v", rm: "rm", mem: "r", msz: 1, regSz: "b" });
form({ name: "movzx Gv,Ew", family: "mov", op: 0x1b7, sz: "v", rm: "rm", mem: "r", msz: 2 });
form({ name: "movsx Gv,Eb", family: "mov", op: 0x1be, sz: "v", rm: "rm", mem: "r", msz: 1, regSz: "b" });
form({ name: "movsx Gv,Ew", family: "mov", op: 0x1bf, sz: "v", rm: "rm", mem: "r", msz: 2 });
form({ name: "movsxd Gv,Ed", family: "mov", op: 0x63, sz: "v", rm: "rm", mem: "r", msz: 4 }); // AMD reads 32 bits at any operand size
form({ name: "lea Gv,M", family: "mov", op: 0x8d, sz: "v", rm: "m", mem: "none" });
form({ name: "cbw/cwde/cdqe", family: "mov", op: 0x98, sz: "v" });
form({ name: "cwd/cdq/cqo", family: "mov", op: 0x99, sz: "v" });
form({ name: "xlat", family: "mov", op: 0xd7, sz: "n", kind: "xlat", mem: "r" });
for (let cc = 0; cc < 16; cc++) {
  form({ name: `cmov${cc.toString(16)} Gv,Ev`, family: "mov", op: 0x140 + cc, sz: "v", rm: "rm", mem: "r", flagsIn: true });
  form({ name: `set${cc.toString(16)} Eb`, family: "mov", op: 0x190 + cc, sz: "b", rm: "rm", mem: "w", flagsIn: true });
}

// ---- exchange and compare-exchange ----
form({ name: "xchg Eb,Gb", family: "xchg", op: 0x86, sz: "b", rm: "rm", mem: "rw", lock: true });
form({ name: "xchg Ev,Gv", family: "xchg", op: 0x87, sz: "v", rm: "rm", mem: "rw", lock: true });
form({ name: "xchg Zv,rAX", family: "xchg", op: 0x90, sz: "v", kind: "opreg", x: "norax" });
form({ name: "xadd Eb,Gb", family: "xchg", op: 0x1c0, sz: "b", rm: "rm", mem: "rw", lock: true });
form({ name: "xadd Ev,Gv", family: "xchg", op: 0x1c1, sz: "v", rm: "rm", mem: "rw", lock: true });
form({ name: "cmpxchg Eb,Gb", family: "xchg", op: 0x1b0, sz: "b", rm: "rm", mem: "rw", lock: true, kind: "cmpxchg" });
form({ name: "cmpxchg Ev,Gv", family: "xchg", op: 0x1b1, sz: "v", rm: "rm", mem: "rw", lock: true, kind: "cmpxchg" });
form({ name: "cmpxchg8b Mq", family: "xchg", op: 0x1c7, ext: 1, sz: "d", rm: "m", mem: "rw", msz: 8, lock: true, kind: "cmpxchg8b" });
form({ name: "cmpxchg16b Mdq", family: "xchg", op: 0x1c7, ext: 1, sz: "q", rm: "m", mem: "rw", msz: 16, lock: true, kind: "cmpxchg8b" });

// ---- control transfer (targets stay in the code window) ----
for (let cc = 0; cc < 16; cc++) {
  form({ name: `j${cc.toString(16)} Jb`, family: "branch", op: 0x70 + cc, kind: "rel", flagsIn: true });
  form({ name: `j${cc.toString(16)} Jz`, family: "branch", op: 0x180 + cc, kind: "rel", flagsIn: true });
}
form({ name: "jmp Jb", family: "branch", op: 0xeb, kind: "rel" });
form({ name: "jmp Jz", family: "branch", op: 0xe9, kind: "rel" });
form({ name: "call Jz", family: "branch", op: 0xe8, kind: "rel", x: "call" });
form({ name: "jmp Ev", family: "branch", op: 0xff, ext: 4, sz: "q", rm: "rm", mem: "r", kind: "indirect" });
form({ name: "call Ev", family: "branch", op: 0xff, ext: 2, sz: "q", rm: "rm", mem: "r", kind: "indirect", x: "call" });
form({ name: "ret", family: "branch", op: 0xc3, kind: "ret" });
form({ name: "ret Iw", family: "branch", op: 0xc2, kind: "ret" });
form({ name: "loopne Jb", family: "branch", op: 0xe0, kind: "loop", flagsIn: true });
form({ name: "loope Jb", family: "branch", op: 0xe1, kind: "loop", flagsIn: true });
form({ name: "loop Jb", family: "branch", op: 0xe2, kind: "loop" });
form({ name: "jrcxz Jb", family: "branch", op: 0xe3, kind: "loop" });

// ---- stack ----
form({ name: "push Zv", family: "stack", op: 0x50, sz: "s", kind: "opreg", x: "stack" });
form({ name: "pop Zv", family: "stack", op: 0x58, sz: "s", kind: "opreg", x: "stack" });
form({ name: "push Ib", family: "stack", op: 0x6a, sz: "s", kind: "stack" });
form({ name: "push Iz", family: "stack", op: 0x68, sz: "s", kind: "stack" });
form({ name: "push Ev", family: "stack", op: 0xff, ext: 6, sz: "s", rm: "rm", mem: "r", kind: "stack" });
form({ name: "pop Ev", family: "stack", op: 0x8f, ext: 0, sz: "s", rm: "rm", mem: "w", kind: "stack" });
form({ name: "pushf", family: "stack", op: 0x9c, sz: "s", kind: "stack", flagsIn: true });
form({ name: "popf", family: "stack", op: 0x9d, sz: "s", kind: "popf" });
form({ name: "enter Iw,Ib", family: "stack", op: 0xc8, kind: "enter" });
form({ name: "leave", family: "stack", op: 0xc9, sz: "s", kind: "leave" });

// ---- flags and no-ops ----
form({ name: "lahf", family: "misc", op: 0x9f, flagsIn: true });
form({ name: "sahf", family: "misc", op: 0x9e });
form({ name: "clc", family: "misc", op: 0xf8 });
form({ name: "stc", family: "misc", op: 0xf9 });
form({ name: "cmc", family: "misc", op: 0xf5, flagsIn: true });
form({ name: "cld", family: "misc", op: 0xfc });
form({ name: "std", family: "misc", op: 0xfd });
form({ name: "nop", family: "misc", op: 0x90, x: "nop" });
form({ name: "pause", family: "misc", op: 0x90, pfx: 0xf3, x: "nop" });
form({ name: "nop Ev", family: "misc", op: 0x11f, ext: 0, sz: "v", rm: "rm", mem: "none" });
form({ name: "int3", family: "misc", op: 0xcc });
form({ name: "ud2", family: "misc", op: 0x10b });

// ---- invalid encodings (#UD) ----
for (const b of [0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x82, 0x9a, 0xce, 0xd4, 0xd5, 0xd6, 0xea]) {
  form({ name: `invalid ${b.toString(16).padStart(2, "0")}`, family: "invalid", op: b, kind: "invalid" });
}
form({ name: "lock add Ev,Gv (register)", family: "invalid", op: 0x01, sz: "v", rm: "r", kind: "lockreg" });
form({ name: "lock mov Ev,Gv", family: "invalid", op: 0x89, sz: "v", rm: "rm", mem: "w", kind: "lockreg" });
form({ name: "lea Gv,(register)", family: "invalid", op: 0x8d, sz: "v", rm: "r" });
form({ name: "ud1 Gv,Ev", family: "invalid", op: 0x1b9, sz: "v", rm: "r" });
form({ name: "mov Ev,Iz (/1)", family: "invalid", op: 0xc7, ext: 1, sz: "v", rm: "r" });

// ---- string instructions, plain and with rep/repe/repne (RCX kept small) ----
for (const [b, m, sz] of [
  [0xa4, "movs", "b"], [0xa5, "movs", "v"], [0xa6, "cmps", "b"], [0xa7, "cmps", "v"], [0xaa, "stos", "b"], [0xab, "stos", "v"],
  [0xac, "lods", "b"], [0xad, "lods", "v"], [0xae, "scas", "b"], [0xaf, "scas", "v"],
]) {
  const cmp = m === "cmps" || m === "scas";
  const n = `${m}${sz === "b" ? "b" : ""}`;
  form({ name: n, family: "string", op: b, sz, kind: "string" });
  form({ name: `${cmp ? "repe" : "rep"} ${n}`, family: "string", op: b, sz, kind: "string", x: 0xf3 });
  form({ name: `${cmp ? "repne" : "rep(f2)"} ${n}`, family: "string", op: b, sz, kind: "string", x: 0xf2, flagsIn: !cmp });
}

// ---- SSE / SSE2 (xmm forms; MMX forms are not generated) ----
// lane: the element type for edge values; m: memory operand size (0: register only);
// a16: a 16-byte memory operand must be aligned; dst: "x" xmm, "g" general register.
function sse(family, pfx, op, name, o = {}) {
  const m = o.m ?? 16;
  form({
    name, family, op, pfx: pfx || undefined, ext: o.ext, sz: o.sz ?? "n", rm: o.rm ?? (m ? "rm" : "r"), mem: o.mem ?? "r", msz: m, kind: "sse",
    x: { lane: o.lane ?? "int", a16: o.a16 ?? m === 16, dst: o.dst ?? "x", src: o.src ?? "x" }, flagsIn: false,
    undef: o.undef ?? 0, approx: o.approx,
  });
}
const P = 0, P66 = 0x66, PF3 = 0xf3, PF2 = 0xf2;
// moves
sse("sse", P, 0x110, "movups Vps,Wps", { lane: "ps", a16: false });
sse("sse", P, 0x111, "movups Wps,Vps", { lane: "ps", a16: false, mem: "w" });
sse("sse", PF3, 0x110, "movss Vss,Wss", { lane: "ps", m: 4 });
sse("sse", PF3, 0x111, "movss Wss,Vss", { lane: "ps", m: 4, mem: "w" });
sse("sse", P, 0x112, "movlps Vq,Mq", { lane: "ps", m: 8, rm: "m" });
sse("sse", P, 0x112, "movhlps Vq,Uq", { lane: "ps", m: 0 });
sse("sse", P, 0x113, "movlps Mq,Vq", { lane: "ps", m: 8, rm: "m", mem: "w" });
sse("sse", P, 0x114, "unpcklps Vps,Wps", { lane: "ps" });
sse("sse", P, 0x115, "unpckhps Vps,Wps", { lane: "ps" });
sse("sse", P, 0x116, "movhps Vq,Mq", { lane: "ps", m: 8, rm: "m" });
sse("sse", P, 0x116, "movlhps Vq,Uq", { lane: "ps", m: 0 });
sse("sse", P, 0x117, "movhps Mq,Vq", { lane: "ps", m: 8, rm: "m", mem: "w" });
sse("sse", P, 0x128, "movaps Vps,Wps", { lane: "ps" });
sse("sse", P, 0x129, "movaps Wps,Vps", { lane: "ps", mem: "w" });
sse("sse", P, 0x12b, "movntps Mps,Vps", { lane: "ps", rm: "m", mem: "w" });
sse("sse", P, 0x12e, "ucomiss Vss,Wss", { lane: "ps", m: 4, undef: 0 });
sse("sse", P, 0x12f, "comiss Vss,Wss", { lane: "ps", m: 4 });
sse("sse", P, 0x150, "movmskps Gd,Ups", { lane: "ps", m: 0, dst: "g", sz: "dq" });
sse("sse", P, 0x1c6, "shufps Vps,Wps,Ib", { lane: "ps" });
sse("sse", P, 0x1ae, "ldmxcsr Md", { m: 4, rm: "m", ext: 2, lane: "mxcsr" });
sse("sse", P, 0x1ae, "stmxcsr Md", { m: 4, rm: "m", ext: 3, mem: "w" });
// arithmetic, logic, compares, conversions (packed single, scalar single)
const FPOPS = [[0x51, "sqrt"], [0x58, "add"], [0x59, "mul"], [0x5c, "sub"], [0x5d, "min"], [0x5e, "div"], [0x5f, "max"]];
for (const [b, m] of FPOPS) {
  sse("sse", P, 0x100 | b, `${m}ps Vps,Wps`, { lane: "ps" });
  sse("sse", PF3, 0x100 | b, `${m}ss Vss,Wss`, { lane: "ps", m: 4 });
  sse("sse2", P66, 0x100 | b, `${m}pd Vpd,Wpd`, { lane: "pd" });
  sse("sse2", PF2, 0x100 | b, `${m}sd Vsd,Wsd`, { lane: "pd", m: 8 });
}
for (const [b, m] of [[0x54, "and"], [0x55, "andn"], [0x56, "or"], [0x57, "xor"]]) {
  sse("sse", P, 0x100 | b, `${m}ps Vps,Wps`, { lane: "ps" });
  sse("sse2", P66, 0x100 | b, `${m}pd Vpd,Wpd`, { lane: "pd" });
}
sse("sse", P, 0x1c2, "cmpps Vps,Wps,Ib", { lane: "ps" });
sse("sse", PF3, 0x1c2, "cmpss Vss,Wss,Ib", { lane: "ps", m: 4 });
sse("sse2", P66, 0x1c2, "cmppd Vpd,Wpd,Ib", { lane: "pd" });
sse("sse2", PF2, 0x1c2, "cmpsd Vsd,Wsd,Ib", { lane: "pd", m: 8 });
sse("sse", PF3, 0x12a, "cvtsi2ss Vss,Ey", { lane: "ps", m: 4, src: "g", sz: "dq" });
sse("sse", PF3, 0x12c, "cvttss2si Gy,Wss", { lane: "ps", m: 4, dst: "g", sz: "dq" });
sse("sse", PF3, 0x12d, "cvtss2si Gy,Wss", { lane: "ps", m: 4, dst: "g", sz: "dq" });
sse("sseapprox", P, 0x152, "rsqrtps Vps,Wps", { lane: "ps", approx: true });
sse("sseapprox", P, 0x153, "rcpps Vps,Wps", { lane: "ps", approx: true });
sse("sseapprox", PF3, 0x152, "rsqrtss Vss,Wss", { lane: "ps", m: 4, approx: true });
sse("sseapprox", PF3, 0x153, "rcpss Vss,Wss", { lane: "ps", m: 4, approx: true });
// SSE2 double-precision moves, compares, conversions
sse("sse2", P66, 0x110, "movupd Vpd,Wpd", { lane: "pd", a16: false });
sse("sse2", P66, 0x111, "movupd Wpd,Vpd", { lane: "pd", a16: false, mem: "w" });
sse("sse2", PF2, 0x110, "movsd Vsd,Wsd", { lane: "pd", m: 8 });
sse("sse2", PF2, 0x111, "movsd Wsd,Vsd", { lane: "pd", m: 8, mem: "w" });
sse("sse2", P66, 0x112, "movlpd Vq,Mq", { lane: "pd", m: 8, rm: "m" });
sse("sse2", P66, 0x113, "movlpd Mq,Vq", { lane: "pd", m: 8, rm: "m", mem: "w" });
sse("sse2", P66, 0x114, "unpcklpd Vpd,Wpd", { lane: "pd" });
sse("sse2", P66, 0x115, "unpckhpd Vpd,Wpd", { lane: "pd" });
sse("sse2", P66, 0x116, "movhpd Vq,Mq", { lane: "pd", m: 8, rm: "m" });
sse("sse2", P66, 0x117, "movhpd Mq,Vq", { lane: "pd", m: 8, rm: "m", mem: "w" });
sse("sse2", P66, 0x128, "movapd Vpd,Wpd", { lane: "pd" });
sse("sse2", P66, 0x129, "movapd Wpd,Vpd", { lane: "pd", mem: "w" });
sse("sse2", P66, 0x12b, "movntpd Mpd,Vpd", { lane: "pd", rm: "m", mem: "w" });
sse("sse2", P66, 0x12e, "ucomisd Vsd,Wsd", { lane: "pd", m: 8 });
sse("sse2", P66, 0x12f, "comisd Vsd,Wsd", { lane: "pd", m: 8 });
sse("sse2", P66, 0x150, "movmskpd Gd,Upd", { lane: "pd", m: 0, dst: "g", sz: "dq" });
sse("sse2", P66, 0x1c6, "shufpd Vpd,Wpd,Ib", { lane: "pd" });
sse("sse2", PF2, 0x12a, "cvtsi2sd Vsd,Ey", { lane: "pd", m: 8, src: "g", sz: "dq" });
sse("sse2", PF2, 0x12c, "cvttsd2si Gy,Wsd", { lane: "pd", m: 8, dst: "g", sz: "dq" });
sse("sse2", PF2, 0x12d, "cvtsd2si Gy,Wsd", { lane: "pd", m: 8, dst: "g", sz: "dq" });
sse("sse2", P, 0x15a, "cvtps2pd Vpd,Wps", { lane: "ps", m: 8 });
sse("sse2", P66, 0x15a, "cvtpd2ps Vps,Wpd", { lane: "pd" });
sse("sse2", PF3, 0x15a, "cvtss2sd Vsd,Wss", { lane: "ps", m: 4 });
sse("sse2", PF2, 0x15a, "cvtsd2ss Vss,Wsd", { lane: "pd", m: 8 });
sse("sse2", P, 0x15b, "cvtdq2ps Vps,Wdq", { lane: "int" });
sse("sse2", P66, 0x15b, "cvtps2dq Vdq,Wps", { lane: "ps" });
sse("sse2", PF3, 0x15b, "cvttps2dq Vdq,Wps", { lane: "ps" });
sse("sse2", P66, 0x1e6, "cvttpd2dq Vdq,Wpd", { lane: "pd" });
sse("sse2", PF2, 0x1e6, "cvtpd2dq Vdq,Wpd", { lane: "pd" });
sse("sse2", PF3, 0x1e6, "cvtdq2pd Vpd,Wq", { lane: "int", m: 8 });
// SSE2 integer
sse("sse2int", P66, 0x16f, "movdqa Vdq,Wdq");
sse("sse2int", P66, 0x17f, "movdqa Wdq,Vdq", { mem: "w" });
sse("sse2int", PF3, 0x16f, "movdqu Vdq,Wdq", { a16: false });
sse("sse2int", PF3, 0x17f, "movdqu Wdq,Vdq", { a16: false, mem: "w" });
sse("sse2int", P66, 0x1e7, "movntdq Mdq,Vdq", { rm: "m", mem: "w" });
sse("sse2int", P66, 0x16e, "movd/movq Vy,Ey", { m: 4, src: "g", sz: "dq" });
sse("sse2int", P66, 0x17e, "movd/movq Ey,Vy", { m: 4, dst: "g", sz: "dq", mem: "w" });
sse("sse2int", PF3, 0x17e, "movq Vq,Wq", { m: 8 });
sse("sse2int", P66, 0x1d6, "movq Wq,Vq", { m: 8, mem: "w" });
sse("sse2int", P, 0x1c3, "movnti My,Gy", { m: 4, rm: "m", mem: "w", src: "g", sz: "dq" });
sse("sse2int", P66, 0x1d7, "pmovmskb Gd,Udq", { m: 0, dst: "g", sz: "dq" });
sse("sse2int", P66, 0x170, "pshufd Vdq,Wdq,Ib");
sse("sse2int", PF3, 0x170, "pshufhw Vdq,Wdq,Ib");
sse("sse2int", PF2, 0x170, "pshuflw Vdq,Wdq,Ib");
sse("sse2int", P66, 0x1c4, "pinsrw Vdq,Ry/Mw,Ib", { m: 2, src: "g", sz: "dq" });
sse("sse2int", P66, 0x1c5, "pextrw Gd,Udq,Ib", { m: 0, dst: "g", sz: "dq" });
for (const [ext, op, m] of [[2, 0x171, "psrlw"], [4, 0x171, "psraw"], [6, 0x171, "psllw"], [2, 0x172, "psrld"], [4, 0x172, "psrad"],
  [6, 0x172, "pslld"], [2, 0x173, "psrlq"], [3, 0x173, "psrldq"], [6, 0x173, "psllq"], [7, 0x173, "pslldq"]]) {
  F.push({ name: `${m} Udq,Ib`, family: "sse2int", op, pfx: P66, ext, sz: "n", rm: "r", mem: "r", msz: 0, kind: "sse",
    x: { lane: "int", a16: true, dst: "x", src: "x", shift: true }, undef: 0 });
}
const PINT = {
  0x60: "punpcklbw", 0x61: "punpcklwd", 0x62: "punpckldq", 0x63: "packsswb", 0x64: "pcmpgtb", 0x65: "pcmpgtw", 0x66: "pcmpgtd",
  0x67: "packuswb", 0x68: "punpckhbw", 0x69: "punpckhwd", 0x6a: "punpckhdq", 0x6b: "packssdw", 0x6c: "punpcklqdq", 0x6d: "punpckhqdq",
  0x74: "pcmpeqb", 0x75: "pcmpeqw", 0x76: "pcmpeqd", 0xd1: "psrlw", 0xd2: "psrld", 0xd3: "psrlq", 0xd4: "paddq", 0xd5: "pmullw",
  0xd8: "psubusb", 0xd9: "psubusw", 0xda: "pminub", 0xdb: "pand", 0xdc: "paddusb", 0xdd: "paddusw", 0xde: "pmaxub", 0xdf: "pandn",
  0xe0: "pavgb", 0xe1: "psraw", 0xe2: "psrad", 0xe3: "pavgw", 0xe4: "pmulhuw", 0xe5: "pmulhw", 0xe8: "psubsb", 0xe9: "psubsw",
  0xea: "pminsw", 0xeb: "por", 0xec: "paddsb", 0xed: "paddsw", 0xee: "pmaxsw", 0xef: "pxor", 0xf1: "psllw", 0xf2: "pslld",
  0xf3: "psllq", 0xf4: "pmuludq", 0xf5: "pmaddwd", 0xf6: "psadbw", 0xf8: "psubb", 0xf9: "psubw", 0xfa: "psubd", 0xfb: "psubq",
  0xfc: "paddb", 0xfd: "paddw", 0xfe: "paddd",
};
for (const [b, m] of Object.entries(PINT)) sse("sse2int", P66, 0x100 | Number(b), `${m} Vdq,Wdq`);

// ---- x87: each case is a short sequence (load operands, the instruction, store results
// and the status word) so results are compared through memory; see gen.ts x87 ----
// t: operand types: "m32" "m64" "m80" "i16" "i32" "i64" (memory), "st" (st(i) forms)
// Not generated: fisttp (DB /1, DD /1, DF /1 with memory) is SSE3, which the emulated CPUID
// does not offer, so the emulator raises #UD by design while this machine's CPU (which has
// SSE3) executes it: there is nothing to compare.
function x87(name, bytes, o = {}) {
  form({ name, family: "x87", op: bytes[0], kind: "x87", x: { bytes, ...o }, undef: o.undef ?? 0 });
}
const X87_ARITH = [["add", 0], ["mul", 1], ["sub", 4], ["subr", 5], ["div", 6], ["divr", 7]];
for (const [m, r] of X87_ARITH) {
  x87(`f${m} m32`, [0xd8, r << 3], { t: "m32", mod: "m", push: 1 });
  x87(`f${m} m64`, [0xdc, r << 3], { t: "m64", mod: "m", push: 1 });
  x87(`fi${m} m16`, [0xde, r << 3], { t: "i16", mod: "m", push: 1 });
  x87(`fi${m} m32`, [0xda, r << 3], { t: "i32", mod: "m", push: 1 });
  x87(`f${m} st0,st1`, [0xd8, 0xc0 | (r << 3) | 1], { push: 2 });
  x87(`f${m} st1,st0`, [0xdc, 0xc0 | ((r ^ (r >= 4 ? 1 : 0)) << 3) | 1], { push: 2 });
  x87(`f${m}p st1,st0`, [0xde, 0xc0 | ((r ^ (r >= 4 ? 1 : 0)) << 3) | 1], { push: 2 });
}
for (const [m, r, op] of [["fcom", 2, 0xd8], ["fcomp", 3, 0xd8]]) {
  x87(`${m} m32`, [op, r << 3], { t: "m32", mod: "m", push: 1 });
  x87(`${m} m64`, [0xdc, r << 3], { t: "m64", mod: "m", push: 1 });
  x87(`${m} st1`, [op, 0xc0 | (r << 3) | 1], { push: 2 });
}
x87("fcompp", [0xde, 0xd9], { push: 2 });
x87("fucom st1", [0xdd, 0xe1], { push: 2 });
x87("fucomp st1", [0xdd, 0xe9], { push: 2 });
x87("fucompp", [0xda, 0xe9], { push: 2 });
x87("fcomi st0,st1", [0xdb, 0xf1], { push: 2, flags: true });
x87("fucomi st0,st1", [0xdb, 0xe9], { push: 2, flags: true });
x87("fcomip st0,st1", [0xdf, 0xf1], { push: 2, flags: true });
x87("fucomip st0,st1", [0xdf, 0xe9], { push: 2, flags: true });
x87("ftst", [0xd9, 0xe4], { push: 1 });
x87("fxam", [0xd9, 0xe5], { push: 1 });
for (const [m, b] of [["fchs", 0xe0], ["fabs", 0xe1], ["fsqrt", 0xfa], ["frndint", 0xfc], ["fxtract", 0xf4], ["fscale", 0xfd], ["fprem", 0xf8], ["fprem1", 0xf5]]) {
  x87(m, [0xd9, b], { push: m === "fscale" || m.startsWith("fprem") ? 2 : 1 });
}
for (const [m, b] of [["fld1", 0xe8], ["fldl2t", 0xe9], ["fldl2e", 0xea], ["fldpi", 0xeb], ["fldlg2", 0xec], ["fldln2", 0xed], ["fldz", 0xee]]) {
  x87(m, [0xd9, b], { push: 0 });
}
x87("fld m32", [0xd9, 0x00], { t: "m32", mod: "m", push: 0 });
x87("fld m64", [0xdd, 0x00], { t: "m64", mod: "m", push: 0 });
x87("fld m80", [0xdb, 0x28], { t: "m80", mod: "m", push: 0 });
x87("fild m16", [0xdf, 0x00], { t: "i16", mod: "m", push: 0 });
x87("fild m32", [0xdb, 0x00], { t: "i32", mod: "m", push: 0 });
x87("fild m64", [0xdf, 0x28], { t: "i64", mod: "m", push: 0 });
x87("fst m32", [0xd9, 0x10], { t: "m32", mod: "m", store: true, push: 1 });
x87("fstp m32", [0xd9, 0x18], { t: "m32", mod: "m", store: true, push: 1 });
x87("fst m64", [0xdd, 0x10], { t: "m64", mod: "m", store: true, push: 1 });
x87("fstp m64", [0xdd, 0x18], { t: "m64", mod: "m", store: true, push: 1 });
x87("fstp m80", [0xdb, 0x38], { t: "m80", mod: "m", store: true, push: 1 });
x87("fist m16", [0xdf, 0x10], { t: "i16", mod: "m", store: true, push: 1 });
x87("fistp m16", [0xdf, 0x18], { t: "i16", mod: "m", store: true, push: 1 });
x87("fist m32", [0xdb, 0x10], { t: "i32", mod: "m", store: true, push: 1 });
x87("fistp m32", [0xdb, 0x18], { t: "i32", mod: "m", store: true, push: 1 });
x87("fistp m64", [0xdf, 0x38], { t: "i64", mod: "m", store: true, push: 1 });
x87("fxch st1", [0xd9, 0xc9], { push: 2 });
x87("fst st1", [0xdd, 0xd1], { push: 2 });
x87("fstp st1", [0xdd, 0xd9], { push: 2 });
x87("fld st1", [0xd9, 0xc1], { push: 2 });
x87("ffree st1", [0xdd, 0xc1], { push: 2 });
x87("fincstp", [0xd9, 0xf7], { push: 1 });
x87("fdecstp", [0xd9, 0xf6], { push: 1 });
x87("fnclex", [0xdb, 0xe2], { push: 1 });
x87("fnstsw ax", [0xdf, 0xe0], { push: 1 });
x87("fnstcw m16", [0xd9, 0x38], { t: "i16", mod: "m", store: true, push: 0 });
for (const [m, op, r] of [["fcmovb", 0xda, 0], ["fcmove", 0xda, 1], ["fcmovbe", 0xda, 2], ["fcmovu", 0xda, 3],
  ["fcmovnb", 0xdb, 0], ["fcmovne", 0xdb, 1], ["fcmovnbe", 0xdb, 2], ["fcmovnu", 0xdb, 3]]) {
  x87(`${m} st0,st1`, [op, 0xc0 | (r << 3) | 1], { push: 2, flagsIn: true });
}
x87("fwait", [0x9b], { push: 1 });
x87("fninit", [0xdb, 0xe3], { push: 1 });

export const FORMS = F;

/** Family names in table order. */
export const FAMILIES = [...new Set(F.map((f) => f.family))];

const seen = new Set();
for (const f of F) {
  if (seen.has(f.name)) throw new Error(`x86-forms: duplicate form name ${f.name}`);
  seen.add(f.name);
  const a = decodeAttr(f.op);
  const hasModrm = "mbzfF".includes(a);
  if (f.kind !== "x87" && f.kind !== "invalid" && (f.rm !== undefined) !== hasModrm) {
    throw new Error(`x86-forms: ${f.name}: ModRM use disagrees with tables/x86-decode.mjs ('${a}')`);
  }
}
