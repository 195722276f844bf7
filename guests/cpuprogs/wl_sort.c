/*
 * Sorting a seeded array of signed 32-bit keys with quicksort, mergesort and heapsort, and an array of
 * records with a shell sort through a comparison function pointer. Every result is checked sorted and
 * the three key sorts must agree.
 */
#include <stdint.h>

#include "wl.h"

#define SORT_N 12000
#define REC_N 3000

static int32_t orig[SORT_N], a[SORT_N], b[SORT_N], c[SORT_N], tmp[SORT_N];

static void swap32(int32_t *x, int32_t *y)
{
	int32_t t = *x;

	*x = *y;
	*y = t;
}

static void insertion(int32_t *v, long n)
{
	for (long i = 1; i < n; i++) {
		int32_t x = v[i];
		long j = i - 1;

		while (j >= 0 && v[j] > x) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
}

/* Hoare partition around a median of three; recurse into the smaller side so depth stays log n. */
static void quicksort(int32_t *v, long n)
{
	while (n > 16) {
		long mid = n / 2;

		if (v[mid] < v[0])
			swap32(&v[mid], &v[0]);
		if (v[n - 1] < v[0])
			swap32(&v[n - 1], &v[0]);
		if (v[n - 1] < v[mid])
			swap32(&v[n - 1], &v[mid]);
		int32_t pivot = v[mid];
		long i = -1, j = n;

		for (;;) {
			do
				i++;
			while (v[i] < pivot);
			do
				j--;
			while (v[j] > pivot);
			if (i >= j)
				break;
			swap32(&v[i], &v[j]);
		}
		long left = j + 1;
		if (left < n - left) {
			quicksort(v, left);
			v += left;
			n -= left;
		} else {
			quicksort(v + left, n - left);
			n = left;
		}
	}
	insertion(v, n);
}

static void mergesort(int32_t *v, long n, int32_t *t)
{
	if (n < 2)
		return;
	long h = n / 2;

	mergesort(v, h, t);
	mergesort(v + h, n - h, t);
	long i = 0, j = h, k = 0;
	while (i < h && j < n)
		t[k++] = v[j] < v[i] ? v[j++] : v[i++];
	while (i < h)
		t[k++] = v[i++];
	while (j < n)
		t[k++] = v[j++];
	for (k = 0; k < n; k++)
		v[k] = t[k];
}

static void sift_down(int32_t *v, long root, long n)
{
	for (;;) {
		long child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && v[child + 1] > v[child])
			child++;
		if (v[root] >= v[child])
			return;
		swap32(&v[root], &v[child]);
		root = child;
	}
}

static void heapsort(int32_t *v, long n)
{
	for (long i = n / 2 - 1; i >= 0; i--)
		sift_down(v, i, n);
	for (long end = n - 1; end > 0; end--) {
		swap32(&v[0], &v[end]);
		sift_down(v, 0, end);
	}
}

struct rec {
	uint16_t group;
	int64_t score;
	uint32_t id;
};

static struct rec recs[REC_N];

/* By group ascending, then score descending, then id: a total order, so the result is unique. */
static int rec_cmp(const struct rec *x, const struct rec *y)
{
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void shellsort(struct rec *v, long n, int (*cmp)(const struct rec *, const struct rec *))
{
	static const long gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };

	for (unsigned g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		long gap = gaps[g];

		for (long i = gap; i < n; i++) {
			struct rec x = v[i];
			long j = i;

			while (j >= gap && cmp(&v[j - gap], &x) > 0) {
				v[j] = v[j - gap];
				j -= gap;
			}
			v[j] = x;
		}
	}
}

static uint64_t check_sorted(const int32_t *v, long n)
{
	uint64_t bad = 0;

	for (long i = 1; i < n; i++)
		bad += v[i - 1] > v[i];
	return bad;
}

uint64_t wl_test_sort(uint64_t seed)
{
	struct wl_rng r = wl_rng_seed(seed);
	uint64_t h = 0;

	/* Mostly random keys, a run of duplicates, and a sorted stretch: the partition's awkward cases. */
	for (long i = 0; i < SORT_N; i++) {
		uint64_t x = wl_next(&r);

		if (i % 7 == 3)
			orig[i] = (int32_t)(x % 5) - 2;
		else if (i >= SORT_N - 500)
			orig[i] = (int32_t)i;
		else
			orig[i] = (int32_t)(uint32_t)x;
	}
	for (long i = 0; i < SORT_N; i++)
		a[i] = b[i] = c[i] = orig[i];
	quicksort(a, SORT_N);
	mergesort(b, SORT_N, tmp);
	heapsort(c, SORT_N);

	uint64_t diff = 0, sum = 0;
	for (long i = 0; i < SORT_N; i++) {
		diff += (a[i] != b[i]) + (a[i] != c[i]);
		sum = sum * 31 + (uint32_t)a[i];
	}
	h = wl_mix(h, check_sorted(a, SORT_N));
	h = wl_mix(h, diff);
	h = wl_mix(h, sum);
	h = wl_mix(h, (uint32_t)a[0]);
	h = wl_mix(h, (uint32_t)a[SORT_N / 2]);
	h = wl_mix(h, (uint32_t)a[SORT_N - 1]);

	for (long i = 0; i < REC_N; i++) {
		recs[i].group = (uint16_t)wl_below(&r, 20);
		recs[i].score = (int64_t)(wl_next(&r) % 2001) - 1000;
		recs[i].id = (uint32_t)i;
	}
	shellsort(recs, REC_N, rec_cmp);
	uint64_t bad = 0, rs = 0;
	for (long i = 0; i < REC_N; i++) {
		if (i > 0)
			bad += rec_cmp(&recs[i - 1], &recs[i]) >= 0;
		rs = wl_mix(rs, (uint64_t)recs[i].id << 32 | (uint64_t)recs[i].score);
	}
	h = wl_mix(h, bad);
	h = wl_mix(h, rs);
	return h;
}
