/*
 * What the grant-table guests share: PASS/FAIL lines with a summary the tests count, reading
 * numbers from the command line, probing a page for faults, and waiting on another domain.
 */
#ifndef GNTCHECK_H
#define GNTCHECK_H

#include <lib.h>
#include <mm.h>
#include <traps.h>
#include <gnttab.h>
#include <check.h>

static void summary(const char *guest) __attribute__((unused));
static void summary(const char *guest)
{
	printk("%s: %d checks, %d failure(s)\n", guest, checks, failures);
}

/* 1 if reading (write = 0) or writing a byte at va faults. */
static int faults(volatile char *va, int write) __attribute__((unused));
static int faults(volatile char *va, int write)
{
	int f;
	if (write)
		asm volatile("1: movb $0x5a, (%1)\n\t"
			     "xor %k0, %k0\n\t"
			     "jmp 3f\n"
			     "2: mov $1, %k0\n"
			     "3:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : "=&r"(f) : "r"(va) : "memory", "cc");
	else
		asm volatile("1: movb (%1), %%al\n\t"
			     "xor %k0, %k0\n\t"
			     "jmp 3f\n"
			     "2: mov $1, %k0\n"
			     "3:\n\t" EXTABLE_ENTRY(1b, 2b)
			     : "=&r"(f) : "r"(va) : "memory", "cc", "rax");
	return f;
}

/* Yield until cond holds, at most `tries` times; 1 if it held. */
#define WAIT_FOR(cond, tries)                                               \
	({                                                                  \
		int __ok = 0;                                               \
		for (unsigned long __i = 0; __i < (tries); __i++) {         \
			if (cond) {                                         \
				__ok = 1;                                   \
				break;                                      \
			}                                                   \
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);           \
		}                                                           \
		__ok;                                                       \
	})

#endif
