/*
 * Bit manipulation: population count, parity, leading and trailing zeros through the compiler's
 * builtins (popcount is a libgcc call on the x86-64 baseline), next to portable loops computing the same;
 * rotates written the way the compiler turns into rotate instructions; byte swaps by builtin and by
 * hand; bit reversal; Morton interleaving; 8- and 16-bit arithmetic with its wrap-around.
 */
#include <stdint.h>

#include "wl.h"

static int popcount_loop(uint64_t x)
{
	int n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

static int clz_loop(uint64_t x)
{
	int n = 0;

	for (uint64_t bit = 1UL << 63; bit && !(x & bit); bit >>= 1)
		n++;
	return n;
}

static int ctz_loop(uint64_t x)
{
	int n = 0;

	while (n < 64 && !(x >> n & 1))
		n++;
	return n;
}

static uint64_t rotl64(uint64_t x, unsigned s)
{
	return (x << (s & 63)) | (x >> (-s & 63));
}

static uint32_t rotr32(uint32_t x, unsigned s)
{
	return (x >> (s & 31)) | (x << (-s & 31));
}

static uint16_t rotl16(uint16_t x, unsigned s)
{
	s &= 15;
	return (uint16_t)(x << s | x >> ((16 - s) & 15));
}

static uint64_t bswap_manual(uint64_t x)
{
	uint64_t y = 0;

	for (int i = 0; i < 8; i++)
		y = y << 8 | (x >> (8 * i) & 0xff);
	return y;
}

static uint64_t reverse_bits(uint64_t x)
{
	x = (x >> 1 & 0x5555555555555555UL) | (x & 0x5555555555555555UL) << 1;
	x = (x >> 2 & 0x3333333333333333UL) | (x & 0x3333333333333333UL) << 2;
	x = (x >> 4 & 0x0f0f0f0f0f0f0f0fUL) | (x & 0x0f0f0f0f0f0f0f0fUL) << 4;
	return __builtin_bswap64(x);
}

/* Interleave the bits of two 32-bit coordinates (Morton / Z order). */
static uint64_t spread_bits(uint32_t v)
{
	uint64_t x = v;

	x = (x | x << 16) & 0x0000ffff0000ffffUL;
	x = (x | x << 8) & 0x00ff00ff00ff00ffUL;
	x = (x | x << 4) & 0x0f0f0f0f0f0f0f0fUL;
	x = (x | x << 2) & 0x3333333333333333UL;
	return (x | x << 1) & 0x5555555555555555UL;
}

uint64_t wl_test_bits(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0, agree = 0;

	for (int i = 0; i < 8000; i++) {
		uint64_t x = wl_next(&r);
		unsigned s = (unsigned)wl_below(&r, 200);

		/* Sparse and dense values too. */
		if (i % 3 == 1) {
			x &= wl_next(&r);
			x &= wl_next(&r);
		} else if (i % 3 == 2) {
			x >>= wl_below(&r, 64);
		}
		if (x == 0)
			x = 1UL << (i & 63);

		int pc = __builtin_popcountl(x), pc32 = __builtin_popcount((uint32_t)x);
		int lz = __builtin_clzl(x), tz = __builtin_ctzl(x);
		agree += (pc == popcount_loop(x)) + (lz == clz_loop(x)) + (tz == ctz_loop(x));
		h = wl_mix(h, (uint64_t)(pc | pc32 << 7 | lz << 14 | tz << 21 | __builtin_parityl(x) << 28));
		h = wl_mix(h, (uint64_t)(__builtin_ffsl((long)(x >> (s & 63))) | __builtin_clrsbl((long)x) << 8));
		h = wl_mix(h, rotl64(x, s) ^ rotr32((uint32_t)x, s) ^ (uint64_t)rotl16((uint16_t)x, s) << 40);
		h = wl_mix(h, __builtin_bswap64(x) ^ __builtin_bswap32((uint32_t)x) ^ __builtin_bswap16((uint16_t)x));
		agree += __builtin_bswap64(x) == bswap_manual(x);
		h = wl_mix(h, reverse_bits(x) ^ (spread_bits((uint32_t)x) | spread_bits((uint32_t)(x >> 32)) << 1));

		/* 8- and 16-bit arithmetic: C promotes to int, and the casts wrap back. */
		uint8_t b0 = (uint8_t)x, b1 = (uint8_t)(x >> 8);
		int8_t c0 = (int8_t)(x >> 16), c1 = (int8_t)(x >> 24);
		uint16_t w0 = (uint16_t)(x >> 32), w1 = (uint16_t)(x >> 48);
		int16_t v0 = (int16_t)w0, v1 = (int16_t)w1;
		uint8_t bs = (uint8_t)(b0 + b1), bm = (uint8_t)(b0 * b1), bd = b1 ? (uint8_t)(b0 / b1) : 0;
		int8_t cs = (int8_t)(c0 - c1), cd = c1 ? (int8_t)(c0 / c1) : 0;
		uint16_t ws = (uint16_t)(w0 + w1), wm = (uint16_t)((uint32_t)w0 * w1);
		int16_t vd = v1 ? (int16_t)(v0 / v1) : 0, vm = v1 ? (int16_t)(v0 % v1) : 0;
		h = wl_mix(h, (uint64_t)bs | (uint64_t)bm << 8 | (uint64_t)bd << 16 | (uint64_t)(uint8_t)cs << 24 |
				      (uint64_t)(uint8_t)cd << 32 | (uint64_t)ws << 40);
		h = wl_mix(h, (uint64_t)wm | (uint64_t)(uint16_t)vd << 16 | (uint64_t)(uint16_t)vm << 32 |
				      (uint64_t)(b0 > b1) << 48 | (uint64_t)(c0 < c1) << 49 | (uint64_t)(v0 < v1) << 50);
	}
	return wl_mix(h, agree);
}
