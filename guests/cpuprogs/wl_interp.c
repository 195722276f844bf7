/*
 * A bytecode interpreter: a 16-register machine with 32 opcodes, run twice over the same programs,
 * once dispatching through a dense `switch` (gcc makes it a jump table) and once through a table of
 * label addresses (`goto *`, a GNU C extension). The programs (a sieve, Collatz lengths, recursive
 * Fibonacci with CALL/RET, a mixing loop that uses every arithmetic opcode) are written for a small
 * two-pass assembler that resolves labels into relative jumps.
 */
#include <stdint.h>

#include "wl.h"

enum {
	HALT, LI, LUI, MOV, ADD, SUB, MUL, DIVU, REMU, AND, OR, XOR, SHL, SHR, SAR, ADDI,
	LD, ST, JMP, JZ, JNZ, JLTU, JLTS, JEQ, CALL, RET, SLTU, MIX, OUT, NEG, ROL, MULHU,
	LABEL = 0x80, /* assembler only: defines label x */
};

/* Instruction word: op | a << 8 | b << 16 | c << 24, or op | a << 8 | imm16 << 16. */
#define MEM_WORDS 8192
#define PROG_MAX 256
#define CALL_DEPTH 64
#define STEP_LIMIT 5000000

struct src {
	uint8_t op, a, b;
	int16_t x; /* register c, an immediate, or a label number */
};

struct vm_result {
	uint64_t out;   /* every OUT folded in */
	uint64_t steps; /* instructions executed */
	int status;     /* 0 halted; 1 bad pc; 2 call stack over/underflow; 3 step limit */
};

static uint64_t mem[MEM_WORDS];

static int is_jump(int op)
{
	return op == JMP || op == JZ || op == JNZ || op == JLTU || op == JLTS || op == JEQ || op == CALL;
}

/* Labels become offsets relative to the next instruction. Returns the length, or -1 if out of range. */
static int assemble(const struct src *s, int n, uint32_t *out)
{
	int label[32] = { 0 };
	int pc = 0;

	for (int i = 0; i < n; i++) {
		if (s[i].op == LABEL)
			label[s[i].x & 31] = pc;
		else
			pc++;
	}
	pc = 0;
	for (int i = 0; i < n; i++) {
		uint32_t op = s[i].op, a = s[i].a, b = s[i].b, x = (uint16_t)s[i].x;

		if (op == LABEL)
			continue;
		if (is_jump((int)op)) {
			int rel = label[s[i].x & 31] - (pc + 1);
			int wide = op == JMP || op == JZ || op == JNZ || op == CALL;

			if (wide ? rel < -32768 || rel > 32767 : rel < -128 || rel > 127)
				return -1;
			x = (uint16_t)rel;
		}
		if (op == LI || op == LUI || op == JMP || op == JZ || op == JNZ || op == CALL)
			out[pc++] = op | a << 8 | x << 16;
		else
			out[pc++] = op | a << 8 | b << 16 | (x & 0xff) << 24;
	}
	return pc;
}

static uint64_t vm_mix(uint64_t v)
{
	v ^= v >> 31;
	v *= 0x7fb5d329728ea185UL;
	return v ^ (v >> 27);
}

static uint64_t rol64(uint64_t v, unsigned s)
{
	s &= 63;
	return s ? (v << s) | (v >> (64 - s)) : v;
}

#define A (r[(w >> 8) & 15])
#define B (r[(w >> 16) & 15])
#define C (r[(w >> 24) & 15])
#define IMM8 ((int64_t)(int8_t)(w >> 24))
#define IMM16 ((int64_t)(int16_t)(w >> 16))
#define ADDR(base) (((base) + (uint64_t)IMM8) & (MEM_WORDS - 1))

static struct vm_result run_switch(const uint32_t *prog, int len, uint64_t arg)
{
	uint64_t r[16] = { arg };
	int stack[CALL_DEPTH];
	int sp = 0, pc = 0;
	struct vm_result res = { 0, 0, 0 };

