// SSE/SSE2 on the xenwasm CPU: hand-picked cases (NaN, infinity, denormal, rounding and
// exception cases included). Every expected result was recorded by running the same bytes
// from the same state on this machine's CPU (an AMD EPYC), so it is what hardware does.
// Each case runs one instruction at 0x20000000 followed by int3; rbx points at a two-page
// writable data window at 0x10000000, followed by an unmapped page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EmuCpu } from "./cpu/emu.ts";
import { VC_FPU_TS } from "../host/gen/abi.ts";

// XMM contents as little-endian hex (16 bytes; shorter lists are zero-filled).
const hexOf = (b: Buffer) => b.toString("hex");
const f32bits = (v: number | string) => {
  if (typeof v === "string") return parseInt(v, 16) >>> 0;
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return b.readUInt32LE();
};
const f64bits = (v: number | string) => {
  if (typeof v === "string") return BigInt("0x" + v);
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.readBigUInt64LE();
};
const u32h = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return hexOf(b); };
const u64h = (v: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt.asUintN(64, v)); return hexOf(b); };
/** binary32 lanes: numbers, or bit patterns as hex strings. */
const ps = (...v: (number | string)[]) => v.map((x) => u32h(f32bits(x))).join("").padEnd(32, "0");
/** binary64 lanes: numbers, or bit patterns as hex strings. */
const pd = (...v: (number | string)[]) => v.map((x) => u64h(f64bits(x))).join("").padEnd(32, "0");
const d32 = (...v: number[]) => v.map(u32h).join("").padEnd(32, "0");
const w16 = (...v: number[]) => v.map((x) => (x & 0xffff).toString(16).padStart(4, "0").replace(/(..)(..)/, "$2$1")).join("").padEnd(32, "0");
const b8 = (...v: number[]) => v.map((x) => (x & 0xff).toString(16).padStart(2, "0")).join("").padEnd(32, "0");
const FILL = "0123456789abcdeffedcba9876543210"; // recognisable contents for lanes that must survive
const MEM16 = "00112233445566778899aabbccddeeff";
// MXCSR
const MASKALL = 0x1f80, RN = 0, RD = 0x2000, RU = 0x4000, RZ = 0x6000, FTZ = 0x8000, DAZ = 0x40;
const IM = 0x80, DM = 0x100, ZM = 0x200, OM = 0x400, UM = 0x800, PM = 0x1000, MM = 0x20000;

type Regs = Record<number, string>;
interface In { x?: Regs; mx?: number; g?: Record<number, bigint>; m?: string }
interface Out { vec?: number; mx?: number; x?: Regs; g?: Record<number, bigint>; fl?: number; m?: [number, string] }
// [name, instruction bytes, input (xmm, mxcsr, gprs, data at rbx), expected changes]
type Case = [name: string, code: string, input: In, expect: Out];

const DATA = 0x10000000n;
const CODE = 0x20000000n;
const DATA_SIZE = 8192;
const ARITH = 0x8d5n;

