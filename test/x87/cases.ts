// The x87 test sequences: each is Intel-syntax assembly run with rdi pointing at a data
// window whose initial bytes are given. Most read their operands from the window, compute,
// and store results and status words back into it; gen.ts records what the real processor
// leaves there (and its x87 state), test/x87.test.ts checks the emulator against that.
//
// Window layout used by the generated cases:
//   0x00 u16 control word     0x10 A (m80)   0x20 B (m80)
//   0x40 m64   0x48 m32   0x4c m32 int   0x50 m16 int   0x58 m64 int   0x60 m80 (BCD)
//   0x80.. results
export interface Case {
  name: string;
  asm: string;
  data: Uint8Array;
  /** Transcendental results: allowed distance in units of the last place (not bit-exact). */
  ulps?: number;
}

// ---- deterministic random numbers ----
let seed = 0x9e3779b97f4a7c15n;
function rnd64(): bigint {
  seed ^= seed << 13n;
  seed &= (1n << 64n) - 1n;
  seed ^= seed >> 7n;
  seed ^= seed << 17n;
  seed &= (1n << 64n) - 1n;
  return seed;
}
function rnd(n: number): number {
  return Number(rnd64() % BigInt(n));
}
function pick<T>(a: readonly T[]): T {
  return a[rnd(a.length)]!;
}

// ---- values ----
type F80 = [number, bigint]; // sign/exponent, significand
const T = 1n << 63n;

const SPECIAL: F80[] = [
  [0x0000, 0n], [0x8000, 0n],
  [0x3fff, T], [0xbfff, T], [0x3fff, 0xc000000000000000n], [0xc000, 0xa000000000000000n],
  [0x3ffe, 0xffffffffffffffffn], [0x3fff, 0x8000000000000001n], [0x3ffd, 0xaaaaaaaaaaaaaaabn],
  [0x0001, T], [0x8001, T], [0x0001, 0xffffffffffffffffn],
  [0x7ffe, 0xffffffffffffffffn], [0xfffe, 0xffffffffffffffffn], [0x7ffe, T],
  [0x0000, 1n], [0x0000, 0x7fffffffffffffffn], [0x8000, 0x4000000000000000n], [0x0000, 0x0000000012345678n],
  [0x0000, T], [0x8000, 0x8000000000000123n],
  [0x7fff, T], [0xffff, T],
  [0x7fff, 0xc000000000000000n], [0xffff, 0xc000000000001234n], [0x7fff, 0xc000000000000001n],
  [0x7fff, 0x8000000000000001n], [0xffff, 0xa000000000000000n],
  [0x7fff, 0n], [0x7fff, 0x4000000000000000n], [0x1234, 0x123456789abcdefn], [0x8001, 0x4000000000000000n],
  [0x403e, T], [0xc03e, T], [0x401e, 0xfffffffe00000000n], [0x400e, 0xfffe000000000000n],
];

function randSig(): bigint {
  switch (rnd(6)) {
    case 0: return T | (rnd64() & 0xffffff0000000000n); // exact in single
    case 1: return T | (rnd64() & 0xfffffffffffff800n); // exact in double
    case 2: return T | (rnd64() | 0x7ff0000000000000n); // many ones
    case 3: return T | (rnd64() & 0x0000000000000fffn);
    default: return T | rnd64();
  }
}

// A normal value with exponent near `around`.
function normal(around: number, spread: number): F80 {
  const e = Math.max(1, Math.min(0x7ffe, around + rnd(2 * spread + 1) - spread));
  return [e | (rnd(2) << 15), randSig()];
}

function randomValue(): F80 {
  switch (rnd(10)) {
    case 0: case 1: return pick(SPECIAL);
    case 2: return normal(0x0001 + 40, 60); // near the denormal range
    case 3: return normal(0x7ffe - 40, 60); // near overflow
    case 4: return [rnd(2) << 15, rnd64() >> BigInt(rnd(64))]; // denormal
    default: return normal(0x3fff, 70);
  }
}

