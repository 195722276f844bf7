/*
 * Recursion: Ackermann, naive Fibonacci, N-queens by backtracking, a binary search tree in a static
 * node pool (recursive insert, walks and height), and a recursive-descent parser evaluating seeded
 * arithmetic expressions it first generates recursively. Depths stay small: the guest's stack is 16 KiB.
 */
#include <stdint.h>

#include "wl.h"

#define POOL 4096
#define EXPR_MAX 4096

static uint64_t ack(uint64_t m, uint64_t n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static uint64_t fib(unsigned n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint64_t queens(unsigned n, unsigned row, uint32_t cols, uint32_t d1, uint32_t d2)
{
	if (row == n)
		return 1;
	uint64_t count = 0;
	uint32_t avail = ~(cols | d1 | d2) & ((1u << n) - 1);

	while (avail) {
		uint32_t bit = avail & (0u - avail);

		avail ^= bit;
		count += queens(n, row + 1, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
	}
	return count;
}

struct node {
	struct node *left, *right;
	uint64_t key;
	uint32_t count; /* how many times key was inserted */
};

static struct node pool[POOL];
static unsigned pool_used;

static struct node *insert(struct node *t, uint64_t key)
{
	if (!t) {
		if (pool_used == POOL)
			return 0;
		t = &pool[pool_used++];
		t->left = t->right = 0;
		t->key = key;
		t->count = 1;
		return t;
	}
	if (key == t->key)
		t->count++;
	else if (key < t->key)
		t->left = insert(t->left, key);
	else
		t->right = insert(t->right, key);
	return t;
}

static unsigned height(const struct node *t)
{
	if (!t)
		return 0;
	unsigned l = height(t->left), r = height(t->right);

	return 1 + (l > r ? l : r);
}

/* In order: the fold is order-sensitive, so a mis-linked tree shows. */
static uint64_t walk(const struct node *t, uint64_t h)
{
	if (!t)
		return h;
	h = walk(t->left, h);
	h = wl_mix(h, t->key + t->count);
	return walk(t->right, h);
}

/* Keys in [lo, hi] that are in the tree, visiting only the subtrees that can hold them. */
static uint64_t range_count(const struct node *t, uint64_t lo, uint64_t hi)
{
	if (!t)
		return 0;
	if (t->key < lo)
		return range_count(t->right, lo, hi);
	if (t->key > hi)
		return range_count(t->left, lo, hi);
	return t->count + range_count(t->left, lo, hi) + range_count(t->right, lo, hi);
}

/* Expressions: generated recursively into text, then parsed and evaluated with wrapping arithmetic. */
static char expr[EXPR_MAX];
static unsigned expr_len;

static void put(char c)
{
	if (expr_len < EXPR_MAX - 1)
		expr[expr_len++] = c;
}

static void gen(struct wl_rng *r, int depth)
{
	uint64_t k = wl_below(r, 10);

	if (depth == 0 || k < 3) {
		uint64_t v = wl_below(r, k == 0 ? 100000 : 100);
		char digits[8];
		int n = 0;

		do {
			digits[n++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (n)
			put(digits[--n]);
	} else if (k < 4) {
		put('-');
		gen(r, depth - 1);
	} else if (k < 5) {
		put('(');
		gen(r, depth - 1);
		put(')');
	} else {
		static const char ops[] = "+-*/%+*";

		gen(r, depth - 1);
		put(ops[wl_below(r, 7)]);
		gen(r, depth - 1);
	}
}

static const char *pos;

static int64_t parse_expr(void);

static int64_t wrap(uint64_t v)
{
	return (int64_t)v;
}

static int64_t parse_factor(void)
{
	if (*pos == '-') {
		pos++;
		return wrap(0 - (uint64_t)parse_factor());
	}
	if (*pos == '(') {
		pos++;
		int64_t v = parse_expr();
		if (*pos == ')')
			pos++;
		return v;
	}
	uint64_t v = 0;
	while (*pos >= '0' && *pos <= '9')
		v = v * 10 + (uint64_t)(*pos++ - '0');
	return wrap(v);
}

/* Division by zero gives 0, and INT64_MIN / -1 wraps, so every expression has a value. */
static int64_t divide(int64_t a, int64_t b, int rem)
{
	if (b == 0)
		return 0;
	if (b == -1)
		return rem ? 0 : wrap(0 - (uint64_t)a);
	return rem ? a % b : a / b;
}

static int64_t parse_term(void)
{
	int64_t v = parse_factor();

	for (;;) {
		char op = *pos;

		if (op != '*' && op != '/' && op != '%')
			return v;
		pos++;
		int64_t w = parse_factor();
		v = op == '*' ? wrap((uint64_t)v * (uint64_t)w) : divide(v, w, op == '%');
	}
}

static int64_t parse_expr(void)
{
	int64_t v = parse_term();

	for (;;) {
		char op = *pos;

		if (op != '+' && op != '-')
			return v;
		pos++;
		int64_t w = parse_term();
		v = wrap(op == '+' ? (uint64_t)v + (uint64_t)w : (uint64_t)v - (uint64_t)w);
	}
}

uint64_t wl_test_recurse(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	h = wl_mix(h, ack(2, 20 + wl_below(&r, 10)));
	h = wl_mix(h, ack(3, 4));
	h = wl_mix(h, fib(20 + (unsigned)wl_below(&r, 3)));
	for (unsigned n = 4; n <= 8; n++)
		h = wl_mix(h, queens(n, 0, 0, 0, 0));

	for (int t = 0; t < 3; t++) {
		struct node *root = 0;

		pool_used = 0;
		for (int i = 0; i < POOL + 100; i++) {
			/* Narrow key ranges in later trees: more duplicates. */
			uint64_t key = t == 0 ? wl_next(&r) : wl_below(&r, t == 1 ? 3000 : 300);
			struct node *n = insert(root, key);

			if (n)
				root = n;
		}
		h = wl_mix(h, pool_used);
		h = wl_mix(h, height(root));
		h = wl_mix(h, walk(root, 0));
		for (int q = 0; q < 50; q++) {
			uint64_t lo = t == 0 ? wl_next(&r) : wl_below(&r, 3000);
			uint64_t hi = lo + (t == 0 ? wl_next(&r) >> 4 : wl_below(&r, 500));

			h = wl_mix(h, range_count(root, lo, hi < lo ? ~0UL : hi));
		}
	}

	for (int e = 0; e < 40; e++) {
		expr_len = 0;
		gen(&r, 3 + e % 6);
		expr[expr_len] = 0;
		pos = expr;
		h = wl_mix(h, (uint64_t)parse_expr());
		h = wl_mix(h, (uint64_t)(pos - expr) ^ (uint64_t)expr_len << 20);
	}
	return h;
}