const CASES: Case[] = [
  ["addss 1.5 + 2.25, upper lanes kept", "f30f58c1", { x: { 0: ps(1.5, 7, 8, 9), 1: ps(2.25, 1, 1, 1) } },
    { x: { 0: "000070400000e0400000004100001041" } }],
  ["addps lanes: exact, -0 + +0, inf + finite, QNaN + 1", "0f58c1", { x: { 0: ps(1, "80000000", "7f800000", "7fc12345"), 1: ps(2, 0, 5, 1) } },
    { x: { 0: "00004040000000000000807f4523c17f" } }],
  ["addps -0 + +0 rounding down gives -0", "0f58c1", { x: { 0: ps("80000000", 1), 1: ps(0, -1) }, mx: MASKALL | RD },
    { x: { 0: "00000080000000800000000000000000" } }],
  ["addsd +inf + -inf: default NaN, IE", "f20f58c1", { x: { 0: pd(Infinity, 3), 1: pd(-Infinity, 4) } },
    { mx: 0x1f81, x: { 0: "000000000000f8ff0000000000000840" } }],
  ["addss 1 + SNaN: quieted SNaN, IE", "f30f58c1", { x: { 0: ps(1), 1: ps("7f800001") } },
    { mx: 0x1f81, x: { 0: "0100c07f000000000000000000000000" } }],
  ["addss SNaN + QNaN: first operand quieted", "f30f58c1", { x: { 0: ps("ff812345"), 1: ps("7fc00001") } },
    { mx: 0x1f81, x: { 0: "4523c1ff000000000000000000000000" } }],
  ["addpd QNaN + QNaN: first operand", "660f58c1", { x: { 0: pd("7ff8000000000111", 1), 1: pd("fff8000000000222", "7ff0000000000001") } },
    { mx: 0x1f81, x: { 0: "110100000000f87f010000000000f87f" } }],
  ["addss 1 + 2^-30 RN: 1, PE", "f30f58c1", { x: { 0: ps(1), 1: ps(2 ** -30) }, mx: MASKALL | RN },
    { mx: 0x1fa0 }],
  ["addss 1 + 2^-30 RU: next up", "f30f58c1", { x: { 0: ps(1), 1: ps(2 ** -30) }, mx: MASKALL | RU },
    { mx: 0x5fa0, x: { 0: "0100803f000000000000000000000000" } }],
  ["addss -1 + -2^-30 RD: next down", "f30f58c1", { x: { 0: ps(-1), 1: ps(-(2 ** -30)) }, mx: MASKALL | RD },
    { mx: 0x3fa0, x: { 0: "010080bf000000000000000000000000" } }],
  ["addsd 1 + 2^-60 RZ: 1, PE", "f20f58c1", { x: { 0: pd(1), 1: pd(2 ** -60) }, mx: MASKALL | RZ },
    { mx: 0x7fa0 }],
  ["subss exact cancellation is +0", "f30f5cc1", { x: { 0: ps(3.5), 1: ps(3.5) } },
    { x: { 0: "00000000000000000000000000000000" } }],
  ["subss exact cancellation rounding down is -0", "f30f5cc1", { x: { 0: ps(3.5), 1: ps(3.5) }, mx: MASKALL | RD },
    { x: { 0: "00000080000000000000000000000000" } }],
  ["subpd inf - inf: IE; 1 - 2^-1074: PE", "660f5cc1", { x: { 0: pd(Infinity, 1), 1: pd(Infinity, "0000000000000001") } },
    { mx: 0x1fa3, x: { 0: "000000000000f8ff000000000000f03f" } }],
  ["mulss max * 2 overflows to +inf (OE PE)", "f30f59c1", { x: { 0: ps("7f7fffff"), 1: ps(2) } },
    { mx: 0x1fa8, x: { 0: "0000807f000000000000000000000000" } }],
  ["mulss overflow toward zero gives max finite", "f30f59c1", { x: { 0: ps("7f7fffff"), 1: ps(2) }, mx: MASKALL | RZ },
    { mx: 0x7fa8 }],
  ["mulsd -max * 2 rounding up gives -max", "f20f59c1", { x: { 0: pd("ffefffffffffffff"), 1: pd(2) }, mx: MASKALL | RU },
    { mx: 0x5fa8 }],
  ["mulss overflow unmasked: #XM, destination kept", "f30f59c1", { x: { 0: ps("7f7fffff"), 1: ps(2) }, mx: MASKALL & ~OM },
    { vec: 19, mx: 0x1b88 }],
  ["mulss tiny inexact: denormal result, UE PE", "f30f59c1", { x: { 0: ps(3 * 2 ** -75), 1: ps(2 ** -70 * 1.0000001) } },
    { mx: 0x1fb0, x: { 0: "30000000000000000000000000000000" } }],
  ["mulss tiny exact: denormal, no flags", "f30f59c1", { x: { 0: ps(2 ** -70), 1: ps(2 ** -70) } },
    { x: { 0: "00020000000000000000000000000000" } }],
  ["mulss tiny with FTZ: signed zero, UE PE", "f30f59c1", { x: { 0: ps(-(2 ** -70)), 1: ps(2 ** -70) }, mx: MASKALL | FTZ },
    { mx: 0x9fb0, x: { 0: "00000080000000000000000000000000" } }],
  ["mulss tiny exact with UE unmasked: #XM, UE", "f30f59c1", { x: { 0: ps(2 ** -70), 1: ps(2 ** -70) }, mx: MASKALL & ~UM },
    { vec: 19, mx: 0x1790 }],
  ["mulsd rounds up to the smallest normal (not tiny after rounding)", "f20f59c1", { x: { 0: pd("3ff0000000000001"), 1: pd("000fffffffffffff") }, mx: MASKALL | RU },
    { mx: 0x5fa2, x: { 0: "00000000000010000000000000000000" } }],
  ["mulss inf * 0: default NaN, IE", "f30f59c1", { x: { 0: ps(Infinity), 1: ps(0) } },
    { mx: 0x1f81, x: { 0: "0000c0ff000000000000000000000000" } }],
  ["mulpd inf * denormal: DE", "660f59c1", { x: { 0: pd(Infinity, 2), 1: pd("0000000000000005", 3) } },
    { mx: 0x1f82, x: { 0: "000000000000f07f0000000000001840" } }],
  ["divss 1 / 0: +inf, ZE", "f30f5ec1", { x: { 0: ps(1), 1: ps(0) } },
    { mx: 0x1f84, x: { 0: "0000807f000000000000000000000000" } }],
  ["divss -1 / 0 with ZE unmasked: #XM", "f30f5ec1", { x: { 0: ps(-1), 1: ps(0) }, mx: MASKALL & ~ZM },
    { vec: 19, mx: 0x1d84 }],
  ["divsd 0 / 0: default NaN, IE", "f20f5ec1", { x: { 0: pd(0), 1: pd(0) } },
    { mx: 0x1f81, x: { 0: "000000000000f8ff0000000000000000" } }],
  ["divss 1/3 RN", "f30f5ec1", { x: { 0: ps(1), 1: ps(3) }, mx: MASKALL | RN },
    { mx: 0x1fa0, x: { 0: "abaaaa3e000000000000000000000000" } }],
  ["divss 1/3 RU", "f30f5ec1", { x: { 0: ps(1), 1: ps(3) }, mx: MASKALL | RU },
    { mx: 0x5fa0, x: { 0: "abaaaa3e000000000000000000000000" } }],
  ["divss 1/3 RD", "f30f5ec1", { x: { 0: ps(1), 1: ps(3) }, mx: MASKALL | RD },
    { mx: 0x3fa0, x: { 0: "aaaaaa3e000000000000000000000000" } }],
  ["divsd -1/3 RZ", "f20f5ec1", { x: { 0: pd(-1), 1: pd(3) }, mx: MASKALL | RZ },
    { mx: 0x7fa0, x: { 0: "555555555555d5bf0000000000000000" } }],
  ["divpd denormal / 0: ZE outranks DE", "660f5ec1", { x: { 0: pd("0000000000000001", 6), 1: pd(0, 3) } },
    { mx: 0x1f84, x: { 0: "000000000000f07f0000000000000040" } }],
  ["sqrtss 2 RN, upper lanes kept", "f30f51c1", { x: { 0: ps(9, 9, 9, 9), 1: ps(2) } },
    { mx: 0x1fa0, x: { 0: "f304b53f000010410000104100001041" } }],
  ["sqrtss 2 RU", "f30f51c1", { x: { 0: ps(9), 1: ps(2) }, mx: MASKALL | RU },
    { mx: 0x5fa0, x: { 0: "f404b53f000000000000000000000000" } }],
  ["sqrtsd 2 RD", "f20f51c1", { x: { 0: pd(9), 1: pd(2) }, mx: MASKALL | RD },
    { mx: 0x3fa0, x: { 0: "cc3b7f669ea0f63f0000000000000000" } }],
  ["sqrtps: 4, -1 (IE), -0, +inf", "0f51c1", { x: { 1: ps(4, -1, "80000000", Infinity) } },
    { mx: 0x1f81, x: { 0: "000000400000c0ff000000800000807f" } }],
  ["sqrtsd SNaN: quieted, IE", "f20f51c1", { x: { 1: pd("7ff0000000000001") } },
    { mx: 0x1f81, x: { 0: "010000000000f87f0000000000000000" } }],
  ["sqrtsd of a denormal: DE PE", "f20f51c1", { x: { 1: pd("0000000000000003") } },
    { mx: 0x1fa2, x: { 0: "aa4c58e87ab66b1e0000000000000000" } }],
  ["addss denormals: DE", "f30f58c1", { x: { 0: ps("00000003"), 1: ps("00000005") } },
    { mx: 0x1f82, x: { 0: "08000000000000000000000000000000" } }],
  ["addss denormals with DAZ: +0, no DE", "f30f58c1", { x: { 0: ps("00000003"), 1: ps("80000005") }, mx: MASKALL | DAZ },
    { x: { 0: "00000000000000000000000000000000" } }],
  ["addss denormal with DE unmasked: #XM", "f30f58c1", { x: { 0: ps("00000003"), 1: ps(1) }, mx: MASKALL & ~DM },
    { vec: 19, mx: 0x1e82 }],
  ["addss denormal + 0 with FTZ: flushed, DE UE PE", "f30f58c1", { x: { 0: ps("00000005"), 1: ps(0) }, mx: MASKALL | FTZ },
    { mx: 0x9fb2, x: { 0: "00000000000000000000000000000000" } }],
  ["mulps: DE in lane 0, OE unmasked in lane 2: #XM with DE OE PE", "0f59c1", { x: { 0: ps("00000005", 1, "7f7fffff", 1), 1: ps(1, 1, 4, 1) }, mx: MASKALL & ~OM },
    { vec: 19, mx: 0x1b8a }],
  ["addps: IE unmasked in lane 0 stops PE of lane 1 being recorded", "0f58c1", { x: { 0: ps("7f800001", 1), 1: ps(1, 2 ** -30) }, mx: MASKALL & ~IM },
    { vec: 19, mx: 0x1f01 }],
  ["addps: PE unmasked in lane 1 with masked IE in lane 0: #XM, IE PE", "0f58c1", { x: { 0: ps("7f800001", 1), 1: ps(1, 2 ** -30) }, mx: MASKALL & ~PM },
    { vec: 19, mx: 0xfa1 }],
  ["minss: second operand when the first is NaN", "f30f5dc1", { x: { 0: ps("7fc00000"), 1: ps(5) } },
    { mx: 0x1f81, x: { 0: "0000a040000000000000000000000000" } }],
  ["minss: SNaN second operand returned as is, IE", "f30f5dc1", { x: { 0: ps(1), 1: ps("7f800001") } },
    { mx: 0x1f81, x: { 0: "0100807f000000000000000000000000" } }],
  ["maxps: +0/-0 give the second; ordinary lanes", "0f5fc1", { x: { 0: ps(0, "80000000", 3, -7), 1: ps("80000000", 0, 2, -6) } },
    { x: { 0: "0000008000000000000040400000c0c0" } }],
  ["minsd denormal with DAZ: zero compared, second returned", "f20f5dc1", { x: { 0: pd("8000000000000005"), 1: pd("0000000000000003") }, mx: MASKALL | DAZ },
    { x: { 0: "00000000000000000000000000000000" } }],
  ["maxpd QNaN in either lane: IE", "660f5fc1", { x: { 0: pd(1, "7ff8000000000000"), 1: pd("fff8000000000001", 2) } },
    { mx: 0x1f81, x: { 0: "010000000000f8ff0000000000000040" } }],
  ["cmpps predicate 0", "0fc2c100", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { x: { 0: "0000000000000000ffffffff00000000" } }],
  ["cmpps predicate 1", "0fc2c101", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { mx: 0x1f81, x: { 0: "ffffffff000000000000000000000000" } }],
  ["cmpps predicate 2", "0fc2c102", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { mx: 0x1f81, x: { 0: "ffffffff00000000ffffffff00000000" } }],
  ["cmpps predicate 3", "0fc2c103", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { x: { 0: "00000000ffffffff0000000000000000" } }],
  ["cmpps predicate 4", "0fc2c104", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { x: { 0: "ffffffffffffffff00000000ffffffff" } }],
  ["cmpps predicate 5", "0fc2c105", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { mx: 0x1f81, x: { 0: "00000000ffffffffffffffffffffffff" } }],
  ["cmpps predicate 6", "0fc2c106", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { mx: 0x1f81, x: { 0: "00000000ffffffff00000000ffffffff" } }],
  ["cmpps predicate 7", "0fc2c107", { x: { 0: ps(1, "7fc00000", 2, 3), 1: ps(2, 1, 2, -1) } },
    { x: { 0: "ffffffff00000000ffffffffffffffff" } }],
  ["cmpps imm8 bits 7:3 ignored (0x0d acts as 5)", "0fc2c10d", { x: { 0: ps(1, 2, 3, 4), 1: ps(2, 2, 2, 2) } },
    { x: { 0: "00000000ffffffffffffffffffffffff" } }],
  ["cmpss LT with QNaN: IE", "f30fc2c101", { x: { 0: ps("7fc00000", 7), 1: ps(1, 7) } },
    { mx: 0x1f81, x: { 0: "000000000000e0400000000000000000" } }],
  ["cmpsd EQ with QNaN: no IE", "f20fc2c100", { x: { 0: pd("7ff8000000000000"), 1: pd(1) } },
    { x: { 0: "00000000000000000000000000000000" } }],
  ["cmpsd UNORD with SNaN: IE", "f20fc2c103", { x: { 0: pd("7ff0000000000001"), 1: pd(1) } },
    { mx: 0x1f81, x: { 0: "ffffffffffffffff0000000000000000" } }],
  ["cmppd NLE, EQ with -0 == +0", "660fc2c100", { x: { 0: pd("8000000000000000", 1), 1: pd(0, 1) } },
    { x: { 0: "ffffffffffffffffffffffffffffffff" } }],
  ["comiss less: CF", "0f2fc1", { x: { 0: ps(1), 1: ps(2) } },
    { fl: 0x1 }],
  ["comiss equal: ZF", "0f2fc1", { x: { 0: ps(2), 1: ps(2) } },
    { fl: 0x40 }],
  ["comiss greater: none", "0f2fc1", { x: { 0: ps(3), 1: ps(2) } },
    { fl: 0x0 }],
  ["comiss QNaN: ZF PF CF and IE", "0f2fc1", { x: { 0: ps("7fc00000"), 1: ps(2) } },
    { mx: 0x1f81, fl: 0x45 }],
  ["ucomiss QNaN: ZF PF CF, no IE", "0f2ec1", { x: { 0: ps("7fc00000"), 1: ps(2) } },
    { fl: 0x45 }],
  ["ucomisd SNaN with IE unmasked: #XM, flags kept", "660f2ec1", { x: { 0: pd("7ff0000000000001"), 1: pd(2) }, mx: MASKALL & ~IM },
    { vec: 19, mx: 0x1f01, fl: 0x0 }],
  ["comisd denormal: DE", "660f2fc1", { x: { 0: pd("0000000000000001"), 1: pd(0) } },
    { mx: 0x1f82, fl: 0x0 }],
  ["cvtsi2ss 16777217 RN", "f30f2ac0", { g: { 0: 16777217n } },
    { mx: 0x1fa0, x: { 0: "0000804b000000000000000000000000" } }],
  ["cvtsi2ss 16777217 RU", "f30f2ac0", { g: { 0: 16777217n }, mx: MASKALL | RU },
    { mx: 0x5fa0, x: { 0: "0100804b000000000000000000000000" } }],
  ["cvtsi2ss -1 from m32", "f30f2a03", { m: "ffffffff" },
    { x: { 0: "000080bf000000000000000000000000" } }],
  ["cvtsi2sd int64 max (REX.W): 2^63, PE", "f2480f2ac0", { g: { 0: 0x7fffffffffffffffn } },
    { mx: 0x1fa0, x: { 0: "000000000000e0430000000000000000" } }],
  ["cvtsi2sd int64 min (REX.W): exact", "f2480f2ac0", { g: { 0: 0x8000000000000000n } },
    { x: { 0: "000000000000e0c30000000000000000" } }],
  ["cvtsi2ss64 inexact with PE unmasked: #XM", "f3480f2ac0", { g: { 0: 0x7fffffffffffffffn }, mx: MASKALL & ~PM },
    { vec: 19, mx: 0xfa0 }],
  ["cvtss2si 2.5 RN: 2", "f30f2dc1", { x: { 1: ps(2.5) }, g: { 0: 0xffffffffffffffffn } },
    { mx: 0x1fa0, g: { 0: 0x2n } }],
  ["cvtss2si -2.5 RD: -3", "f30f2dc1", { x: { 1: ps(-2.5) }, mx: MASKALL | RD },
    { mx: 0x3fa0, g: { 0: 0xfffffffdn } }],
  ["cvttss2si -2.7: -2, PE", "f30f2cc1", { x: { 1: ps(-2.7) } },
    { mx: 0x1fa0, g: { 0: 0xfffffffen } }],
  ["cvtss2si 3e9: indefinite, IE", "f30f2dc1", { x: { 1: ps(3e9) } },
    { mx: 0x1f81, g: { 0: 0x80000000n } }],
  ["cvtss2si NaN: indefinite, IE", "f30f2dc1", { x: { 1: ps("7fc00000") } },
    { mx: 0x1f81, g: { 0: 0x80000000n } }],
  ["cvtss2si denormal: 0, PE (no DE)", "f30f2dc1", { x: { 1: ps("00000001") } },
    { mx: 0x1fa0 }],
  ["cvtsd2si 2147483647.5 RN rounds out of range: IE", "f20f2dc1", { x: { 1: pd(2147483647.5) } },
    { mx: 0x1f81, g: { 0: 0x80000000n } }],
  ["cvttsd2si -2147483648.9: in range, PE", "f20f2cc1", { x: { 1: pd(-2147483648.9) } },
    { mx: 0x1fa0, g: { 0: 0x80000000n } }],
  ["cvtsd2si64 1e19: indefinite, IE", "f2480f2dc1", { x: { 1: pd(1e19) } },
    { mx: 0x1f81, g: { 0: 0x8000000000000000n } }],
  ["cvttsd2si64 -2^63: exact", "f2480f2cc1", { x: { 1: pd(-(2 ** 63)) } },
    { g: { 0: 0x8000000000000000n } }],
  ["cvtss2si64 from m32 2^40", "f3480f2d03", { m: ps(2 ** 40) },
    { g: { 0: 0x10000000000n } }],
  ["cvtss2sd SNaN: quieted with payload, IE", "f30f5ac1", { x: { 0: pd(5, 6), 1: ps("7f812345") } },
    { mx: 0x1f81, x: { 0: "000000a06824f87f0000000000001840" } }],
  ["cvtss2sd denormal: exact, DE", "f30f5ac1", { x: { 1: ps("00000001") } },
    { mx: 0x1f82, x: { 0: "000000000000a0360000000000000000" } }],
  ["cvtsd2ss 1e40: +inf, OE PE", "f20f5ac1", { x: { 0: ps(1, 2, 3, 4), 1: pd(1e40) } },
    { mx: 0x1fa8, x: { 0: "0000807f000000400000404000008040" } }],
  ["cvtsd2ss tiny: denormal, UE PE", "f20f5ac1", { x: { 1: pd(1.1e-40) } },
    { mx: 0x1fb0, x: { 0: "a3320100000000000000000000000000" } }],
  ["cvtsd2ss NaN payload truncated", "f20f5ac1", { x: { 1: pd("fff123456789abcd") } },
    { mx: 0x1f81, x: { 0: "2b1ac9ff000000000000000000000000" } }],
  ["cvtps2pd", "0f5ac1", { x: { 1: ps(1.5, "ff800000", 3, 4) } },
    { x: { 0: "000000000000f83f000000000000f0ff" } }],
  ["cvtpd2ps clears the upper half", "660f5ac1", { x: { 0: FILL, 1: pd(0.1, -1e300) } },
    { mx: 0x1fa8, x: { 0: "cdcccc3d000080ff0000000000000000" } }],
  ["cvtdq2ps 16777217 RD and negatives", "0f5bc1", { x: { 1: d32(16777217, -1, 0x7fffffff, 0x80000000) }, mx: MASKALL | RD },
    { mx: 0x3fa0, x: { 0: "0000804b000080bfffffff4e000000cf" } }],
  ["cvtps2dq RN: halves to even, out of range", "660f5bc1", { x: { 1: ps(0.5, 1.5, -2.5, 3e9) } },
    { mx: 0x1fa1, x: { 0: "0000000002000000feffffff00000080" } }],
  ["cvttps2dq truncation", "f30f5bc1", { x: { 1: ps(1.9, -1.9, 2147483520, -2147483648) } },
    { mx: 0x1fa0, x: { 0: "01000000ffffffff80ffff7f00000080" } }],
  ["cvtdq2pd", "f30fe6c1", { x: { 1: d32(-7, 0x7fffffff, 9, 9) } },
    { x: { 0: "0000000000001cc00000c0ffffffdf41" } }],
  ["cvtpd2dq RU clears the upper half", "f20fe6c1", { x: { 0: FILL, 1: pd(1.1, -1.9) }, mx: MASKALL | RU },
    { mx: 0x5fa0, x: { 0: "02000000ffffffff0000000000000000" } }],
  ["cvttpd2dq NaN lane: indefinite", "660fe6c1", { x: { 1: pd(-3.99, "7ff8000000000000") } },
    { mx: 0x1fa1, x: { 0: "fdffffff000000800000000000000000" } }],
  ["paddb wraps", "660ffcc1", { x: { 0: b8(0xff, 0x7f, 1, 0x80), 1: b8(1, 1, 1, 0x80) } },
    { x: { 0: "00800200000000000000000000000000" } }],
  ["paddsw saturates", "660fedc1", { x: { 0: w16(0x7fff, 0x8000, 100, -5), 1: w16(1, -1, 200, -7) } },
    { x: { 0: "ff7f00802c01f4ff0000000000000000" } }],
  ["paddusb saturates", "660fdcc1", { x: { 0: b8(250, 3, 128), 1: b8(10, 4, 128) } },
    { x: { 0: "ff07ff00000000000000000000000000" } }],
  ["psubusw floors at 0", "660fd9c1", { x: { 0: w16(5, 0xffff, 3), 1: w16(7, 1, 3) } },
    { x: { 0: "0000feff000000000000000000000000" } }],
  ["pmullw", "660fd5c1", { x: { 0: w16(0x1234, -2, 0x8000, 300), 1: w16(0x100, 3, 0x8000, 300) } },
    { x: { 0: "0034faff0000905f0000000000000000" } }],
  ["pmulhw", "660fe5c1", { x: { 0: w16(0x1234, -2, 0x8000, 300), 1: w16(0x100, 3, 0x8000, 300) } },
    { x: { 0: "1200ffff004001000000000000000000" } }],
  ["pmulhuw", "660fe4c1", { x: { 0: w16(0x1234, -2, 0x8000, 300), 1: w16(0x100, 3, 0x8000, 300) } },
    { x: { 0: "12000200004001000000000000000000" } }],
  ["pmuludq lanes 0 and 2", "660ff4c1", { x: { 0: d32(0xffffffff, 7, 0x80000000, 7), 1: d32(0xffffffff, 9, 2, 9) } },
    { x: { 0: "01000000feffffff0000000001000000" } }],
  ["pmaddwd -32768*-32768*2 wraps", "660ff5c1", { x: { 0: w16(0x8000, 0x8000, 1, 2), 1: w16(0x8000, 0x8000, 3, 4) } },
    { x: { 0: "000000800b0000000000000000000000" } }],
  ["pcmpgtw is signed", "660f65c1", { x: { 0: w16(1, -1, 5, 0x7fff), 1: w16(0, 0, 5, -1) } },
    { x: { 0: "ffff00000000ffff0000000000000000" } }],
  ["pcmpeqd", "660f76c1", { x: { 0: d32(1, 2, 3, 4), 1: d32(1, 0, 3, 5) } },
    { x: { 0: "ffffffff00000000ffffffff00000000" } }],
  ["pminub", "660fdac1", { x: { 0: b8(0, 255, 128), 1: b8(1, 254, 127) } },
    { x: { 0: "00fe7f00000000000000000000000000" } }],
  ["pmaxsw", "660feec1", { x: { 0: w16(-1, 5, 0x8000), 1: w16(1, 4, 0x7fff) } },
    { x: { 0: "01000500ff7f00000000000000000000" } }],
  ["pavgb rounds up", "660fe0c1", { x: { 0: b8(1, 255, 0), 1: b8(2, 255, 1) } },
    { x: { 0: "02ff0100000000000000000000000000" } }],
  ["psadbw", "660ff6c1", { x: { 0: b8(0, 255, 10, 0, 0, 0, 0, 0, 1, 2), 1: b8(255, 0, 20, 0, 0, 0, 0, 0, 2, 1) } },
    { x: { 0: "08020000000000000200000000000000" } }],
  ["psubq borrows across the dword", "660ffbc1", { x: { 0: d32(0, 0, 5, 0), 1: d32(1, 0, 6, 0) } },
    { x: { 0: "ffffffffffffffffffffffffffffffff" } }],
  ["psllw by xmm count 3", "660ff1c1", { x: { 0: w16(1, 0x8001, 3), 1: d32(3) } },
    { x: { 0: "08000800180000000000000000000000" } }],
  ["psrlw by count 16: zero", "660fd1c1", { x: { 0: w16(1, 0x8001, 3), 1: d32(16) } },
    { x: { 0: "00000000000000000000000000000000" } }],
  ["psraw by count 2^32: sign fill", "660fe1c1", { x: { 0: w16(1, 0x8001, 3), 1: d32(0, 1) } },
    { x: { 0: "0000ffff000000000000000000000000" } }],
  ["psrlq by count 63", "660fd3c1", { x: { 0: d32(0, 0x80000000, 1, 0x80000001), 1: d32(63) } },
    { x: { 0: "01000000000000000100000000000000" } }],
  ["psrad imm 31", "660f72e11f", { x: { 1: d32(0x80000000, 5, -7, 0x7fffffff) } },
    { x: { 1: "ffffffff00000000ffffffff00000000" } }],
  ["psllq imm 64: zero", "660f73f140", { x: { 1: FILL } },
    { x: { 1: "00000000000000000000000000000000" } }],
  ["pslldq imm 5", "660f73f905", { x: { 1: FILL } },
    { x: { 1: "00000000000123456789abcdeffedcba" } }],
  ["psrldq imm 17: zero", "660f73d911", { x: { 1: FILL } },
    { x: { 1: "00000000000000000000000000000000" } }],
  ["psrlw imm 4", "660f71d104", { x: { 1: FILL } },
    { x: { 1: "30027406b80afc0ecf0d8b0947050301" } }],
  ["packsswb saturates", "660f63c1", { x: { 0: w16(300, -300, 5, -5, 127, -128, 128, -129), 1: w16(1, 2, 3, 4, 5, 6, 7, 8) } },
    { x: { 0: "7f8005fb7f807f800102030405060708" } }],
  ["packuswb", "660f67c1", { x: { 0: w16(300, -3, 255, 0), 1: w16(-1, 256, 1, 2) } },
    { x: { 0: "ff00ff000000000000ff010200000000" } }],
  ["packssdw", "660f6bc1", { x: { 0: d32(70000, -70000, 5, -5), 1: d32(1, 2, 3, 4) } },
    { x: { 0: "ff7f00800500fbff0100020003000400" } }],
  ["punpcklbw", "660f60c1", { x: { 0: FILL, 1: b8(0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8) } },
    { x: { 0: "01a023a145a267a389a4aba5cda6efa7" } }],
  ["punpckhqdq", "660f6dc1", { x: { 0: FILL, 1: d32(1, 2, 3, 4) } },
    { x: { 0: "fedcba98765432100300000004000000" } }],
  ["punpckhwd", "660f69c1", { x: { 0: FILL, 1: w16(1, 2, 3, 4, 5, 6, 7, 8) } },
    { x: { 0: "fedc0500ba9806007654070032100800" } }],
  ["pshufd 0x1b reverses", "660f70c11b", { x: { 1: d32(1, 2, 3, 4) } },
    { x: { 0: "04000000030000000200000001000000" } }],
  ["pshuflw 0x1b", "f20f70c11b", { x: { 1: w16(1, 2, 3, 4, 5, 6, 7, 8) } },
    { x: { 0: "04000300020001000500060007000800" } }],
  ["pshufhw 0x1b", "f30f70c11b", { x: { 1: w16(1, 2, 3, 4, 5, 6, 7, 8) } },
    { x: { 0: "01000200030004000800070006000500" } }],
  ["shufps 0x4e", "0fc6c14e", { x: { 0: d32(1, 2, 3, 4), 1: d32(5, 6, 7, 8) } },
    { x: { 0: "03000000040000000500000006000000" } }],
  ["shufpd 1", "660fc6c101", { x: { 0: d32(1, 2, 3, 4), 1: d32(5, 6, 7, 8) } },
    { x: { 0: "03000000040000000500000006000000" } }],
  ["unpcklps", "0f14c1", { x: { 0: d32(1, 2, 3, 4), 1: d32(5, 6, 7, 8) } },
    { x: { 0: "01000000050000000200000006000000" } }],
  ["unpckhpd", "660f15c1", { x: { 0: d32(1, 2, 3, 4), 1: d32(5, 6, 7, 8) } },
    { x: { 0: "03000000040000000700000008000000" } }],
  ["pand", "660fdbc1", { x: { 0: FILL, 1: d32(0xff00ff00, 0xffffffff, 0, 0x0f0f0f0f) } },
    { x: { 0: "0023006789abcdef0000000006040200" } }],
  ["pandn: ~dest & src", "660fdfc1", { x: { 0: FILL, 1: d32(0xff00ff00, 0xffffffff, 0, 0x0f0f0f0f) } },
    { x: { 0: "00dc00987654321000000000090b0d0f" } }],
  ["xorps", "0f57c1", { x: { 0: FILL, 1: d32(0xff00ff00, 0xffffffff, 0, 0x0f0f0f0f) } },
    { x: { 0: "01dc459876543210fedcba98795b3d1f" } }],
  ["andnpd", "660f55c1", { x: { 0: FILL, 1: d32(0xff00ff00, 0xffffffff, 0, 0x0f0f0f0f) } },
    { x: { 0: "00dc00987654321000000000090b0d0f" } }],
  ["orps", "0f56c1", { x: { 0: FILL, 1: d32(0xff00ff00, 0xffffffff, 0, 0x0f0f0f0f) } },
    { x: { 0: "01ff45fffffffffffedcba987f5f3f1f" } }],
  ["movaps load aligned", "0f2803", { m: MEM16 },
    { x: { 0: "00112233445566778899aabbccddeeff" } }],
  ["movaps misaligned: #GP(0)", "0f284301", { m: MEM16 },
    { vec: 13 }],
  ["movaps misaligned with MXCSR.MM: still #GP(0)", "0f284301", { m: MEM16, mx: MASKALL | MM },
    { vec: 13 }],
  ["movups misaligned load", "0f104301", { m: MEM16 },
    { x: { 0: "112233445566778899aabbccddeeff00" } }],
  ["addps misaligned: #GP(0)", "0f584301", { x: { 0: ps(1, 1, 1, 1) }, m: MEM16 },
    { vec: 13 }],
  ["addps misaligned with MXCSR.MM: allowed", "0f584301", { x: { 0: ps(1, 1, 1, 1) }, m: ps(1, 2, 3, 4), mx: MASKALL | MM },
    { mx: 0x21fa2 }],
  ["movdqa store aligned", "660f7f4b10", { x: { 1: FILL } },
    { m: [16, "0123456789abcdeffedcba9876543210"] }],
  ["movups store across the end of the data: #PF, nothing written", "0f118bf91f0000", { x: { 1: FILL } },
    { vec: 14 }],
  ["movss from memory clears the upper lanes", "f30f1003", { x: { 0: FILL }, m: ps(1.5) },
    { x: { 0: "0000c03f000000000000000000000000" } }],
  ["movss between registers keeps them", "f30f10c1", { x: { 0: FILL, 1: ps(1.5, 2, 3, 4) } },
    { x: { 0: "0000c03f89abcdeffedcba9876543210" } }],
  ["movsd from memory", "f20f1003", { x: { 0: FILL }, m: pd(2.5) },
    { x: { 0: "00000000000004400000000000000000" } }],
  ["movsd store", "f20f114b08", { x: { 1: pd(2.5, 7) } },
    { m: [14, "0440"] }],
  ["movlps load", "0f1203", { x: { 0: FILL }, m: MEM16 },
    { x: { 0: "0011223344556677fedcba9876543210" } }],
  ["movhlps", "0f12c1", { x: { 0: FILL, 1: d32(1, 2, 3, 4) } },
    { x: { 0: "0300000004000000fedcba9876543210" } }],
  ["movhps load", "0f1603", { x: { 0: FILL }, m: MEM16 },
    { x: { 0: "0123456789abcdef0011223344556677" } }],
  ["movlhps", "0f16c1", { x: { 0: FILL, 1: d32(1, 2, 3, 4) } },
    { x: { 0: "0123456789abcdef0100000002000000" } }],
  ["movhpd store", "660f174b08", { x: { 1: FILL } },
    { m: [8, "fedcba9876543210"] }],
  ["movlpd register form: #UD", "660f12c1", { x: { 1: FILL } },
    { vec: 6 }],
  ["movd xmm, r32 clears the rest", "660f6ec0", { x: { 0: FILL }, g: { 0: 0xdeadbeefcafef00dn } },
    { x: { 0: "0df0feca000000000000000000000000" } }],
  ["movq xmm, r64", "66480f6ec0", { x: { 0: FILL }, g: { 0: 0xdeadbeefcafef00dn } },
    { x: { 0: "0df0fecaefbeadde0000000000000000" } }],
  ["movd r32, xmm zero-extends", "660f7ec8", { x: { 1: FILL }, g: { 0: 0xffffffffffffffffn } },
    { g: { 0: 0x67452301n } }],
  ["movq r64, xmm", "66480f7ec8", { x: { 1: FILL } },
    { g: { 0: 0xefcdab8967452301n } }],
  ["movq xmm, m64 (F3 0F 7E) clears the upper half", "f30f7e03", { x: { 0: FILL }, m: MEM16 },
    { x: { 0: "00112233445566770000000000000000" } }],
  ["movq xmm, xmm (66 0F D6) clears the upper half", "660fd6c8", { x: { 0: FILL, 1: d32(1, 2, 3, 4) } },
    { x: { 0: "01000000020000000000000000000000" } }],
  ["movd m32, xmm", "660f7e4b04", { x: { 1: FILL } },
    { m: [4, "01234567"] }],
  ["pmovmskb", "660fd7c1", { x: { 1: b8(0x80, 0, 0xff, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81) }, g: { 0: 0xffffffffffffffffn } },
    { g: { 0: 0x8015n } }],
  ["movmskps", "0f50c1", { x: { 1: ps(-1, 1, "80000000", "ffc00000") } },
    { g: { 0: 0xdn } }],
  ["movmskpd", "660f50c1", { x: { 1: pd(1, -1) } },
    { g: { 0: 0x2n } }],
  ["pinsrw from r32, index 9 & 7", "660fc4c009", { x: { 0: FILL }, g: { 0: 0x12345678n } },
    { x: { 0: "0123785689abcdeffedcba9876543210" } }],
  ["pinsrw from m16", "660fc40305", { x: { 0: FILL }, m: "abcd" },
    { x: { 0: "0123456789abcdeffedcabcd76543210" } }],
  ["pextrw index 6", "660fc5c106", { x: { 1: FILL }, g: { 0: 0xffffffffffffffffn } },
    { g: { 0: 0x5476n } }],
  ["movnti m64", "480fc34b08", { g: { 1: 0x1122334455667788n } },
    { m: [8, "8877665544332211"] }],
  ["movnti register form: #UD", "0fc3c8", {},
    { vec: 6 }],
  ["movntps misaligned: #GP(0)", "0f2b4b08", { x: { 1: FILL } },
    { vec: 13 }],
  ["maskmovdqu stores the selected bytes at rdi", "660ff7c1", { x: { 0: FILL, 1: b8(0x80, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff) }, g: { 7: 0x10000020n } },
    { m: [32, "01004500000000000000000000000010"] }],
  ["lock prefix: #UD", "f00f58c1", {},
    { vec: 6 }],
  ["F2 0F 28: #UD", "f20f28c1", {},
    { vec: 6 }],
  ["ldmxcsr with reserved bit 16: #GP(0)", "0fae13", { m: u32h(0x11f80) },
    { vec: 13 }],
  ["ldmxcsr with MM (bit 17) accepted", "0fae13", { m: u32h(0x29fc0) },
    { mx: 0x29fc0 }],
  ["stmxcsr", "0fae5b04", { mx: 0x7f3f | FTZ },
    { m: [4, "3fff"] }],
  ["fxsave misaligned: #GP(0)", "0fae4308", {},
    { vec: 13 }],
  ["fxrstor with reserved MXCSR bits: #GP(0)", "0fae0b", { m: "7f03" + "00".repeat(22) + u32h(0xffff0000) },
    { vec: 13 }],
];

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function runCase(cpu: EmuCpu, code: string, input: In) {
  const data = new Uint8Array(DATA_SIZE);
  if (input.m) data.set(Buffer.from(input.m, "hex"));
  const bytes = new Uint8Array(4096);
  bytes.set(Buffer.from(code + "cc", "hex"));
  cpu.load([
    { va: DATA, bytes: data, writable: true, executable: false },
    { va: CODE, bytes, writable: false, executable: true },
  ]);
  const xmm = new Uint8Array(256);
  for (const [k, v] of Object.entries(input.x ?? {})) xmm.set(Buffer.from(v, "hex"), Number(k) * 16);
  const regs = Array.from({ length: 16 }, (_, i) => input.g?.[i] ?? 0n);
  regs[3] = DATA;
  regs[4] = DATA + 0x1800n;
  const result = cpu.run({ regs, rip: CODE, rflags: 0x202n, xmm, mxcsr: input.mx ?? MASKALL, fsBase: 0n, gsBase: 0n }, 2);
  return { result, xmm, regs, data };
}