// ---- encoders ----
function f80(v: F80): number[] {
  const b: number[] = [];
  for (let i = 0n; i < 8n; i++) b.push(Number((v[1] >> (8n * i)) & 0xffn));
  b.push(v[0] & 0xff, (v[0] >> 8) & 0xff);
  return b;
}
function le(v: bigint, n: number): number[] {
  const b: number[] = [];
  for (let i = 0; i < n; i++) b.push(Number((v >> BigInt(8 * i)) & 0xffn));
  return b;
}
function window(parts: Record<number, number[]>): Uint8Array {
  const w = new Uint8Array(0x100);
  for (const [off, bytes] of Object.entries(parts)) w.set(bytes, Number(off));
  return w;
}

const MASKED_CW = [0x037f, 0x007f, 0x027f, 0x077f, 0x0b7f, 0x0f7f, 0x047f, 0x0e7f, 0x087f, 0x037f, 0x037f];
function randomCw(): number {
  const cw = pick(MASKED_CW);
  if (rnd(4) != 0) return cw;
  // One or two exceptions unmasked: the instruction's unmasked response, then #MF at the next.
  return cw & ~(1 << rnd(6)) & (rnd(3) == 0 ? ~(1 << rnd(6)) : 0xffff);
}

const SINGLES: bigint[] = [
  0n, 0x80000000n, 0x3f800000n, 0xbfc00000n, 0x00000001n, 0x807fffffn, 0x00800000n, 0x7f7fffffn,
  0x7f800000n, 0xff800000n, 0x7fc00000n, 0x7fc00123n, 0x7f800001n, 0xffa00000n, 0x3eaaaaabn,
];
const DOUBLES: bigint[] = [
  0n, 0x8000000000000000n, 0x3ff0000000000000n, 0xbff8000000000000n, 0x0000000000000001n,
  0x800fffffffffffffn, 0x0010000000000000n, 0x7fefffffffffffffn, 0x7ff0000000000000n,
  0xfff0000000000000n, 0x7ff8000000000000n, 0x7ff8000000000123n, 0x7ff0000000000001n,
  0xfff4000000000000n, 0x3fd5555555555555n,
];
function randomSingle(): bigint {
  return rnd(3) == 0 ? pick(SINGLES) : rnd64() & 0xffffffffn;
}
function randomDouble(): bigint {
  return rnd(3) == 0 ? pick(DOUBLES) : rnd64();
}
function randomInt(bits: number): bigint {
  const edge = [0n, 1n, -1n, (1n << BigInt(bits - 1)) - 1n, -(1n << BigInt(bits - 1))];
  const v = rnd(3) == 0 ? pick(edge) : rnd64() >> BigInt(rnd(bits));
  return BigInt.asUintN(bits, v);
}

const PRE = "fninit; fldcw [rdi]";
const FLAGS = "pushfq; pop rax; and eax, 0x8d5; mov [rdi+0x88], eax";
const SET_FLAGS = "mov eax, 0x8d5; push rax; popfq";

// Two operands: A in ST(1), B in ST(0); results: FSW at 0x80, ST(0) at 0x90, ST(1) at 0xa0.
function twoOp(name: string, op: string, cw: number, a: F80, b: F80): Case {
  return {
    name,
    asm: `${PRE}; fld tbyte ptr [rdi+0x10]; fld tbyte ptr [rdi+0x20]; ${op}; fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]; fstp tbyte ptr [rdi+0xa0]`,
    data: window({ 0: le(BigInt(cw), 2), 0x10: f80(a), 0x20: f80(b) }),
  };
}

function oneOp(name: string, op: string, cw: number, a: F80): Case {
  return {
    name,
    asm: `${PRE}; fld tbyte ptr [rdi+0x10]; ${op}; fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]; fstp tbyte ptr [rdi+0xa0]`,
    data: window({ 0: le(BigInt(cw), 2), 0x10: f80(a) }),
  };
}

const ARITH = ["fadd", "fmul", "fsub", "fsubr", "fdiv", "fdivr"];

