/*
 * Substring search over a seeded text on a small alphabet (so patterns recur): naive, Knuth-Morris-Pratt
 * and Boyer-Moore-Horspool must find the same occurrences; the count and the positions are checksummed.
 */
#include <stdint.h>
#include <string.h>

#include "wl.h"

#define TEXT_LEN 12000
#define PAT_MAX 24

static char text[TEXT_LEN + 1];

struct found {
	uint64_t count;
	uint64_t pos_hash;
};

static void note(struct found *f, size_t pos)
{
	f->count++;
	f->pos_hash = f->pos_hash * 1000003 + pos;
}

static struct found naive(const char *t, size_t n, const char *p, size_t m)
{
	struct found f = { 0, 0 };

	for (size_t i = 0; i + m <= n; i++) {
		size_t j = 0;

		while (j < m && t[i + j] == p[j])
			j++;
		if (j == m)
			note(&f, i);
	}
	return f;
}

static struct found kmp(const char *t, size_t n, const char *p, size_t m)
{
	struct found f = { 0, 0 };
	size_t fail[PAT_MAX + 1];

	/* fail[i]: length of the longest proper border of p[0..i). */
	fail[0] = 0;
	if (m > 0)
		fail[1] = 0;
	for (size_t i = 1, k = 0; i < m; i++) {
		while (k > 0 && p[i] != p[k])
			k = fail[k];
		if (p[i] == p[k])
			k++;
		fail[i + 1] = k;
	}
	for (size_t i = 0, k = 0; i < n; i++) {
		while (k > 0 && t[i] != p[k])
			k = fail[k];
		if (t[i] == p[k])
			k++;
		if (k == m) {
			note(&f, i + 1 - m);
			k = fail[k];
		}
	}
	return f;
}

static struct found horspool(const char *t, size_t n, const char *p, size_t m)
{
	struct found f = { 0, 0 };
	size_t shift[256];

	for (int c = 0; c < 256; c++)
		shift[c] = m;
	for (size_t i = 0; i + 1 < m; i++)
		shift[(unsigned char)p[i]] = m - 1 - i;
	for (size_t i = 0; i + m <= n; i += shift[(unsigned char)t[i + m - 1]]) {
		if (memcmp(t + i, p, m) == 0)
			note(&f, i);
	}
	return f;
}

uint64_t wl_test_search(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;
	char pat[PAT_MAX + 1];

	/* 'a' is common, 'b' less, 'c' and 'd' rare. */
	for (size_t i = 0; i < TEXT_LEN; i++) {
		uint64_t x = wl_below(&r, 16);

		text[i] = x < 9 ? 'a' : x < 14 ? 'b' : x < 15 ? 'c' : 'd';
	}
	text[TEXT_LEN] = 0;

	for (int q = 0; q < 16; q++) {
		size_t m = 1 + wl_below(&r, PAT_MAX);

		if (q & 1) {
			/* A pattern cut from the text: at least one match. */
			memcpy(pat, text + wl_below(&r, TEXT_LEN - m), m);
		} else {
			for (size_t i = 0; i < m; i++)
				pat[i] = (char)('a' + wl_below(&r, 2 + (uint64_t)(q & 2)));
		}
		pat[m] = 0;
		struct found a = naive(text, TEXT_LEN, pat, m);
		struct found b = kmp(text, TEXT_LEN, pat, m);
		struct found c = horspool(text, TEXT_LEN, pat, m);

		h = wl_mix(h, a.count);
		h = wl_mix(h, a.pos_hash);
		h = wl_mix(h, (a.count == b.count && a.pos_hash == b.pos_hash) +
				      2 * (a.count == c.count && a.pos_hash == c.pos_hash));
	}
	return h;
}