// What differs from the expectation (registers and memory not named must be unchanged).
function check(cpu: EmuCpu, code: string, input: In, want: Out): string[] {
  const { result, xmm, regs, data } = runCase(cpu, code, input);
  const why: string[] = [];
  const vec = result.exception && result.exception.vector !== 3 ? result.exception.vector : -1;
  if (vec !== (want.vec ?? -1)) why.push(`vector ${vec}, want ${want.vec ?? "none"}`);
  const wantMx = want.mx ?? input.mx ?? MASKALL;
  if (result.state.mxcsr !== wantMx) why.push(`mxcsr 0x${result.state.mxcsr.toString(16)}, want 0x${wantMx.toString(16)}`);
  for (let r = 0; r < 16; r++) {
    const got = hex(result.state.xmm.subarray(r * 16, r * 16 + 16));
    const exp = want.x?.[r] ?? hex(xmm.subarray(r * 16, r * 16 + 16));
    if (got !== exp) why.push(`xmm${r} ${got}, want ${exp}`);
  }
  for (let r = 0; r < 16; r++) {
    const exp = want.g?.[r] ?? regs[r]!;
    if (r !== 4 && result.state.regs[r] !== exp) why.push(`r${r} 0x${result.state.regs[r]!.toString(16)}, want 0x${exp.toString(16)}`);
  }
  if (want.fl !== undefined && (result.state.rflags & ARITH) !== BigInt(want.fl)) {
    why.push(`flags 0x${(result.state.rflags & ARITH).toString(16)}, want 0x${want.fl.toString(16)}`);
  }
  const expMem = data.slice();
  if (want.m) expMem.set(Buffer.from(want.m[1], "hex"), want.m[0]);
  if (hex(result.windows[0]!.subarray(0, DATA_SIZE)) !== hex(expMem)) why.push("memory differs");
  return why;
}