function arithmetic(out: Case[]): void {
  for (let n = 0; n < 600; n++) {
    const op = pick(ARITH);
    const form = pick(["st, st(1)", "st(1), st", "p st(1), st"]);
    const text = form.startsWith("p") ? `${op}p ${form.slice(2)}` : `${op} ${form}`;
    let a = randomValue(), b = randomValue();
    if (rnd(3) == 0) b = normal(a[0] & 0x7fff, 3); // close exponents: cancellation, rounding
    out.push(twoOp(`${text} #${n}`, text, randomCw(), a, b));
  }
  // Memory operands.
  for (let n = 0; n < 300; n++) {
    const op = pick(ARITH);
    const kind = rnd(4);
    const a = randomValue();
    const cw = randomCw();
    let text: string;
    const parts: Record<number, number[]> = { 0: le(BigInt(cw), 2), 0x10: f80(a) };
    if (kind == 0) {
      text = `${op} dword ptr [rdi+0x48]`;
      parts[0x48] = le(randomSingle(), 4);
    } else if (kind == 1) {
      text = `${op} qword ptr [rdi+0x40]`;
      parts[0x40] = le(randomDouble(), 8);
    } else if (kind == 2) {
      text = `fi${op.slice(1)} dword ptr [rdi+0x4c]`;
      parts[0x4c] = le(randomInt(32), 4);
    } else {
      text = `fi${op.slice(1)} word ptr [rdi+0x50]`;
      parts[0x50] = le(randomInt(16), 2);
    }
    out.push({
      name: `${text} #${n}`,
      asm: `${PRE}; fld tbyte ptr [rdi+0x10]; ${text}; fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]`,
      data: window(parts),
    });
  }
  // Precision control and rounding on exact-ish products and quotients.
  for (let n = 0; n < 120; n++) {
    const op = pick(ARITH);
    const cw = pick(MASKED_CW);
    out.push(twoOp(`pc/rc ${op} #${n}`, `${op}p st(1), st`, cw, normal(0x3fff, 2), normal(0x3fff, 2)));
  }
}

function unary(out: Case[]): void {
  const ops = ["fsqrt", "frndint", "fchs", "fabs", "fxtract", "ftst", "fxam"];
  for (const op of ops) {
    for (const v of SPECIAL) out.push(oneOp(`${op} special`, op, 0x037f, v));
    for (let n = 0; n < 40; n++) out.push(oneOp(`${op} #${n}`, op, randomCw(), randomValue()));
  }
  for (let n = 0; n < 60; n++) out.push(oneOp(`frndint near int #${n}`, "frndint", pick(MASKED_CW), normal(0x3fff + 20, 25)));
  for (const op of ["fscale", "fprem", "fprem1"]) {
    for (let n = 0; n < 100; n++) {
      const a = randomValue();
      let b = randomValue();
      if (op == "fscale" && rnd(2) == 0) b = normal(0x3fff + 3, 12);
      if (op != "fscale" && rnd(2) == 0) b = normal((a[0] & 0x7fff) - rnd(140), 2);
      out.push(twoOp(`${op} #${n}`, `fxch; ${op}`, randomCw(), a, b));
    }
  }
  // Transcendental instructions: results may differ from the reference by one ulp.
  for (const op of ["fsin", "fcos", "fsincos", "fptan", "f2xm1"]) {
    for (const v of SPECIAL) out.push({ ...oneOp(`${op} special`, op, 0x037f, v), ulps: 1 });
    for (let n = 0; n < 60; n++) {
      let v: F80;
      if (op == "f2xm1") v = n < 45 ? normal(0x3fff - 2, 8) : randomValue();
      else v = n < 30 ? normal(0x3fff, 6) : n < 45 ? normal(0x3fff + 30, 32) : randomValue();
      if (op == "f2xm1" && (v[0] & 0x7fff) >= 0x3fff) v = [v[0] & 0x8000 | 0x3ffe, v[1]];
      out.push({ ...oneOp(`${op} #${n}`, op, pick(MASKED_CW), v), ulps: 1 });
    }
  }
  for (const op of ["fpatan", "fyl2x", "fyl2xp1"]) {
    for (let n = 0; n < 80; n++) {
      let y = randomValue(), x = randomValue();
      if (n < 50) {
        y = normal(0x3fff, 20);
        x = op == "fyl2xp1" ? normal(0x3ffd - 4, 5) : op == "fyl2x" ? [normal(0x3fff, 400)[0] & 0x7fff, randSig()] : normal(0x3fff, 20);
        if (op == "fyl2xp1" && (x[0] & 0x7fff) > 0x3ffc) x = [(x[0] & 0x8000) | 0x3ffc, x[1]];
      }
      out.push({ ...twoOp(`${op} #${n}`, op, pick(MASKED_CW), y, x), ulps: 1 });
    }
    for (const y of [SPECIAL[1]!, SPECIAL[2]!, SPECIAL[15]!, SPECIAL[22]!, SPECIAL[23]!]) {
      for (const x of SPECIAL) out.push({ ...twoOp(`${op} special`, op, 0x037f, y, x), ulps: 1 });
    }
  }
  // Constants under each rounding mode, and stack overflow.
  for (const k of ["fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz"]) {
    for (const rc of [0, 1, 2, 3]) {
      out.push({
        name: `${k} rc${rc}`,
        asm: `${PRE}; ${k}; fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]`,
        data: window({ 0: le(BigInt(0x37f | (rc << 10)), 2) }),
      });
    }
  }
}