	for (;;) {
		if (pc < 0 || pc >= len) {
			res.status = 1;
			return res;
		}
		if (++res.steps > STEP_LIMIT) {
			res.status = 3;
			return res;
		}
		uint32_t w = prog[pc++];

		switch (w & 0xff) {
		case HALT: return res;
		case LI: A = (uint64_t)IMM16; break;
		case LUI: A = A << 16 | (uint16_t)(w >> 16); break;
		case MOV: A = B; break;
		case ADD: A = B + C; break;
		case SUB: A = B - C; break;
		case MUL: A = B * C; break;
		case DIVU: A = C ? B / C : ~0UL; break;
		case REMU: A = C ? B % C : B; break;
		case AND: A = B & C; break;
		case OR: A = B | C; break;
		case XOR: A = B ^ C; break;
		case SHL: A = B << (C & 63); break;
		case SHR: A = B >> (C & 63); break;
		case SAR: A = (uint64_t)((int64_t)B >> (C & 63)); break;
		case ADDI: A = B + (uint64_t)IMM8; break;
		case LD: A = mem[ADDR(B)]; break;
		case ST: mem[ADDR(B)] = A; break;
		case JMP: pc += (int)IMM16; break;
		case JZ: if (!A) pc += (int)IMM16; break;
		case JNZ: if (A) pc += (int)IMM16; break;
		case JLTU: if (A < B) pc += (int)IMM8; break;
		case JLTS: if ((int64_t)A < (int64_t)B) pc += (int)IMM8; break;
		case JEQ: if (A == B) pc += (int)IMM8; break;
		case CALL:
			if (sp == CALL_DEPTH) {
				res.status = 2;
				return res;
			}
			stack[sp++] = pc;
			pc += (int)IMM16;
			break;
		case RET:
			if (sp == 0) {
				res.status = 2;
				return res;
			}
			pc = stack[--sp];
			break;
		case SLTU: A = B < C; break;
		case MIX: A = vm_mix(B); break;
		case OUT: res.out = res.out * 31 + A; break;
		case NEG: A = 0 - B; break;
		case ROL: A = rol64(B, (unsigned)C); break;
		case MULHU: A = (uint64_t)(((unsigned __int128)B * C) >> 64); break;
		default:
			res.status = 4;
			return res;
		}
	}
}

static struct vm_result run_threaded(const uint32_t *prog, int len, uint64_t arg)
{
	static const void *const ops[32] = {
		&&op_halt, &&op_li, &&op_lui, &&op_mov, &&op_add, &&op_sub, &&op_mul, &&op_divu,
		&&op_remu, &&op_and, &&op_or, &&op_xor, &&op_shl, &&op_shr, &&op_sar, &&op_addi,
		&&op_ld, &&op_st, &&op_jmp, &&op_jz, &&op_jnz, &&op_jltu, &&op_jlts, &&op_jeq,
		&&op_call, &&op_ret, &&op_sltu, &&op_mix, &&op_out, &&op_neg, &&op_rol, &&op_mulhu,
	};
	uint64_t r[16] = { arg };
	int stack[CALL_DEPTH];
	int sp = 0, pc = 0;
	uint32_t w;
	struct vm_result res = { 0, 0, 0 };

#define NEXT                                                    \
	do {                                                    \
		if (pc < 0 || pc >= len) {                      \
			res.status = 1;                         \
			return res;                             \
		}                                               \
		if (++res.steps > STEP_LIMIT) {                 \
			res.status = 3;                         \
			return res;                             \
		}                                               \
		w = prog[pc++];                                 \
		if ((w & 0xff) >= 32) {                         \
			res.status = 4;                         \
			return res;                             \
		}                                               \
		goto *ops[w & 0xff];                            \
	} while (0)

