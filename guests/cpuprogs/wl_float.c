/*
 * Floating point in double and float, no libm: square roots by Newton next to the hardware's, exp and
 * sin by their series, log by atanh, matrix products, Mandelbrot escape counts, and division and
 * comparisons over special values (NaN, infinities, signed zeros, subnormals). Results are checksummed
 * by their bit patterns, so every rounding has to match.
 */
#include <stdint.h>

#include "wl.h"

#define MAT 24

static double ma[MAT][MAT], mb[MAT][MAT], mc[MAT][MAT];
static float fa[MAT][MAT], fb[MAT][MAT], fc[MAT][MAT];

/* A double in [lo, hi) from 53 random bits. */
static double uniform(struct wl_rng *r, double lo, double hi)
{
	return lo + (hi - lo) * ((double)(wl_next(r) >> 11) * (1.0 / 9007199254740992.0));
}

static double newton_sqrt(double a)
{
	if (a <= 0)
		return 0;
	double x = a > 1 ? a : 1;

	for (int i = 0; i < 64; i++) {
		double next = 0.5 * (x + a / x);

		if (next == x)
			break;
		x = next;
	}
	return x;
}

/* exp by halving the argument until it is small, summing the series, then squaring back. */
static double series_exp(double x)
{
	int halvings = 0;

	while (x > 0.5 || x < -0.5) {
		x *= 0.5;
		halvings++;
	}
	double term = 1, sum = 1;
	for (int k = 1; k < 20; k++) {
		term *= x / k;
		sum += term;
	}
	while (halvings--)
		sum *= sum;
	return sum;
}

static double series_sin(double x)
{
	const double two_pi = 6.283185307179586;
	int64_t k = (int64_t)(x / two_pi);

	x -= (double)k * two_pi;
	double term = x, sum = x, x2 = x * x;
	for (int n = 1; n < 14; n++) {
		term *= -x2 / ((2 * n) * (2 * n + 1));
		sum += term;
	}
	return sum;
}

/* log(x) for x > 0: split off the binary exponent from the bits, then 2*atanh((m-1)/(m+1)). */
static double series_log(double x)
{
	uint64_t b = wl_dbits(x);
	int e = (int)((b >> 52) & 0x7ff) - 1023;
	double m = wl_bitsd((b & 0x000fffffffffffffUL) | 0x3ff0000000000000UL);

	if (m > 1.4142135623730951) {
		m *= 0.5;
		e++;
	}
	double t = (m - 1) / (m + 1), t2 = t * t, term = t, sum = 0;
	for (int k = 1; k < 40; k += 2) {
		sum += term / k;
		term *= t2;
	}
	return 2 * sum + e * 0.6931471805599453;
}

static uint32_t mandel(double cx, double cy, int max)
{
	double x = 0, y = 0;
	int i = 0;

	while (i < max && x * x + y * y <= 4.0) {
		double t = x * x - y * y + cx;

		y = 2 * x * y + cy;
		x = t;
		i++;
	}
	return (uint32_t)i;
}

static uint32_t mandel_f(float cx, float cy, int max)
{
	float x = 0, y = 0;
	int i = 0;

	while (i < max && x * x + y * y <= 4.0f) {
		float t = x * x - y * y + cx;

		y = 2 * x * y + cy;
		x = t;
		i++;
	}
	return (uint32_t)i;
}

static uint64_t matrices(struct wl_rng *r)
{
	uint64_t h = 0;

	for (int i = 0; i < MAT; i++) {
		for (int j = 0; j < MAT; j++) {
			ma[i][j] = uniform(r, -2, 2);
			mb[i][j] = uniform(r, -1e3, 1e3);
			fa[i][j] = (float)ma[i][j];
			fb[i][j] = (float)uniform(r, -10, 10);
		}
	}
	for (int rep = 0; rep < 3; rep++) {
		for (int i = 0; i < MAT; i++) {
			for (int j = 0; j < MAT; j++) {
				double s = 0;
				float fs = 0;

				for (int k = 0; k < MAT; k++) {
					s += ma[i][k] * mb[k][j];
					fs += fa[i][k] * fb[k][j];
				}
				mc[i][j] = s;
				fc[i][j] = fs;
			}
		}
		/* Feed the product back (scaled) so each repetition differs. */
		for (int i = 0; i < MAT; i++) {
			for (int j = 0; j < MAT; j++) {
				mb[i][j] = mc[i][j] * 1e-3;
				fb[i][j] = fc[i][j] * 0.125f;
			}
		}
	}
	for (int i = 0; i < MAT; i++)
		for (int j = 0; j < MAT; j++)
			h = wl_mix(h, wl_dbits(mc[i][j]) ^ (uint64_t)wl_fbits(fc[i][j]) << 7);
	return h;
}

