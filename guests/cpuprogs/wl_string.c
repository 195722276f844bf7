/*
 * Memory and string functions on many lengths and alignments: the library's memcpy, memmove, memset,
 * memcmp, strlen, strcmp, strncmp (the guest library's in a guest, the C library's natively) next to
 * byte-at-a-time and word-at-a-time versions written here. After each operation the whole neighbourhood
 * of the destination is hashed, so a write past the end shows. Comparison results are reduced to their
 * sign: C only defines the sign.
 */
#include <stdint.h>
#include <string.h>

#include "wl.h"

#define SBUF 1024

static uint8_t src[SBUF], dst[SBUF];

static void copy_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
	while (n--)
		*d++ = *s++;
}

/* Eight bytes at a time through unaligned loads and stores, then the tail. */
static void copy_words(uint8_t *d, const uint8_t *s, size_t n)
{
	for (; n >= 8; n -= 8, d += 8, s += 8) {
		uint64_t w;

		__builtin_memcpy(&w, s, 8);
		__builtin_memcpy(d, &w, 8);
	}
	while (n--)
		*d++ = *s++;
}

static void move_bytes(uint8_t *d, const uint8_t *s, size_t n)
{
	if ((uintptr_t)d < (uintptr_t)s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
}

static void set_words(uint8_t *d, int c, size_t n)
{
	uint64_t w = 0x0101010101010101UL * (uint8_t)c;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (uint8_t)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		__builtin_memcpy(d, &w, 8);
	while (n--)
		*d++ = (uint8_t)c;
}

static size_t strlen_bytes(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/*
 * Aligned words with the "has a zero byte" test. It reads up to 7 bytes past the terminator, which is
 * fine here: every string lives inside src[] with room after it.
 */
static size_t strlen_words(const char *s)
{
	const char *p = s;

	while ((uintptr_t)p & 7) {
		if (!*p)
			return (size_t)(p - s);
		p++;
	}
	for (;;) {
		uint64_t w;

		__builtin_memcpy(&w, p, 8);
		if ((w - 0x0101010101010101UL) & ~w & 0x8080808080808080UL)
			break;
		p += 8;
	}
	while (*p)
		p++;
	return (size_t)(p - s);
}

static int strcmp_bytes(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;

	while (*p && *p == *q) {
		p++;
		q++;
	}
	return (int)*p - (int)*q;
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* FNV-1a over the destination from its start to 16 bytes past the written range. */
static uint64_t dst_hash(size_t end)
{
	uint64_t h = 14695981039346656037UL;

	end += 16;
	if (end > SBUF)
		end = SBUF;
	for (size_t i = 0; i < end; i++)
		h = (h ^ dst[i]) * 1099511628211UL;
	return h;
}

static size_t length_at(int i)
{
	return i < 40 ? (size_t)i : 40 + (size_t)(i - 40) * 23; /* 0..39, then 40, 63, ... 499 */
}

static uint64_t copies(struct wl_rng *r)
{
	uint64_t h = 0;

	for (size_t i = 0; i < SBUF; i++)
		src[i] = (uint8_t)wl_next(r);
	for (int li = 0; li < 61; li++) {
		size_t len = length_at(li);

		for (size_t sa = 0; sa < 8; sa++) {
			for (size_t da = 0; da < 8; da += 1 + (sa & 1)) {
				int op = (int)((li + sa + da) % 6);

				memset(dst, 0xa5, da + len + 16);
				switch (op) {
				case 0: memcpy(dst + da, src + sa, len); break;
				case 1: copy_bytes(dst + da, src + sa, len); break;
				case 2: copy_words(dst + da, src + sa, len); break;
				case 3: memset(dst + da, (int)(sa * 37), len); break;
				case 4: set_words(dst + da, (int)(sa * 37 + 1), len); break;
				default:
					/* Overlapping moves both ways inside dst: fill, then shift by sa+1. */
					copy_bytes(dst, src, da + len + 16 + 8 < SBUF ? da + len + 16 + 8 : SBUF);
					if (len + da + 8 < SBUF) {
						if ((li & 1) == 0)
							memmove(dst + da, dst + da + sa + 1, len);
						else
							memmove(dst + da + sa + 1, dst + da, len);
						move_bytes(dst + da + 3, dst + da, len / 2);
					}
					break;
				}
				h = wl_mix(h, dst_hash(da + len + (op == 5 ? 8 : 0)));
			}
		}
	}
	return h;
}

static uint64_t strings(struct wl_rng *r)
{
	uint64_t h = 0;
	char *s = (char *)src;
	char *t = (char *)dst;

	for (size_t len = 0; len < 300; len += 1 + len / 16) {
		for (size_t a = 0; a < 8; a++) {
			/* Nonzero bytes, some with the top bit set (strcmp compares as unsigned char). */
			for (size_t i = 0; i < len; i++)
				s[a + i] = (char)(1 + wl_below(r, 255));
			s[a + len] = 0;
			size_t l1 = strlen(s + a), l2 = strlen_bytes(s + a), l3 = strlen_words(s + a);

			h = wl_mix(h, l1 + (l1 == l2) * 1000 + (l1 == l3) * 2000);

			/* A copy that differs at position k (or is one shorter). */
			size_t ta = (a * 5) & 7;
			memcpy(t + ta, s + a, len + 1);
			size_t k = len ? wl_below(r, len + 1) : 0;
			if (k < len && (wl_next(r) & 1))
				t[ta + k] = (char)(t[ta + k] + 1 ? t[ta + k] + 1 : 1);
			else if (k == len && len)
				t[ta + len - 1] = 0;
			int c1 = sign(strcmp(s + a, t + ta));
			int c2 = sign(strcmp_bytes(s + a, t + ta));
			int c3 = sign(strncmp(s + a, t + ta, k));
			int c4 = sign(memcmp(s + a, t + ta, len));
			int c5 = sign(strcmp(t + ta, s + a));
			h = wl_mix(h, (uint64_t)((c1 + 1) | (c2 + 1) << 2 | (c3 + 1) << 4 | (c4 + 1) << 6 | (c5 + 1) << 8));
		}
	}
	return h;
}

uint64_t wl_test_string(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = copies(&r);

	return wl_mix(h, strings(&r));
}
