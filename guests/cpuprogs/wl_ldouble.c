/*
 * long double (the x87's 80-bit extended format): series, products, division, square roots by Newton,
 * conversions to and from 64-bit integers. Only built with WL_X87=1: it needs the emulator's x87.
 * The checksum covers the 10 meaningful bytes of each value, never the 6 bytes of padding.
 */
#include <stdint.h>

#include "wl.h"

#if WL_X87

static uint64_t ld_bits(long double v)
{
	union {
		long double v;
		struct {
			uint64_t mant;
			uint16_t sexp;
		} p;
	} x;

	x.v = v;
	return x.p.mant ^ (uint64_t)x.p.sexp << 48;
}

uint64_t wl_test_ldouble(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	long double e = 1, term = 1, harm = 0;
	for (int k = 1; k < 30; k++) {
		term /= k;
		e += term;
	}
	h = wl_mix(h, ld_bits(e));
	for (int k = 1; k <= 5000; k++)
		harm += 1.0L / k;
	h = wl_mix(h, ld_bits(harm));

	for (int i = 0; i < 500; i++) {
		long double a = (long double)(wl_next(&r) >> 11) / 9007199254740992.0L * 1e6L + 1;
		long double x = a;

		for (int k = 0; k < 40; k++)
			x = 0.5L * (x + a / x);
		uint64_t u = wl_next(&r);
		int64_t s = (int64_t)(wl_next(&r) >> 1) * (i & 1 ? -1 : 1);
		long double lu = (long double)u, ls = (long double)s;

		h = wl_mix(h, ld_bits(x));
		h = wl_mix(h, ld_bits(lu * ls) ^ ld_bits(lu - ls));
		h = wl_mix(h, (uint64_t)(lu / 3) ^ (uint64_t)(int64_t)(ls / 7));
		h = wl_mix(h, wl_dbits((double)(a * a)) ^ wl_fbits((float)x));
	}
	return h;
}

#endif