/* Every ordered comparison, min and max, and the four operations over a list of special values. */
static uint64_t specials(void)
{
	static const volatile uint64_t dv[] = {
		0x0000000000000000UL, 0x8000000000000000UL, 0x0000000000000001UL, 0x800fffffffffffffUL,
		0x0010000000000000UL, 0x3ff0000000000000UL, 0xbff8000000000000UL, 0x7fefffffffffffffUL,
		0x7ff0000000000000UL, 0xfff0000000000000UL, 0x7ff8000000000000UL, 0x7ff4000000000123UL,
		0xfff8000000000456UL, 0x4340000000000001UL, 0x3cb0000000000000UL,
	};
	const int n = (int)(sizeof(dv) / sizeof(dv[0]));
	uint64_t h = 0, cmp = 0;

	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			double a = wl_bitsd(dv[i]), b = wl_bitsd(dv[j]);
			float fa1 = (float)a, fb1 = (float)b;

			cmp = cmp << 1 ^ cmp >> 63;
			cmp ^= (uint64_t)((a < b) | (a <= b) << 1 | (a == b) << 2 | (a != b) << 3 |
					  (a > b) << 4 | (a >= b) << 5 | (a != a) << 6 | (fa1 < fb1) << 7 |
					  (fa1 == fb1) << 8 | (fa1 >= fb1) << 9);
			double mn = a < b ? a : b, mx = a > b ? a : b;
			h = wl_mix(h, wl_dbits(mn) ^ wl_dbits(mx) << 1);
			/*
			 * With two NaN operands the hardware returns the first source's payload, and which
			 * operand comes first in a commutative operation is the compiler's choice: only then
			 * the result is reduced to "a NaN".
			 */
			int both = a != a && b != b;
			h = wl_mix(h, both ? 1 : wl_dbits(a + b));
			h = wl_mix(h, both ? 2 : wl_dbits(a - b));
			h = wl_mix(h, both ? 3 : wl_dbits(a * b));
			h = wl_mix(h, both ? 4 : wl_dbits(a / b));
			h = wl_mix(h, both ? 5 : wl_fbits(fa1 * fb1) | (uint64_t)wl_fbits(fa1 / fb1) << 32);
			h = wl_mix(h, both ? 6 : wl_fbits(fa1 + fb1) | (uint64_t)wl_fbits(fa1 - fb1) << 32);
		}
	}
	return wl_mix(h, cmp);
}

uint64_t wl_test_float(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	for (int i = 0; i < 300; i++) {
		double a = uniform(&r, 0, 1e6), e = uniform(&r, -30, 30), s = uniform(&r, -100, 100);
		float fa1 = (float)a;

		h = wl_mix(h, wl_dbits(newton_sqrt(a)));
		h = wl_mix(h, wl_dbits(__builtin_sqrt(a)) ^ wl_fbits(__builtin_sqrtf(fa1)));
		h = wl_mix(h, wl_dbits(series_exp(e)));
		h = wl_mix(h, wl_dbits(series_sin(s)));
		h = wl_mix(h, wl_dbits(series_log(a + 1e-9)));
	}
	h = wl_mix(h, matrices(&r));

	uint64_t esc = 0;
	for (int py = 0; py < 24; py++)
		for (int px = 0; px < 48; px++)
			esc = esc * 7 + mandel(-2.2 + px * (3.0 / 48), -1.2 + py * (2.4 / 24), 200);
	h = wl_mix(h, esc);
	esc = 0;
	for (int py = 0; py < 16; py++)
		for (int px = 0; px < 32; px++)
			esc = esc * 7 + mandel_f(-2.2f + (float)px * (3.0f / 32), -1.2f + (float)py * (2.4f / 16), 100);
	h = wl_mix(h, esc);

	/* A long sum in double and in float: rounding errors accumulate identically or not at all. */
	double ds = 0;
	float fs = 0;
	for (int i = 1; i <= 20000; i++) {
		ds += 1.0 / i;
		fs += 1.0f / (float)i;
	}
	h = wl_mix(h, wl_dbits(ds) ^ wl_fbits(fs));

	/* Gradual underflow: halve down through the subnormals to zero. */
	double tiny = 1e-300;
	float ftiny = 1e-30f;
	for (int i = 0; i < 1100; i++) {
		tiny *= 0.5;
		ftiny *= 0.75f;
		h = wl_mix(h, wl_dbits(tiny) ^ wl_fbits(ftiny));
	}
	return wl_mix(h, specials());
}