function compares(out: Case[]): void {
  const regOps = ["fcom st(1)", "fcomp st(1)", "fcompp", "fucom st(1)", "fucomp st(1)", "fucompp"];
  const eflOps = ["fcomi st, st(1)", "fcomip st, st(1)", "fucomi st, st(1)", "fucomip st, st(1)"];
  for (let n = 0; n < 200; n++) {
    const useEfl = rnd(2) == 0;
    const op = useEfl ? pick(eflOps) : pick(regOps);
    const a = randomValue();
    const b = rnd(4) == 0 ? a : rnd(3) == 0 ? ([a[0] ^ 0x8000, a[1]] as F80) : randomValue();
    const cw = rnd(3) == 0 ? 0x037e : rnd(4) == 0 ? 0x037d : 0x037f;
    out.push({
      name: `${op} #${n}`,
      asm: `${PRE}; fld tbyte ptr [rdi+0x10]; fld tbyte ptr [rdi+0x20]; ${SET_FLAGS}; ${op}; ${FLAGS}; fnstsw [rdi+0x80]; fnclex; fstp tbyte ptr [rdi+0x90]`,
      data: window({ 0: le(BigInt(cw), 2), 0x10: f80(a), 0x20: f80(b) }),
    });
  }
  for (let n = 0; n < 80; n++) {
    const kind = rnd(4);
    const op = ["fcom", "fcomp", "ficom", "ficomp"][rnd(4)]!;
    const mem = op.startsWith("fi") ? (kind & 1 ? "word ptr [rdi+0x50]" : "dword ptr [rdi+0x4c]") : kind & 1 ? "qword ptr [rdi+0x40]" : "dword ptr [rdi+0x48]";
    out.push({
      name: `${op} mem #${n}`,
      asm: `${PRE}; fld tbyte ptr [rdi+0x10]; ${op} ${mem}; fnstsw [rdi+0x80]; fnclex; fstp tbyte ptr [rdi+0x90]`,
      data: window({
        0: le(BigInt(rnd(3) == 0 ? 0x37e : 0x37f), 2), 0x10: f80(rnd(3) == 0 ? normal(0x3fff + 10, 10) : randomValue()),
        0x40: le(randomDouble(), 8), 0x48: le(randomSingle(), 4), 0x4c: le(randomInt(32), 4), 0x50: le(randomInt(16), 2),
      }),
    });
  }
  // Empty operands.
  for (const op of [...regOps, ...eflOps, "ftst", "fxam", "fcom dword ptr [rdi+0x48]", "ficomp word ptr [rdi+0x50]"]) {
    for (const cw of [0x037f, 0x037e]) {
      out.push({
        name: `${op} empty cw ${cw.toString(16)}`,
        asm: `${PRE}; fld tbyte ptr [rdi+0x10]; fincstp; ${SET_FLAGS}; ${op}; ${FLAGS}; fnstsw [rdi+0x80]`,
        data: window({ 0: le(BigInt(cw), 2), 0x10: f80([0x3fff, T]) }),
      });
    }
  }
}