test("SSE/SSE2 instructions give the reference CPU's results, flags and exceptions", () => {
  const cpu = new EmuCpu();
  cpu.map([
    { va: DATA, bytes: new Uint8Array(DATA_SIZE), writable: true, executable: false },
    { va: CODE, bytes: new Uint8Array(4096), writable: false, executable: true },
  ]);
  const failures: string[] = [];
  for (const [name, code, input, want] of CASES) {
    const why = check(cpu, code, input, want);
    if (why.length) failures.push(`${name} (${code}): ${why.join("; ")}`);
  }
  assert.deepEqual(failures, []);
});

// fxsave's SSE part (the x87 bytes belong to the x87 tests): MXCSR at 24, MXCSR_MASK (what the
// reference CPU reports: bit 17 is AMD's misaligned-SSE mode) at 28, XMM0-15 at 160, bytes
// 416..511 untouched; fxrstor loads them back.
test("fxsave and fxrstor carry MXCSR and XMM0-15", () => {
  const cpu = new EmuCpu();
  cpu.map([
    { va: DATA, bytes: new Uint8Array(DATA_SIZE), writable: true, executable: false },
    { va: CODE, bytes: new Uint8Array(4096), writable: false, executable: true },
  ]);
  const regsIn: Regs = {};
  for (let r = 0; r < 16; r++) regsIn[r] = d32(r * 4, r * 4 + 1, r * 4 + 2, 0x80000000 + r);
  const save = runCase(cpu, "480fae4310", { x: regsIn, mx: 0x9fc0 | MM, m: "aa".repeat(1024) }).result;
  assert.equal(save.exception?.vector, 3);
  const image = save.windows[0]!.subarray(16, 16 + 512);
  const dv = new DataView(image.buffer, image.byteOffset, 512);
  assert.equal(dv.getUint32(24, true), 0x9fc0 | MM);
  assert.equal(dv.getUint32(28, true), 0x2ffff);
  for (let r = 0; r < 16; r++) assert.equal(hex(image.subarray(160 + r * 16, 176 + r * 16)), regsIn[r]);
  assert.equal(hex(image.subarray(416, 512)), "aa".repeat(96));
  const restore = runCase(cpu, "480fae4b10", { mx: MASKALL, m: "00".repeat(16) + hex(image) }).result;
  assert.equal(restore.exception?.vector, 3);
  assert.equal(restore.state.mxcsr, 0x9fc0 | MM);
  for (let r = 0; r < 16; r++) assert.equal(hex(restore.state.xmm.subarray(r * 16, r * 16 + 16)), regsIn[r]);
});

