/*
 * Conversions between integers and floating point, each only over the range where C defines it:
 * double/float to signed and unsigned integers of every width (truncation toward zero, negative values,
 * values near 2^63 and 2^64), integers to double/float (rounding of values wider than the mantissa),
 * double <-> float (rounding, overflow to infinity, underflow to subnormals), and floor/ceil/round built
 * from truncating conversions. Loops over arrays let -O3 use the packed conversions too.
 */
#include <stdint.h>

#include "wl.h"

#define CONV_N 512

static double dvals[CONV_N];
static float fvals[CONV_N];
static int32_t i32s[CONV_N];
static int64_t i64s[CONV_N];
static uint64_t u64s[CONV_N];
static uint32_t u32s[CONV_N];
static double dout[CONV_N];
static float fout[CONV_N];

/* A random double with a random exponent in [2^lo, 2^hi), random sign if signed. */
static double spread(struct wl_rng *r, int lo, int hi, int sign)
{
	uint64_t bits = wl_next(r);
	int e = lo + (int)wl_below(r, (uint64_t)(hi - lo));
	uint64_t b = (uint64_t)(e + 1023) << 52 | (bits & 0x000fffffffffffffUL);

	if (sign && (bits >> 63))
		b |= 1UL << 63;
	return wl_bitsd(b);
}

static double my_floor(double x)
{
	if (!(x > -4503599627370496.0 && x < 4503599627370496.0))
		return x; /* NaN, infinities and values with no fraction bits */
	double t = (double)(int64_t)x;

	return t > x ? t - 1 : t;
}

static double my_ceil(double x)
{
	return -my_floor(-x);
}

/* Round half away from zero. */
static double my_round(double x)
{
	return x < 0 ? -my_floor(-x + 0.5) : my_floor(x + 0.5);
}

uint64_t wl_test_fconv(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	for (int rep = 0; rep < 6; rep++) {
		/* To signed 64 and 32 bits: |x| < 2^63 and < 2^31. */
		for (int i = 0; i < CONV_N; i++)
			dvals[i] = spread(&r, -3, 63, 1);
		for (int i = 0; i < CONV_N; i++)
			i64s[i] = (int64_t)dvals[i];
		for (int i = 0; i < CONV_N; i++)
			i32s[i] = (int32_t)(dvals[i] / 4294967296.0);
		for (int i = 0; i < CONV_N; i++)
			h = wl_mix(h, (uint64_t)i64s[i] ^ (uint64_t)(uint32_t)i32s[i] << 17);

		/* To unsigned 64 bits, across 2^63 where the compiler switches strategies. */
		for (int i = 0; i < CONV_N; i++)
			dvals[i] = spread(&r, -2, 64, 0);
		for (int i = 0; i < CONV_N; i++)
			u64s[i] = (uint64_t)dvals[i];
		for (int i = 0; i < CONV_N; i++)
			u32s[i] = (uint32_t)(dvals[i] * 0x1p-32);
		for (int i = 0; i < CONV_N; i++)
			h = wl_mix(h, u64s[i] + u32s[i]);

		/* Back to floating point: 64-bit integers do not fit the mantissa, so they round. */
		for (int i = 0; i < CONV_N; i++) {
			u64s[i] = wl_shifted(&r);
			i64s[i] = (int64_t)wl_shifted63(&r) * (i & 1 ? -1 : 1);
			i32s[i] = (int32_t)(uint32_t)wl_next(&r);
			u32s[i] = (uint32_t)wl_next(&r);
		}
		for (int i = 0; i < CONV_N; i++)
			dout[i] = (double)u64s[i] + (double)i64s[i] * 0.5;
		for (int i = 0; i < CONV_N; i++)
			fout[i] = (float)u64s[i] - (float)i64s[i];
		for (int i = 0; i < CONV_N; i++)
			h = wl_mix(h, wl_dbits(dout[i]) ^ wl_fbits(fout[i]));
		for (int i = 0; i < CONV_N; i++)
			dout[i] = (double)i32s[i] * 3 + (double)u32s[i];
		for (int i = 0; i < CONV_N; i++)
			fout[i] = (float)i32s[i] + (float)u32s[i];
		for (int i = 0; i < CONV_N; i++)
			h = wl_mix(h, wl_dbits(dout[i]) ^ (uint64_t)wl_fbits(fout[i]) << 32);

		/* double -> float -> double, with values beyond float's range and below its normals. */
		for (int i = 0; i < CONV_N; i++)
			dvals[i] = spread(&r, -160, 140, 1);
		for (int i = 0; i < CONV_N; i++)
			fvals[i] = (float)dvals[i];
		for (int i = 0; i < CONV_N; i++)
			dout[i] = (double)fvals[i] - dvals[i];
		for (int i = 0; i < CONV_N; i++)
			h = wl_mix(h, wl_fbits(fvals[i]) ^ wl_dbits(dout[i]));

		/* float -> integers, and floor/ceil/round by truncation. */
		for (int i = 0; i < CONV_N; i++) {
			float f = (float)spread(&r, -4, 62, 1);
			double d = spread(&r, -4, 54, 1);
			int64_t a = (int64_t)f;
			int32_t b = (int32_t)(f * 0x1p-32f);
			uint64_t c = (uint64_t)(f < 0 ? -f : f);
			int16_t s = (int16_t)(d * 0x1p-40);
			uint8_t u = (uint8_t)(d < 0 ? -d * 0x1p-48 : d * 0x1p-48);

			h = wl_mix(h, (uint64_t)a ^ (uint64_t)(uint32_t)b << 3 ^ c);
			h = wl_mix(h, (uint64_t)(uint16_t)s << 8 | u);
			h = wl_mix(h, wl_dbits(my_floor(d)) ^ wl_dbits(my_ceil(d)) << 1 ^ wl_dbits(my_round(d)) << 2);
		}
	}
	return h;
}