function loadsAndStores(out: Case[]): void {
  for (let n = 0; n < 60; n++) {
    const s = n < SINGLES.length ? SINGLES[n]! : randomSingle();
    const d = n < DOUBLES.length ? DOUBLES[n]! : randomDouble();
    const cw = randomCw();
    out.push({
      name: `fld m32/m64 #${n}`,
      asm: `${PRE}; fld dword ptr [rdi+0x48]; fnstsw [rdi+0x80]; fld qword ptr [rdi+0x40]; fnstsw [rdi+0x82]; fstp tbyte ptr [rdi+0x90]; fstp tbyte ptr [rdi+0xa0]`,
      data: window({ 0: le(BigInt(cw), 2), 0x40: le(d, 8), 0x48: le(s, 4) }),
    });
  }
  for (let n = 0; n < 40; n++) {
    out.push({
      name: `fild #${n}`,
      asm: `${PRE}; fild word ptr [rdi+0x50]; fild dword ptr [rdi+0x4c]; fild qword ptr [rdi+0x58]; fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]; fstp tbyte ptr [rdi+0xa0]; fstp tbyte ptr [rdi+0xb0]`,
      data: window({ 0: le(0x37fn, 2), 0x4c: le(randomInt(32), 4), 0x50: le(randomInt(16), 2), 0x58: le(randomInt(64), 8) }),
    });
  }
  const stores = [
    "fst dword ptr [rdi+0x90]", "fstp dword ptr [rdi+0x90]", "fst qword ptr [rdi+0x90]", "fstp qword ptr [rdi+0x90]",
    "fstp tbyte ptr [rdi+0x90]", "fist word ptr [rdi+0x90]", "fistp word ptr [rdi+0x90]", "fist dword ptr [rdi+0x90]",
    "fistp dword ptr [rdi+0x90]", "fistp qword ptr [rdi+0x90]", "fbstp tbyte ptr [rdi+0x90]",
  ];
  for (const st of stores) {
    const isInt = st.startsWith("fi") || st.startsWith("fb");
    for (let n = 0; n < 45; n++) {
      let v: F80;
      if (n < 10) v = pick(SPECIAL);
      else if (isInt) v = normal(0x3fff + (st.includes("word ") ? 14 : st.includes("dword") ? 30 : st.includes("fb") ? 58 : 62), 12);
      else if (st.includes("dword")) v = normal(pick([0x3fff, 0x3fff - 126, 0x3fff + 127, 0x3fff - 140]), 12);
      else v = normal(pick([0x3fff, 0x3fff - 1022, 0x3fff + 1023, 0x3fff - 1060]), 12);
      out.push({
        name: `${st} #${n}`,
        asm: `${PRE}; fld tbyte ptr [rdi+0x10]; ${st}; fnstsw [rdi+0x80]`,
        data: window({ 0: le(BigInt(randomCw()), 2), 0x10: f80(v) }),
      });
    }
    for (const cw of [0x037f, 0x037e]) {
      out.push({ name: `${st} empty ${cw.toString(16)}`, asm: `${PRE}; ${st}; fnstsw [rdi+0x80]`, data: window({ 0: le(BigInt(cw), 2) }) });
    }
  }
  for (let n = 0; n < 30; n++) {
    const digits = Array.from({ length: 9 }, () => rnd(n < 25 ? 100 : 256));
    const bcd = digits.map((d) => (n < 25 ? (Math.floor(d / 10) << 4) | (d % 10) : d));
    out.push({
      name: `fbld #${n}`,
      asm: `${PRE}; fbld tbyte ptr [rdi+0x60]; fnstsw [rdi+0x80]; fld st(0); fstp tbyte ptr [rdi+0x90]; fbstp tbyte ptr [rdi+0xa0]`,
      data: window({ 0: le(0x37fn, 2), 0x60: [...bcd, rnd(2) ? 0x80 : 0] }),
    });
  }
}

