/*
 * cpubench workload: each iteration runs six small integer kernels on data drawn from a PRNG
 * seeded by the iteration number and folds their results into one checksum:
 *   - table-driven CRC-32 over a 16 KiB buffer, and 64-bit FNV-1a over the same bytes
 *   - a quicksort (median of three, insertion sort below a cutoff) of 2048 words
 *   - an open-addressing hash table with linear probing: inserts, then lookups
 *   - a stack-machine bytecode interpreter (a switch the compiler turns into a jump table)
 *   - naive substring search in a text over a 4-letter alphabet
 *   - a recursive n-queens count
 *
 * Everything is plain C with explicit widths and no 64-bit division, so the x86-64 and i386
 * builds agree on the checksum. No library calls: it links into freestanding kernels.
 */
#include "cpubench.h"

#define BUF_WORDS   4096u
#define SORT_N      2048u
#define SORT_CUTOFF 16
#define TABLE_BITS  13
#define TABLE_SIZE  (1u << TABLE_BITS)
#define HASH_KEYS   3000u
#define TEXT_LEN    4096u
#define PATTERNS    4u
#define VM_LOOPS    800u

static uint32_t crc_table[256];
static uint32_t buf[BUF_WORDS];
static uint32_t sort_a[SORT_N];
static uint32_t tab_key[TABLE_SIZE];
static uint32_t tab_val[TABLE_SIZE];
static uint8_t text[TEXT_LEN];

static inline uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* Folds one value into a running checksum. */
static inline uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h = (h << 13) | (h >> 19);
	return h * 0x9E3779B1u + 0x7F4A7C15u;
}

/* The murmur3 finaliser: spreads every key bit over the table index. */
static inline uint32_t fmix32(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x85EBCA6Bu;
	k ^= k >> 13;
	k *= 0xC2B2AE35u;
	k ^= k >> 16;
	return k;
}

/* ---- CRC-32 (reflected, polynomial 0xEDB88320) and FNV-1a 64 ---- */

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_bytes(const uint8_t *p, uint32_t n)
{
	uint32_t c = 0xFFFFFFFFu;

	while (n--)
		c = crc_table[(c ^ *p++) & 0xFF] ^ (c >> 8);
	return ~c;
}

static uint64_t fnv1a64(const uint8_t *p, uint32_t n)
{
	uint64_t h = 0xCBF29CE484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001B3ull;
	}
	return h;
}

static uint32_t bench_crc(uint32_t seed)
{
	uint32_t s = seed;

	for (uint32_t i = 0; i < BUF_WORDS; i++)
		buf[i] = xorshift32(&s);
	uint32_t c = crc32_bytes((const uint8_t *)buf, sizeof(buf));
	uint64_t f = fnv1a64((const uint8_t *)buf, sizeof(buf) / 4);
	return mix(c, (uint32_t)f ^ (uint32_t)(f >> 32));
}

/* ---- quicksort ---- */

static void insertion_sort(uint32_t *a, int32_t lo, int32_t hi)
{
	for (int32_t i = lo + 1; i <= hi; i++) {
		uint32_t v = a[i];
		int32_t j = i - 1;

		while (j >= lo && a[j] > v) {
			a[j + 1] = a[j];
			j--;
		}
		a[j + 1] = v;
	}
}

static inline void swap32(uint32_t *a, int32_t i, int32_t j)
{
	uint32_t t = a[i];

	a[i] = a[j];
	a[j] = t;
}

/* Sorts a[lo..hi]; recurses into the smaller part so the depth stays logarithmic. */
static void quick_sort(uint32_t *a, int32_t lo, int32_t hi)
{
	while (hi - lo > SORT_CUTOFF) {
		int32_t mid = lo + (hi - lo) / 2;

		if (a[mid] < a[lo])
			swap32(a, mid, lo);
		if (a[hi] < a[lo])
			swap32(a, hi, lo);
		if (a[hi] < a[mid])
			swap32(a, hi, mid);
		uint32_t pivot = a[mid];
		int32_t i = lo - 1, j = hi + 1;

		for (;;) {
			do
				i++;
			while (a[i] < pivot);
			do
				j--;
			while (a[j] > pivot);
			if (i >= j)
				break;
			swap32(a, i, j);
		}
		if (j - lo < hi - j) {
			quick_sort(a, lo, j);
			lo = j + 1;
		} else {
			quick_sort(a, j + 1, hi);
			hi = j;
		}
	}
	insertion_sort(a, lo, hi);
}

