/*
 * Hashing: FNV-1a (32 and 64 bit), SipHash-2-4, a murmur-style 64-bit finaliser, and an open-addressing
 * hash table (linear probing, tombstones on delete) filled, queried and drained with seeded keys.
 */
#include <stdint.h>

#include "wl.h"

#define HASH_BUF 65536
#define TABLE_BITS 13
#define TABLE_SIZE (1u << TABLE_BITS)
#define KEYS 5000

static uint8_t data[HASH_BUF];

static uint32_t fnv1a32(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
	uint64_t h = 14695981039346656037UL;

	while (n--)
		h = (h ^ *p++) * 1099511628211UL;
	return h;
}

static uint64_t fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdUL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53UL;
	return k ^ (k >> 33);
}

static inline uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND                                                               \
	do {                                                                   \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);      \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                         \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                         \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);      \
	} while (0)

static uint64_t siphash24(uint64_t k0, uint64_t k1, const uint8_t *p, size_t n)
{
	uint64_t v0 = 0x736f6d6570736575UL ^ k0, v1 = 0x646f72616e646f6dUL ^ k1;
	uint64_t v2 = 0x6c7967656e657261UL ^ k0, v3 = 0x7465646279746573UL ^ k1;
	uint64_t b = (uint64_t)n << 56;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t m = load_le64(p + i);

		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < n; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Open addressing: 0 is the empty key, 1 a tombstone; real keys are >= 2. */
struct slot {
	uint64_t key;
	uint64_t val;
};

static struct slot tab[TABLE_SIZE];
static uint64_t keys[KEYS];

static struct slot *find(uint64_t key, int for_insert)
{
	uint32_t i = (uint32_t)(fmix64(key) >> (64 - TABLE_BITS));
	struct slot *tomb = 0;

	for (uint32_t probes = 0; probes < TABLE_SIZE; probes++, i = (i + 1) & (TABLE_SIZE - 1)) {
		if (tab[i].key == key)
			return &tab[i];
		if (tab[i].key == 1 && !tomb)
			tomb = &tab[i];
		if (tab[i].key == 0)
			return for_insert ? (tomb ? tomb : &tab[i]) : 0;
	}
	return for_insert ? tomb : 0;
}

static uint64_t table_test(struct wl_rng *r)
{
	uint64_t h = 0, hits = 0, sum = 0;

	for (uint32_t i = 0; i < TABLE_SIZE; i++)
		tab[i].key = tab[i].val = 0;
	for (int i = 0; i < KEYS; i++) {
		/* Some keys repeat: a second insert overwrites. */
		keys[i] = i > 10 && wl_below(r, 8) == 0 ? keys[wl_below(r, (uint64_t)i)] : (wl_next(r) | 2);
		struct slot *s = find(keys[i], 1);

		s->key = keys[i];
		s->val = (uint64_t)i * 3 + 1;
	}
	for (int i = 0; i < KEYS; i++) {
		/* Delete every third key. */
		if (i % 3 == 0) {
			struct slot *s = find(keys[i], 0);

			if (s)
				s->key = 1;
		}
	}
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < KEYS; i++) {
			uint64_t k = round & 1 ? keys[i] ^ 0x40 : keys[i]; /* odd rounds: mostly misses */
			struct slot *s = find(k, 0);

			if (s) {
				hits++;
				sum += s->val;
			}
		}
	}
	uint64_t used = 0;
	for (uint32_t i = 0; i < TABLE_SIZE; i++) {
		used += tab[i].key > 1;
		h = wl_mix(h, tab[i].key ^ tab[i].val);
	}
	h = wl_mix(h, hits);
	h = wl_mix(h, sum);
	return wl_mix(h, used);
}

uint64_t wl_test_hash(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	for (size_t i = 0; i < HASH_BUF; i++)
		data[i] = (uint8_t)wl_next(&r);

	/* Known answers: FNV-1a of "a", SipHash-2-4 of the reference 15-byte message with key 00..0f. */
	h = wl_mix(h, fnv1a32((const uint8_t *)"a", 1));
	h = wl_mix(h, fnv1a64((const uint8_t *)"a", 1));
	uint8_t msg[15];
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	h = wl_mix(h, siphash24(0x0706050403020100UL, 0x0f0e0d0c0b0a0908UL, msg, 15));

	h = wl_mix(h, fnv1a32(data, HASH_BUF));
	h = wl_mix(h, fnv1a64(data, HASH_BUF));
	uint64_t k0 = wl_next(&r), k1 = wl_next(&r);
	for (size_t len = 0; len <= 256; len += 3)
		h = wl_mix(h, siphash24(k0, k1, data + len, len));
	h = wl_mix(h, siphash24(k0, k1, data, HASH_BUF));
	uint64_t m = 0;
	for (size_t i = 0; i < 50000; i++)
		m += fmix64(i ^ k0);
	h = wl_mix(h, m);
	h = wl_mix(h, table_test(&r));
	return h;
}
