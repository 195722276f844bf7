/*
 * 64- and 32-bit integer arithmetic: division and remainder by constants (the compiler turns those into
 * multiplications and shifts) and by variables (the divide instructions), signed and unsigned, with
 * negative operands; widening and narrowing; a binary GCD; integer square roots; and modular
 * exponentiation driving a Miller-Rabin primality test over 32-bit numbers.
 */
#include <stdint.h>

#include "wl.h"

/* Signed division that C defines for every pair: no division by zero, no INT_MIN / -1. */
static int64_t sdiv(int64_t a, int64_t b)
{
	return b == 0 || (b == -1 && a == INT64_MIN) ? 0 : a / b;
}

static int64_t smod(int64_t a, int64_t b)
{
	return b == 0 || b == -1 ? 0 : a % b;
}

static uint64_t gcd(uint64_t a, uint64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	int shift = __builtin_ctzl(a | b);

	a >>= __builtin_ctzl(a);
	do {
		b >>= __builtin_ctzl(b);
		if (a > b) {
			uint64_t t = a;

			a = b;
			b = t;
		}
		b -= a;
	} while (b);
	return a << shift;
}

static uint64_t isqrt(uint64_t n)
{
	uint64_t x = n, y = x / 2 + (x & 1); /* (x + 1) / 2 without overflow */

	if (n < 2)
		return n;
	while (y < x) {
		x = y;
		y = (x + n / x) / 2;
	}
	return x;
}

static uint32_t powmod32(uint32_t b, uint32_t e, uint32_t m)
{
	uint64_t r = 1, x = b % m;

	while (e) {
		if (e & 1)
			r = r * x % m;
		x = x * x % m;
		e >>= 1;
	}
	return (uint32_t)r;
}

static int is_prime32(uint32_t n)
{
	static const uint32_t bases[] = { 2, 3, 5, 7 }; /* enough for every n < 3,215,031,751 */

	if (n < 2)
		return 0;
	for (int i = 0; i < 4; i++)
		if (n % bases[i] == 0)
			return n == bases[i];
	uint32_t d = n - 1;
	int s = 0;

	while (!(d & 1)) {
		d >>= 1;
		s++;
	}
	for (int i = 0; i < 4; i++) {
		uint64_t x = powmod32(bases[i], d, n);

		if (x == 1 || x == n - 1)
			continue;
		int composite = 1;
		for (int k = 1; k < s && composite; k++) {
			x = x * x % n;
			if (x == n - 1)
				composite = 0;
		}
		if (composite)
			return 0;
	}
	return 1;
}

uint64_t wl_test_int64(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	for (int i = 0; i < 4000; i++) {
		uint64_t u = wl_shifted(&r);
		uint64_t v = wl_shifted(&r) | 1;
		int64_t s = (int64_t)wl_next(&r);
		int64_t t = (int64_t)wl_shifted63(&r) * ((i & 2) ? -1 : 1);
		s >>= wl_below(&r, 64);

		uint32_t a = (uint32_t)u, b = (uint32_t)v | 1;
		int32_t c = (int32_t)s, d = (int32_t)(t >> 3);

		if (i % 97 == 0)
			s = INT64_MIN; /* the edge the helpers guard */
		if (i % 89 == 0)
			t = -1;

		/* By constants. */
		h = wl_mix(h, u / 10 + u % 10 + u / 7 + u % 7 + u / 1000000007 + u % 641);
		h = wl_mix(h, (uint64_t)(s / 10 + s % 10 + s / 7 + s % 7 + s / -3 + s % 1000003));
		h = wl_mix(h, (uint64_t)(a / 3 + a % 3 + a / 60 + a % 1000 + (uint32_t)c / 24));
		h = wl_mix(h, (uint64_t)(int64_t)(c / 5 + c % 5 + c / 16 + c % 16 + c / -7));
		/* By variables. */
		h = wl_mix(h, u / v + u % v);
		h = wl_mix(h, (uint64_t)sdiv(s, t) ^ (uint64_t)smod(s, t) << 1);
		h = wl_mix(h, (uint64_t)(a / b + a % b));
		if (d != 0 && !(c == INT32_MIN && d == -1))
			h = wl_mix(h, (uint64_t)(int64_t)(c / d) + (uint64_t)(int64_t)(c % d));
		/* Widening and narrowing, shifts of negative values (arithmetic in GNU C). */
		h = wl_mix(h, (uint64_t)(int64_t)(int8_t)u ^ (uint64_t)(int64_t)(int16_t)v << 8 ^
				      (uint64_t)(uint16_t)s << 24 ^ (uint64_t)(s >> (i & 63)));
		h = wl_mix(h, (uint64_t)((int64_t)c * d) ^ ((uint64_t)a * b) ^ (uint64_t)(u * v));
		h = wl_mix(h, gcd(u, v) + isqrt(u));
	}

	uint64_t primes = 0, psum = 0;
	uint32_t start = (uint32_t)wl_next(&r) >> 1;
	for (uint32_t n = start; n < start + 6000; n++) {
		if (is_prime32(n)) {
			primes++;
			psum += n;
		}
	}
	h = wl_mix(h, primes);
	h = wl_mix(h, psum);
	return h;
}
