/* Helpers the workload's tests share: the seeded generator, checksum folding, bit casts. */
#ifndef CPUPROGS_WL_H
#define CPUPROGS_WL_H

#include <stddef.h>
#include <stdint.h>

/* Seeded generator (splitmix64): a test's data depends only on its seed. */
struct wl_rng {
	uint64_t s;
};

static inline uint64_t wl_next(struct wl_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15UL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
	return z ^ (z >> 31);
}

static inline struct wl_rng wl_rng_seed(uint64_t seed)
{
	struct wl_rng r = { .s = seed * 0x2545f4914f6cdd1dUL + 0x1234567UL };

	return r;
}

/* A value in [0, n), n > 0. */
static inline uint64_t wl_below(struct wl_rng *r, uint64_t n)
{
	return wl_next(r) % n;
}

/* A random value shifted right by a random 0..63 bits: small and large magnitudes alike. */
static inline uint64_t wl_shifted(struct wl_rng *r)
{
	uint64_t v = wl_next(r);

	return v >> wl_below(r, 64);
}

/* The same below 2^63 (shifted by 1..63), so it converts to int64_t and negates safely. */
static inline uint64_t wl_shifted63(struct wl_rng *r)
{
	uint64_t v = wl_next(r);

	return v >> (1 + wl_below(r, 63));
}

/*
 * Note for callers: two calls in one expression are evaluated in an unspecified order, which the
 * compiler may choose differently at each optimisation level. Draw each value in its own statement.
 */

/* Fold v into the running checksum h (order matters, so a swapped pair of results shows). */
static inline uint64_t wl_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15UL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdUL;
	return h ^ (h >> 32);
}

/* Bit patterns of floating-point values (unions: defined in GNU C, and no call to memcpy). */
static inline uint64_t wl_dbits(double d)
{
	union { double d; uint64_t u; } x = { .d = d };

	return x.u;
}

static inline uint32_t wl_fbits(float f)
{
	union { float f; uint32_t u; } x = { .f = f };

	return x.u;
}

static inline double wl_bitsd(uint64_t u)
{
	union { uint64_t u; double d; } x = { .u = u };

	return x.d;
}

static inline float wl_bitsf(uint32_t u)
{
	union { uint32_t u; float f; } x = { .u = u };

	return x.f;
}

/* Keep the compiler from computing a value at build time or across loop iterations. */
#define WL_OPAQUE(v) __asm__("" : "+r"(v))

/*
 * The tests. Each takes the round's seed and returns its checksum for that round.
 * WL_X87 (0 or 1) switches the long double test on; it needs the emulator's x87.
 */
#ifndef WL_X87
#define WL_X87 0
#endif

uint64_t wl_test_crc(uint64_t seed);
uint64_t wl_test_sort(uint64_t seed);
uint64_t wl_test_hash(uint64_t seed);
uint64_t wl_test_interp(uint64_t seed);
uint64_t wl_test_string(uint64_t seed);
uint64_t wl_test_search(uint64_t seed);
uint64_t wl_test_float(uint64_t seed);
uint64_t wl_test_fconv(uint64_t seed);
uint64_t wl_test_ldouble(uint64_t seed);
uint64_t wl_test_recurse(uint64_t seed);
uint64_t wl_test_int64(uint64_t seed);
uint64_t wl_test_int128(uint64_t seed);
uint64_t wl_test_bits(uint64_t seed);

#endif
