/*
 * cpubench: an integer-heavy, deterministic CPU workload, the same C source for three builds
 * (the xenwasm guest, a native x86-64 program and an i386 multiboot kernel for v86), so the
 * engines can be compared on identical work.
 *
 * The arithmetic uses explicit uint32_t/uint64_t and no 64-bit division, so the i386 build
 * computes the same checksum without libgcc.
 */
#ifndef CPUBENCH_H
#define CPUBENCH_H

#include <stdint.h>

/* About 1.2 G x86-64 instructions (1.49 M per iteration): seconds when interpreted, and small
 * enough that npm run bench:cpu, slow engines included, stays near two minutes. */
#define CPUBENCH_DEFAULT_ITERATIONS 800u

/* Runs the workload `iterations` times; returns the checksum of everything it computed. */
uint32_t cpubench_run(uint32_t iterations);

/*
 * The value of "iterations=N" in a kernel command line or argument (decimal), or dflt when it
 * is absent or not a number.
 */
static inline uint32_t cpubench_iterations_arg(const char *s, uint32_t dflt)
{
	static const char key[] = "iterations=";

	while (s && *s) {
		unsigned int k = 0;

		while (*s == ' ')
			s++;
		while (key[k] && s[k] == key[k])
			k++;
		if (!key[k] && s[k] >= '0' && s[k] <= '9') {
			uint32_t n = 0;

			for (s += k; *s >= '0' && *s <= '9'; s++)
				n = n * 10u + (uint32_t)(*s - '0');
			return n;
		}
		while (*s && *s != ' ')
			s++;
	}
	return dflt;
}

#endif
