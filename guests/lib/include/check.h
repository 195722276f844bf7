/* Self-checking guests: one `PASS name` or `FAIL name: detail` line per check (lib/check.c). */
#ifndef GUEST_CHECK_H
#define GUEST_CHECK_H

#include <stdint.h>
#include <traps.h>

/* Checks run and failed so far. */
extern int checks, failures;

void check(int ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Check that expr returns want (a hypercall's result or errno). */
#define CHECK_RC(expr, want, name)                                                               \
	do {                                                                                     \
		long __rc = (expr);                                                              \
		check(__rc == (long)(want), name, "returned %ld, expected %ld", __rc, (long)(want)); \
	} while (0)

/*
 * Run one instruction that is expected to fault; a fixup continues after it. Returns 1 if it
 * faulted (details in last_trap). Operands from the variadic part are inputs (%1...); the
 * instruction must not complete (it would change registers the compiler thinks unchanged).
 */
#define FAULTS(insn, ...)                                                   \
	({                                                                  \
		int __f;                                                    \
		asm volatile("1: " insn "\n\t"                              \
			     "xor %k0, %k0\n\t"                             \
			     "jmp 3f\n"                                     \
			     "2: mov $1, %k0\n"                             \
			     "3:\n\t" EXTABLE_ENTRY(1b, 2b)                 \
			     : "=&r"(__f) : __VA_ARGS__ : "memory", "cc");   \
		__f;                                                        \
	})

/*
 * Frames for hostile tests, found by reading the M2P: one that belongs to another domain (a
 * valid M2P entry our p2m does not confirm) and a free one (other than shared_info). Either is
 * 0 when none exists.
 */
void m2p_find_targets(unsigned long *foreign, unsigned long *free);

/* Read the 64-bit word at va: 0 with the value in *out, or 1 if the read faults. */
static inline int peek(unsigned long va, uint64_t *out)
{
	int f;
	uint64_t v = 0;
	asm volatile("1: movq (%2), %1\n\t"
		     "xor %k0, %k0\n\t"
		     "jmp 3f\n"
		     "2: mov $1, %k0\n"
		     "3:\n\t" EXTABLE_ENTRY(1b, 2b)
		     : "=&r"(f), "+r"(v) : "r"(va) : "memory", "cc");
	*out = v;
	return f;
}

#endif