static uint32_t bench_sort(uint32_t seed)
{
	uint32_t s = seed ^ 0xA5A5A5A5u;
	uint32_t h = 0;

	for (uint32_t i = 0; i < SORT_N; i++)
		sort_a[i] = xorshift32(&s) & 0xFFFFF;
	quick_sort(sort_a, 0, (int32_t)SORT_N - 1);
	for (uint32_t i = 1; i < SORT_N; i++)
		if (sort_a[i - 1] > sort_a[i])
			return 0xBAD50127u;
	for (uint32_t i = 0; i < SORT_N; i += 7)
		h = mix(h, sort_a[i]);
	return h;
}

/* ---- open-addressing hash table (key 0 marks an empty slot) ---- */

static void table_insert(uint32_t key)
{
	uint32_t i = fmix32(key) & (TABLE_SIZE - 1);

	while (tab_key[i] != 0 && tab_key[i] != key)
		i = (i + 1) & (TABLE_SIZE - 1);
	tab_key[i] = key;
	tab_val[i]++;
}

static uint32_t table_lookup(uint32_t key)
{
	uint32_t i = fmix32(key) & (TABLE_SIZE - 1);

	while (tab_key[i] != 0) {
		if (tab_key[i] == key)
			return tab_val[i];
		i = (i + 1) & (TABLE_SIZE - 1);
	}
	return 0;
}

static uint32_t bench_hash(uint32_t seed)
{
	uint32_t s = seed ^ 0x5A5A5A5Au;
	uint32_t h = 0, misses = 0;

	for (uint32_t i = 0; i < TABLE_SIZE; i++) {
		tab_key[i] = 0;
		tab_val[i] = 0;
	}
	for (uint32_t i = 0; i < HASH_KEYS; i++)
		table_insert((xorshift32(&s) & 0x3FFF) + 1);
	for (uint32_t i = 0; i < HASH_KEYS; i++) {
		uint32_t v = table_lookup((xorshift32(&s) & 0x3FFF) + 1);

		if (v == 0)
			misses++;
		h += v;
	}
	for (uint32_t i = 0; i < TABLE_SIZE; i += 5)
		h = mix(h, tab_key[i] * tab_val[i]);
	return mix(h, misses);
}

/* ---- bytecode interpreter ---- */

enum {
	OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_XOR, OP_AND, OP_OR,
	OP_SHL, OP_SHR, OP_DUP, OP_DROP, OP_LT, OP_JZ, OP_JMP, OP_INC, OP_HALT,
};

#define I(op, arg) ((uint32_t)(op) | (uint32_t)(arg) << 8)

/*
 * r0 = i, r1 = acc, r2 = n, r3 = sum:
 *   while (i < n) { acc = acc * 31 ^ i; acc ^= acc >> 7; if (acc & 1) sum += i; i++; }
 *   return acc ^ sum
 */
static const uint32_t vm_program[] = {
	/*  0 */ I(OP_LOAD, 0), I(OP_LOAD, 2), I(OP_LT, 0), I(OP_JZ, 26),
	/*  4 */ I(OP_LOAD, 1), I(OP_PUSH, 31), I(OP_MUL, 0), I(OP_LOAD, 0), I(OP_XOR, 0), I(OP_STORE, 1),
	/* 10 */ I(OP_LOAD, 1), I(OP_DUP, 0), I(OP_PUSH, 7), I(OP_SHR, 0), I(OP_XOR, 0), I(OP_STORE, 1),
	/* 16 */ I(OP_LOAD, 1), I(OP_PUSH, 1), I(OP_AND, 0), I(OP_JZ, 24),
	/* 20 */ I(OP_LOAD, 3), I(OP_LOAD, 0), I(OP_ADD, 0), I(OP_STORE, 3),
	/* 24 */ I(OP_INC, 0), I(OP_JMP, 0),
	/* 26 */ I(OP_LOAD, 1), I(OP_LOAD, 3), I(OP_XOR, 0), I(OP_HALT, 0),
};