	NEXT;
op_halt: return res;
op_li: A = (uint64_t)IMM16; NEXT;
op_lui: A = A << 16 | (uint16_t)(w >> 16); NEXT;
op_mov: A = B; NEXT;
op_add: A = B + C; NEXT;
op_sub: A = B - C; NEXT;
op_mul: A = B * C; NEXT;
op_divu: A = C ? B / C : ~0UL; NEXT;
op_remu: A = C ? B % C : B; NEXT;
op_and: A = B & C; NEXT;
op_or: A = B | C; NEXT;
op_xor: A = B ^ C; NEXT;
op_shl: A = B << (C & 63); NEXT;
op_shr: A = B >> (C & 63); NEXT;
op_sar: A = (uint64_t)((int64_t)B >> (C & 63)); NEXT;
op_addi: A = B + (uint64_t)IMM8; NEXT;
op_ld: A = mem[ADDR(B)]; NEXT;
op_st: mem[ADDR(B)] = A; NEXT;
op_jmp: pc += (int)IMM16; NEXT;
op_jz: if (!A) pc += (int)IMM16; NEXT;
op_jnz: if (A) pc += (int)IMM16; NEXT;
op_jltu: if (A < B) pc += (int)IMM8; NEXT;
op_jlts: if ((int64_t)A < (int64_t)B) pc += (int)IMM8; NEXT;
op_jeq: if (A == B) pc += (int)IMM8; NEXT;
op_call:
	if (sp == CALL_DEPTH) {
		res.status = 2;
		return res;
	}
	stack[sp++] = pc;
	pc += (int)IMM16;
	NEXT;
op_ret:
	if (sp == 0) {
		res.status = 2;
		return res;
	}
	pc = stack[--sp];
	NEXT;
op_sltu: A = B < C; NEXT;
op_mix: A = vm_mix(B); NEXT;
op_out: res.out = res.out * 31 + A; NEXT;
op_neg: A = 0 - B; NEXT;
op_rol: A = rol64(B, (unsigned)C); NEXT;
op_mulhu: A = (uint64_t)(((unsigned __int128)B * C) >> 64); NEXT;
#undef NEXT
}

#define L(n) { LABEL, 0, 0, n }
#define R3(op, a, b, c) { op, a, b, c }
#define RI(op, a, imm) { op, a, 0, imm }

/* r0 = n: count the primes below n and sum them. */
static const struct src sieve[] = {
	RI(LI, 2, 1), RI(LI, 1, 0),
	L(1), R3(ST, 2, 1, 0), R3(ADDI, 1, 1, 1), R3(JLTU, 1, 0, 1),
	RI(LI, 1, 2),
	L(2), R3(MUL, 3, 1, 1), R3(JLTU, 3, 0, 3), RI(JMP, 0, 6),
	L(3), R3(LD, 4, 1, 0), RI(JZ, 4, 5), RI(LI, 5, 0),
	L(4), R3(ST, 5, 3, 0), R3(ADD, 3, 3, 1), R3(JLTU, 3, 0, 4),
	L(5), R3(ADDI, 1, 1, 1), RI(JMP, 0, 2),
	L(6), RI(LI, 1, 2), RI(LI, 6, 0), RI(LI, 7, 0),
	L(7), R3(LD, 4, 1, 0), RI(JZ, 4, 8), R3(ADDI, 6, 6, 1), R3(ADD, 7, 7, 1),
	L(8), R3(ADDI, 1, 1, 1), R3(JLTU, 1, 0, 7),
	RI(OUT, 6, 0), RI(OUT, 7, 0), RI(HALT, 0, 0),
};

/* r0 = n: total and longest Collatz path over 1..n-1. */
static const struct src collatz[] = {
	RI(LI, 1, 1), RI(LI, 6, 0), RI(LI, 7, 0), RI(LI, 8, 1), RI(LI, 9, 3),
	L(1), R3(MOV, 2, 1, 0), RI(LI, 3, 0),
	L(2), R3(JEQ, 2, 8, 4), R3(AND, 4, 2, 8), RI(JZ, 4, 3),
	R3(MUL, 2, 2, 9), R3(ADDI, 2, 2, 1), R3(ADDI, 3, 3, 1), RI(JMP, 0, 2),
	L(3), R3(SHR, 2, 2, 8), R3(ADDI, 3, 3, 1), RI(JMP, 0, 2),
	L(4), R3(ADD, 6, 6, 3), R3(JLTU, 3, 7, 5), R3(MOV, 7, 3, 0),
	L(5), R3(ADDI, 1, 1, 1), R3(JLTU, 1, 0, 1),
	RI(OUT, 6, 0), RI(OUT, 7, 0), RI(HALT, 0, 0),
};

