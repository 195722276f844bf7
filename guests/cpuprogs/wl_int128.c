/*
 * 128-bit integers (unsigned __int128 and __int128): the 64x64->128 multiply, 128-bit add, subtract and
 * shifts (carry chains), division and remainder (libgcc's __udivti3, __divti3, __umodti3, __modti3),
 * 64-bit modular multiplication through them, Miller-Rabin over 64-bit numbers, and decimal formatting
 * of 128-bit values by repeated division.
 */
#include <stdint.h>

#include "wl.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

static uint64_t mulmod64(uint64_t a, uint64_t b, uint64_t m)
{
	return (uint64_t)((u128)a * b % m);
}

static uint64_t powmod64(uint64_t b, uint64_t e, uint64_t m)
{
	uint64_t r = 1 % m;

	b %= m;
	while (e) {
		if (e & 1)
			r = mulmod64(r, b, m);
		b = mulmod64(b, b, m);
		e >>= 1;
	}
	return r;
}

/* Deterministic for every 64-bit n with these twelve bases. */
static int is_prime64(uint64_t n)
{
	static const uint64_t bases[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 };

	if (n < 2)
		return 0;
	for (int i = 0; i < 12; i++)
		if (n % bases[i] == 0)
			return n == bases[i];
	uint64_t d = n - 1;
	int s = __builtin_ctzl(d);

	d >>= s;
	for (int i = 0; i < 12; i++) {
		uint64_t x = powmod64(bases[i], d, n);

		if (x == 1 || x == n - 1)
			continue;
		int k = 1;
		for (; k < s; k++) {
			x = mulmod64(x, x, n);
			if (x == n - 1)
				break;
		}
		if (k == s)
			return 0;
	}
	return 1;
}

/* Decimal digits of v, folded into a checksum (and their count). */
static uint64_t decimal(u128 v)
{
	char digits[40];
	int n = 0;
	uint64_t h = 0;

	do {
		digits[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	while (n)
		h = h * 131 + (uint64_t)digits[--n];
	return h;
}

static u128 rand128(struct wl_rng *r)
{
	u128 v = (u128)wl_next(r) << 64;

	v |= wl_next(r);
	return v >> wl_below(r, 128);
}

uint64_t wl_test_int128(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	for (int i = 0; i < 1500; i++) {
		u128 a = rand128(&r), b = rand128(&r) | 1;
		s128 sa = (s128)(a >> 1) * (i & 1 ? -1 : 1); /* |sa| < 2^127: negation cannot overflow */
		s128 sb = (s128)(b >> (1 + wl_below(&r, 100))) * (i & 2 ? -1 : 1);
		u128 q = a / b, m = a % b;

		h = wl_mix(h, (uint64_t)q ^ (uint64_t)(q >> 64) * 3);
		h = wl_mix(h, (uint64_t)m ^ (uint64_t)(m >> 64) * 5);
		h = wl_mix(h, (uint64_t)(q * b + m == a));
		if (sb != 0) {
			s128 sq = sa / sb, sm = sa % sb;

			h = wl_mix(h, (uint64_t)sq ^ (uint64_t)((u128)sq >> 64));
			h = wl_mix(h, (uint64_t)sm ^ (uint64_t)((u128)sm >> 64));
		}
		u128 p = (u128)(uint64_t)a * (uint64_t)b;
		u128 sum = a + b, diff = a - b;
		unsigned sh = (unsigned)wl_below(&r, 128);
		h = wl_mix(h, (uint64_t)(p >> 64) ^ (uint64_t)p);
		h = wl_mix(h, (uint64_t)(sum >> 64) ^ (uint64_t)sum ^ (uint64_t)(diff >> 64) ^ (uint64_t)diff);
		h = wl_mix(h, (uint64_t)(a << sh >> 64) ^ (uint64_t)(a >> sh) ^ (uint64_t)((u128)(sa >> sh) >> 64));
		if (i % 8 == 0)
			h = wl_mix(h, decimal(a * b));
	}

	uint64_t primes = 0, psum = 0;
	uint64_t start = wl_next(&r) | 1;
	if (start > ~0UL - 4000)
		start -= 4000;
	for (uint64_t n = start; n < start + 1200; n += 2) {
		if (is_prime64(n)) {
			primes++;
			psum ^= n;
		}
	}
	h = wl_mix(h, primes);
	h = wl_mix(h, psum);
	return h;
}