// With the guest's virtual CR0.TS set (fpu_taskswitch) SSE instructions raise #NM so the
// guest can switch FPU state lazily; movnti is an integer store and does not.
test("SSE instructions raise #NM while the guest's CR0.TS is set", () => {
  const cpu = new EmuCpu();
  cpu.map([
    { va: DATA, bytes: new Uint8Array(DATA_SIZE), writable: true, executable: false },
    { va: CODE, bytes: new Uint8Array(4096), writable: false, executable: true },
  ]);
  const x = cpu.core.exports;
  const ts = x.vcpuCtlAddr(x.domainVcpu(1, 0)) + VC_FPU_TS;
  cpu.core.dv().setUint32(ts, 1, true);
  for (const code of ["0f58c1", "660fefc1", "0fae5b00", "0fae03", "f30f2dc1"]) {
    assert.equal(runCase(cpu, code, {}).result.exception?.vector, 7, code);
  }
  assert.equal(runCase(cpu, "0fc30b", {}).result.exception?.vector, 3);
  assert.equal(runCase(cpu, "0ffcc1", {}).result.exception?.vector, 6); // #UD outranks #NM
  cpu.core.dv().setUint32(ts, 0, true);
  assert.equal(runCase(cpu, "0f58c1", {}).result.exception?.vector, 3);
});
