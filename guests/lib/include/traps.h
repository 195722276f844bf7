/* Exceptions: the trap table, handlers and fixups (lib/traps.c, lib/entry.S). */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

#include <stdint.h>

/* What an exception entry saved, lowest address first (lib/entry.S). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error_code;
	/* Xen's bounce frame, as the iret hypercall takes it back. */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* The last exception a fixup recovered from. */
struct trap_record {
	unsigned int count;
	unsigned int vector;
	uint64_t error_code;
	uint64_t rip;
	uint64_t cr2;
};
extern volatile struct trap_record last_trap;

/* Install the trap table (vectors 0-19; int3/into callable from user mode). */
void traps_init(void);

/* Optional per-vector hook: return non-zero when handled (the frame may be changed). */
typedef int (*trap_hook_t)(struct trap_frame *f);
void set_trap_hook(unsigned int vector, trap_hook_t hook);

/* Read the virtual CR2 (an emulated privileged instruction). */
static inline uint64_t read_cr2(void)
{
	uint64_t v;
	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/*
 * EXPECT_FAULT(insns, inputs...) runs the asm in `insns`; if its first instruction faults,
 * execution continues after it and the macro's value is 1, else 0. The fault's details are
 * in last_trap.
 */
#define EXTABLE_ENTRY(from, to) \
	".pushsection .extable, \"a\"\n\t.balign 8\n\t.quad " #from ", " #to "\n\t.popsection\n\t"

#endif