/* r0 = n: fib(n) by naive recursion; frames of two words on a stack in memory at r15. */
static const struct src fib[] = {
	R3(MOV, 1, 0, 0), RI(LI, 15, 4000), RI(CALL, 0, 1), RI(OUT, 2, 0), RI(HALT, 0, 0),
	L(1), RI(LI, 3, 2), R3(JLTU, 1, 3, 2),
	R3(ST, 1, 15, 0), R3(ADDI, 15, 15, 2), R3(ADDI, 1, 1, -1), RI(CALL, 0, 1),
	R3(ST, 2, 15, -1), R3(LD, 1, 15, -2), R3(ADDI, 1, 1, -2), RI(CALL, 0, 1),
	R3(LD, 3, 15, -1), R3(ADD, 2, 2, 3), R3(ADDI, 15, 15, -2), RI(RET, 0, 0),
	L(2), R3(MOV, 2, 1, 0), RI(RET, 0, 0),
};

/* r0 = n: a mixing loop over every arithmetic opcode; signed compare and memory traffic too. */
static const struct src mixer[] = {
	RI(LI, 1, 0), RI(LI, 2, 0x1234), RI(LUI, 2, 0x5678), RI(LUI, 2, -0x2110), RI(LI, 3, 0),
	RI(LI, 8, 63), RI(LI, 9, 7), RI(LI, 14, 0),
	L(1), R3(ADD, 2, 2, 1), R3(MIX, 2, 2, 0), R3(AND, 4, 1, 8), R3(ROL, 5, 2, 4),
	R3(XOR, 3, 3, 5), R3(MULHU, 6, 2, 5), R3(ADD, 3, 3, 6), R3(SUB, 7, 3, 2),
	R3(SAR, 7, 7, 4), R3(XOR, 3, 3, 7), R3(DIVU, 10, 3, 9), R3(REMU, 11, 3, 4),
	R3(OR, 10, 10, 11), R3(SHL, 11, 10, 9), R3(SLTU, 12, 11, 3), R3(NEG, 12, 12, 0),
	R3(AND, 12, 12, 6), R3(ADD, 3, 3, 12), R3(ST, 3, 1, 0), R3(LD, 13, 1, -5),
	R3(ADD, 3, 3, 13), R3(JLTS, 3, 14, 2), R3(SUB, 3, 3, 8),
	L(2), R3(ADDI, 1, 1, 1), R3(JLTU, 1, 0, 1),
	RI(OUT, 3, 0), RI(OUT, 2, 0), RI(HALT, 0, 0),
};

#define PROG(p) { p, (int)(sizeof(p) / sizeof(p[0])) }

uint64_t wl_test_interp(uint64_t seed)
{
	static const struct {
		const struct src *src;
		int n;
	} progs[] = { PROG(sieve), PROG(collatz), PROG(fib), PROG(mixer) };
	static uint32_t code[PROG_MAX];
	struct wl_rng rng = wl_rng_seed(seed);
	uint64_t h = 0;

	for (unsigned p = 0; p < sizeof(progs) / sizeof(progs[0]); p++) {
		static const uint64_t base[] = { 7000, 400, 17, 7000 };
		static const uint64_t spread[] = { 1000, 100, 3, 500 };
		int len = assemble(progs[p].src, progs[p].n, code);

		h = wl_mix(h, (uint64_t)len);
		if (len < 0)
			continue;
		uint64_t arg = base[p] + wl_below(&rng, spread[p]);
		for (uint64_t i = 0; i < MEM_WORDS; i++)
			mem[i] = i;
		struct vm_result s = run_switch(code, len, arg);
		for (uint64_t i = 0; i < MEM_WORDS; i++)
			mem[i] = i;
		struct vm_result t = run_threaded(code, len, arg);

		h = wl_mix(h, s.out);
		h = wl_mix(h, s.steps);
		h = wl_mix(h, (uint64_t)s.status);
		h = wl_mix(h, (s.out == t.out) + 2 * (s.steps == t.steps) + 4 * (s.status == t.status));
	}
	return h;
}
