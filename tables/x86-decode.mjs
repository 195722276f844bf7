// Decode attributes of every x86-64 opcode, one character per opcode, 16 per row.
// The single source for the core's decoder (generated into assembly/cpu/gen/decode_table.ts
// by scripts/gen-tables.mjs) and for the CPU differential test generator (test/cpu/).
//   -  no operands beyond the opcode        m  ModRM
//   b  ModRM + imm8                         z  ModRM + imm16/32 (by operand size)
//   i  imm8                                 Z  imm16/32 (by operand size)
//   d  imm32 always (near call/jmp/jcc)     w  imm16
//   v  imm16/32/64 (mov reg, imm)           e  imm16 + imm8 (enter)
//   o  moffs (8 bytes, 4 with 0x67)         f  ModRM + imm8 when ModRM.reg < 2 (F6)
//   F  ModRM + imm16/32 when ModRM.reg < 2 (F7)
//   x  invalid in 64-bit mode (#UD)         p  prefix byte
export const MAP_1BYTE = [
  "mmmmiZxxmmmmiZx-", // 00 add or (0F escape)
  "mmmmiZxxmmmmiZxx", // 10 adc sbb
  "mmmmiZpxmmmmiZpx", // 20 and sub
  "mmmmiZpxmmmmiZpx", // 30 xor cmp
  "pppppppppppppppp", // 40 REX
  "----------------", // 50 push pop
  "xxxmppppZzib----", // 60 (62 EVEX), movsxd, prefixes, push iz, imul, push ib, imul, ins/outs
  "iiiiiiiiiiiiiiii", // 70 jcc rel8
  "bzxbmmmmmmmmmmmm", // 80 groups, test, xchg, mov, lea, mov sreg, pop
  "----------x-----", // 90 xchg, cbw, cwd, (9A), fwait, pushf, popf, sahf, lahf
  "oooo----iZ------", // A0 mov moffs, movs, cmps, test, stos, lods, scas
  "iiiiiiiivvvvvvvv", // B0 mov reg, imm
  "bbw-xxbze-w--ix-", // C0 shift groups, ret, (VEX), mov, enter, leave, retf, int3, int, into, iret
  "mmmmxxx-mmmmmmmm", // D0 shift groups, xlat, x87
  "iiiiiiiiddxi----", // E0 loop, jrcxz, in/out imm, call, jmp, jmp rel8, in/out dx
  "p-pp--fF------mm", // F0 lock, int1, rep, hlt, cmc, group3, clc..std, group4, group5
];

export const MAP_0F = [
  "mmmmx-----x-xmxx", // 00 grp6 grp7 lar lsl, syscall clts sysret invd wbinvd ud2 prefetch
  "mmmmmmmmmmmmmmmm", // 10 sse moves, hints, nop r/m
  "mmmmxxxxmmmmmmmm", // 20 mov cr/dr, sse
  "--------xxxxxxxx", // 30 wrmsr rdtsc rdmsr rdpmc sysenter sysexit (getsec), 38/3A escapes handled apart
  "mmmmmmmmmmmmmmmm", // 40 cmovcc
  "mmmmmmmmmmmmmmmm", // 50 sse
  "mmmmmmmmmmmmmmmm", // 60 sse
  "bbbbmmm-xxxxmmmm", // 70 pshuf, shift imm, pcmpeq, emms, (vmread/vmwrite), haddpd, movd/movq
  "dddddddddddddddd", // 80 jcc rel32
  "mmmmmmmmmmmmmmmm", // 90 setcc
  "---mbmxx---mbmmm", // A0 push/pop fs, cpuid, bt, shld, push/pop gs, rsm, bts, shrd, grp15, imul
  "mmmmmmmmmmbmmmmm", // B0 cmpxchg, lss, btr, lfs, lgs, movzx, popcnt, ud1, grp8, btc, bsf, bsr, movsx
  "mmbmbbbm--------", // C0 xadd, cmpps, movnti, pinsrw, pextrw, shufps, grp9, bswap
  "mmmmmmmmmmmmmmmm", // D0 sse
  "mmmmmmmmmmmmmmmm", // E0 sse
  "mmmmmmmmmmmmmmmm", // F0 sse
];

// 0F 38 xx: ModRM, no immediate; 0F 3A xx: ModRM + imm8.
export const MAP_0F38 = Array(16).fill("mmmmmmmmmmmmmmmm");
export const MAP_0F3A = Array(16).fill("bbbbbbbbbbbbbbbb");

export const ATTR_CODES = {
  "-": 0x00, m: 0x01, b: 0x01 | (1 << 1), z: 0x01 | (3 << 1), i: 1 << 1, Z: 3 << 1, d: 9 << 1, w: 2 << 1,
  v: 4 << 1, e: 5 << 1, o: 6 << 1, f: 0x01 | (7 << 1), F: 0x01 | (8 << 1), x: 0x20, p: 0x40,
};