static uint32_t vm_run(const uint32_t *code, uint32_t *reg)
{
	uint32_t stack[16];
	uint32_t sp = 0, pc = 0;

	for (;;) {
		uint32_t ins = code[pc++];
		uint32_t arg = ins >> 8;

		switch (ins & 0xFF) {
		case OP_PUSH: stack[sp++] = arg; break;
		case OP_LOAD: stack[sp++] = reg[arg & 7]; break;
		case OP_STORE: reg[arg & 7] = stack[--sp]; break;
		case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
		case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
		case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
		case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
		case OP_AND: sp--; stack[sp - 1] &= stack[sp]; break;
		case OP_OR: sp--; stack[sp - 1] |= stack[sp]; break;
		case OP_SHL: sp--; stack[sp - 1] <<= stack[sp] & 31; break;
		case OP_SHR: sp--; stack[sp - 1] >>= stack[sp] & 31; break;
		case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
		case OP_DROP: sp--; break;
		case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
		case OP_JZ: if (stack[--sp] == 0) pc = arg; break;
		case OP_JMP: pc = arg; break;
		case OP_INC: reg[arg & 7]++; break;
		case OP_HALT: return stack[sp - 1];
		default: return 0xBADC0DEu;
		}
		sp &= 15;
	}
}

static uint32_t bench_vm(uint32_t seed)
{
	uint32_t reg[8] = { 0, seed, VM_LOOPS, 0, 0, 0, 0, 0 };

	return vm_run(vm_program, reg);
}

/* ---- substring search ---- */

static uint32_t count_matches(const uint8_t *t, uint32_t n, const uint8_t *p, uint32_t m)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i + m <= n; i++) {
		uint32_t k = 0;

		while (k < m && t[i + k] == p[k])
			k++;
		if (k == m)
			count++;
	}
	return count;
}

static uint32_t bench_search(uint32_t seed)
{
	uint32_t s = seed ^ 0x3C3C3C3Cu;
	uint32_t h = 0;

	for (uint32_t i = 0; i < TEXT_LEN; i++)
		text[i] = (uint8_t)('a' + (xorshift32(&s) >> 30));
	for (uint32_t k = 0; k < PATTERNS; k++) {
		uint32_t r = xorshift32(&s);
		uint32_t len = 5 + (r & 3);
		uint32_t at = (r >> 8) & (TEXT_LEN - 16);

		h = mix(h, count_matches(text, TEXT_LEN, text + at, len));
	}
	return h;
}

/* ---- recursion: n-queens by bitmasks ---- */

static uint32_t queens(uint32_t cols, uint32_t left, uint32_t right, uint32_t full)
{
	uint32_t n = 0;
	uint32_t avail = full & ~(cols | left | right);

	if (cols == full)
		return 1;
	while (avail) {
		uint32_t bit = avail & (0u - avail);

		avail ^= bit;
		n += queens(cols | bit, (left | bit) << 1, (right | bit) >> 1, full);
	}
	return n;
}

static uint32_t bench_queens(uint32_t seed)
{
	uint32_t size = 7 + (seed & 1);

	return queens(0, 0, 0, (1u << size) - 1);
}

uint32_t cpubench_run(uint32_t iterations)
{
	uint32_t h = 0x811C9DC5u;

	crc_init();
	for (uint32_t it = 0; it < iterations; it++) {
		uint32_t seed = fmix32(it + 0x9E3779B9u) | 1;

		h = mix(h, bench_crc(seed));
		h = mix(h, bench_sort(seed));
		h = mix(h, bench_hash(seed));
		h = mix(h, bench_vm(seed));
		h = mix(h, bench_search(seed));
		h = mix(h, bench_queens(seed));
	}
	return h;
}