function stack(out: Case[]): void {
  const eight = "fld1; fldz; fldpi; fld1; fldz; fldl2e; fld1; fldln2";
  const pushes = ["fld1", "fld st(3)", "fld dword ptr [rdi+0x48]", "fld tbyte ptr [rdi+0x10]", "fild word ptr [rdi+0x50]", "fbld tbyte ptr [rdi+0x60]", "fxtract", "fdecstp", "fsincos", "fptan"];
  for (const op of pushes) {
    for (const cw of [0x037f, 0x037e]) {
      out.push({ name: `overflow ${op} ${cw.toString(16)}`, asm: `${PRE}; ${eight}; ${op}; fnstsw [rdi+0x80]`, data: window({ 0: le(BigInt(cw), 2), 0x10: f80([0x3fff, T]), 0x48: le(0x3f800000n, 4) }) });
    }
  }
  const underflows = [
    "fadd st, st(1)", "faddp st(1), st", "fmul st(3), st", "fsqrt", "fchs", "fabs", "frndint", "fscale", "fprem",
    "fxch st(2)", "fxch st(1)", "fld st(5)", "fst st(2)", "fstp st(2)", "fcmovb st, st(1)", "fcmovnb st, st(1)",
    "fcmove st, st(2)", "fadd dword ptr [rdi+0x48]", "fisub word ptr [rdi+0x50]", "fxtract", "ffree st(1)", "ffreep st(0)",
    "fincstp", "fdecstp", "fnop", "fsin", "fcos", "fsincos", "fptan", "fpatan", "f2xm1", "fyl2x", "fyl2xp1", "fprem1",
  ];
  for (const op of underflows) {
    for (const cw of [0x037f, 0x037e]) {
      // ST(0) valid, ST(1) empty; and both empty.
      out.push({ name: `underflow ${op} one ${cw.toString(16)}`, asm: `${PRE}; fld tbyte ptr [rdi+0x10]; stc; ${op}; fnstsw [rdi+0x80]`, data: window({ 0: le(BigInt(cw), 2), 0x10: f80([0xc000, 0xa000000000000000n]), 0x48: le(0x3f800000n, 4), 0x50: le(3n, 2) }) });
      out.push({ name: `underflow ${op} none ${cw.toString(16)}`, asm: `${PRE}; clc; ${op}; fnstsw [rdi+0x80]`, data: window({ 0: le(BigInt(cw), 2), 0x48: le(0x3f800000n, 4), 0x50: le(3n, 2) }) });
    }
  }
  const fcmovs = ["fcmovb", "fcmove", "fcmovbe", "fcmovu", "fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu"];
  for (const op of fcmovs) {
    for (const fl of [0x00, 0x01, 0x04, 0x40, 0x41, 0x45]) {
      out.push({
        name: `${op} flags ${fl}`,
        asm: `${PRE}; fld1; fldpi; fldz; mov eax, ${fl}; push rax; popfq; ${op} st, st(2); fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]`,
        data: window({ 0: le(0x37fn, 2) }),
      });
    }
  }
  out.push({ name: "fxch chain", asm: `${PRE}; fld1; fldpi; fldz; fxch st(2); fxch; fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]; fstp tbyte ptr [rdi+0xa0]`, data: window({ 0: le(0x37fn, 2) }) });
  out.push({ name: "ffree/fincstp", asm: `${PRE}; fld1; fldpi; ffree st(0); fincstp; fdecstp; fdecstp; fnstsw [rdi+0x80]; fstp tbyte ptr [rdi+0x90]`, data: window({ 0: le(0x37fn, 2) }) });
  out.push({ name: "emms", asm: `${PRE}; fld1; fldpi; emms; fnstsw [rdi+0x80]; fnstenv [rdi+0x90]`, data: window({ 0: le(0x37fn, 2) }) });
}

function environment(out: Case[]): void {
  const env32 = (cw: number, sw: number, tw: number) => [
    ...le(0xffff0000n | BigInt(cw), 4), ...le(0xffff0000n | BigInt(sw), 4), ...le(0xffff0000n | BigInt(tw), 4),
    ...le(0x12345678n, 4), ...le(0x07ff1234n, 4), ...le(0x9abcdef0n, 4), ...le(0xffffabcdn, 4),
  ];
  for (const [cw, sw, tw] of [[0x37f, 0x3000, 0x0fff], [0x37e, 0x0001, 0xffff], [0x37f, 0x8081, 0xffff], [0xffff, 0x4700, 0x5555], [0x0000, 0x3800, 0xafff], [0x0c7f, 0x1234, 0x1e3c]]) {
    out.push({ name: `fldenv ${cw} ${sw} ${tw}`, asm: `fninit; fld1; fldz; fldpi; fldenv [rdi+0x10]; fnstenv [rdi+0x80]; fnstsw [rdi+0xa0]; fnstcw [rdi+0xa2]`, data: window({ 0x10: env32(cw!, sw!, tw!) }) });
    out.push({ name: `frstor ${cw} ${sw} ${tw}`, asm: `fninit; frstor [rdi+0x10]; fnsave [rdi+0x80]; fnstenv [rdi+0xe0]`, data: window({ 0x10: [...env32(cw!, sw!, tw!), ...Array.from({ length: 80 }, (_, i) => (i * 37 + 11) & 0xff)] }) });
  }
  out.push({ name: "fldenv 16", asm: `fninit; data16 fldenv [rdi+0x10]; fnstenv [rdi+0x80]; data16 fnstenv [rdi+0xa0]`, data: window({ 0x10: le(0xdef09abc56781234fff343210f7fn, 14) }) });
  out.push({ name: "fnsave 16 / frstor 16", asm: `fninit; fld1; fldpi; fld dword ptr [rdi+0x48]; data16 fnsave [rdi+0x80]; data16 frstor [rdi+0x80]; fnstenv [rdi+0xe0]`, data: window({ 0x48: le(0x3f800000n, 4) }) });
  out.push({ name: "fnstenv pointers", asm: `fninit; nop; fld dword ptr [rdi+0x48]; fnop; fnstenv [rdi+0x80]; fadd qword ptr [rdi+0x40]; fxch; fnstenv [rdi+0xa0]; fnstcw [rdi+0xc0]; fnclex; fnstenv [rdi+0xd0]`, data: window({ 0x48: le(0x3f800000n, 4) }) });
  out.push({ name: "fnstenv after stack operand", asm: `fninit; push rbp; mov rsi, rsp; lea rsp, [rdi+0x48]; fld dword ptr [rsp]; mov rsp, rsi; fnstenv [rdi+0x80]; xor ebp, ebp; fld dword ptr [rbp+rdi+0x48]; pop rbp; fnstenv [rdi+0xa0]`, data: window({ 0x48: le(0x3f800000n, 4) }) });
  out.push({ name: "fnstenv masks", asm: `fninit; fldcw [rdi]; fld1; fldz; fdivp st(1), st; fnstenv [rdi+0x80]; fnstsw [rdi+0xa0]; fld1; fnstsw [rdi+0xa2]`, data: window({ 0: le(0x37bn, 2) }) });
  // Prefixes: REX and 0x66 change nothing outside the environment instructions, 0x67 narrows
  // the operand offset (FDP), LOCK is undefined.
  for (const [n, code] of [
    ["rex", "fninit; rex64 fld1; .byte 0x48, 0xd9, 0x47, 0x48; fnstenv [rdi+0x80]; fstp tbyte ptr [rdi+0xa0]"],
    ["data16", "fninit; data16 fld dword ptr [rdi+0x48]; .byte 0x66, 0xd9, 0xe8; fnstenv [rdi+0x80]; fstp tbyte ptr [rdi+0xa0]"],
    ["addr32", "fninit; addr32 fld dword ptr [edi+0x48]; fnstenv [rdi+0x80]; fstp tbyte ptr [rdi+0xa0]"],
    ["rip-relative", "fninit; fld dword ptr [rip+0]; fnstenv [rdi+0x80]; fstp tbyte ptr [rdi+0xa0]"],
    ["lock", "fninit; fld1; .byte 0xf0, 0xd9, 0xe8"],
    ["lock emms", "fninit; fld1; .byte 0xf0, 0x0f, 0x77"],
    ["fs prefix", "fninit; .byte 0x64; fld1; fnstenv [rdi+0x80]"],
  ]) {
    out.push({ name: `prefix ${n}`, asm: code!, data: window({ 0x48: le(0x3f800000n, 4) }) });
  }
  out.push({ name: "fldcw reserved bits", asm: `fninit; fldcw [rdi]; fnstcw [rdi+0x80]; fnstsw ax; mov [rdi+0x82], ax`, data: window({ 0: le(0xffffn, 2) }) });
  out.push({ name: "fnclex/fninit", asm: `fninit; fldcw [rdi]; fld1; fldz; fdivp st(1), st; fnclex; fnstsw [rdi+0x80]; fld1; fninit; fnstsw [rdi+0x82]; fnstcw [rdi+0x84]; fnstenv [rdi+0x90]`, data: window({ 0: le(0x37bn, 2) }) });
  // The x87 part of fxsave/fxrstor (the XMM registers are cleared first: the reference's
  // hold whatever the C runtime left there).
  const clearXmm = Array.from({ length: 16 }, (_, i) => `xorps xmm${i}, xmm${i}`).join("; ");
  const img = [...le(0xffffn, 2), ...le(0x0001n, 2), 0x5a, 0, ...le(0xffffn, 2), ...le(0x1111111122222222n, 8), ...le(0x3333333344444444n, 8), ...le(0x1f80n, 4), ...le(0n, 4),
    ...Array.from({ length: 128 }, (_, i) => (i * 29 + 5) & 0xff)];
  for (const save of ["fxsave", "fxsave64"]) {
    out.push({ name: `${save} pending`, asm: `${clearXmm}; fninit; fldcw [rdi]; fld dword ptr [rdi+0x48]; fld1; fldz; fdivp st(1), st; ${save} [rdi+0x200]`, data: window({ 0: le(0x37bn, 2), 0x48: le(0x3f800000n, 4) }) });
    out.push({ name: `${save} quiet`, asm: `${clearXmm}; fninit; fld dword ptr [rdi+0x48]; fldpi; fdiv st, st(1); ${save} [rdi+0x200]`, data: window({ 0x48: le(0x3f800000n, 4) }) });
  }
  for (const rstor of ["fxrstor", "fxrstor64"]) {
    const d = new Uint8Array(0x400);
    d.set(img, 0x200);
    out.push({ name: `${rstor} image`, asm: `fninit; fld1; ${rstor} [rdi+0x200]; fnstenv [rdi+0x80]; fnsave [rdi+0xa0]`, data: d });
  }
  // Pending unmasked exceptions: which instructions wait for them.
  const pre = "fninit; fldcw [rdi]; fld1; fldz; fdivp st(1), st; nop";
  for (const op of ["fnstsw ax", "fnstsw [rdi+0x90]", "fnstcw [rdi+0x90]", "fnclex", "fninit", "fnstenv [rdi+0x90]", "fnsave [rdi+0x90]", "fldcw [rdi]", "fldenv [rdi+0x10]", "frstor [rdi+0x10]", "fld1", "fnop", "ffree st(3)", "fincstp", "fxch", "fstp st(0)", "emms", ".byte 0xdb, 0xe0", ".byte 0xdb, 0xe1", ".byte 0xdb, 0xe4", "fst dword ptr [rdi+0x90]", "fcom"]) {
    out.push({ name: `pending then ${op}`, asm: `${pre}; ${op}; fnstsw [rdi+0x80]`, data: window({ 0: le(0x37bn, 2), 0x10: env32(0x37f, 0, 0xffff) }) });
  }
  // Undefined encodings (fisttp, DF/DB/DD /1, is left out: the reference has SSE3, the
  // emulated CPU does not offer it and raises #UD).
  for (const b of ["d9d1", "d9e2", "d9e7", "d9ef", "dae0", "dae8", "dbe5", "dbf8", "ddf0", "ddf8", "ded8", "dfe1", "dff8", "d908", "db20", "db30", "dd28"]) {
    out.push({ name: `undefined ${b}`, asm: `fninit; fld1; .byte 0x${b.slice(0, 2)}, 0x${b.slice(2)}`, data: window({}) });
  }
  // Faulting memory operands leave everything unchanged (0x10002000 is not mapped).
  for (const op of ["fld dword ptr [rdi+0x1ffe]", "fstp qword ptr [rdi+0x1ffc]", "fstp tbyte ptr [rdi+0x1ff8]", "fnstenv [rdi+0x1ff0]", "fnsave [rdi+0x1fa0]", "frstor [rdi+0x1fa0]", "fldenv [rdi+0x1ff0]", "fiadd dword ptr [rdi+0x1ffe]", "fistp qword ptr [rdi+0x1ffc]", "fbstp tbyte ptr [rdi+0x1ff8]", "fnstcw [rdi+0x1fff]"]) {
    out.push({ name: `fault ${op}`, asm: `${PRE}; fld1; fldpi; fdiv st, st(1); ${op}`, data: window({ 0: le(0x37fn, 2) }) });
  }
}

export function cases(): Case[] {
  const out: Case[] = [];
  arithmetic(out);
  unary(out);
  compares(out);
  loadsAndStores(out);
  stack(out);
  environment(out);
  return out;
}
