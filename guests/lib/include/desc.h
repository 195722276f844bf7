/*
 * Segment descriptors for set_gdt / update_descriptor, and selector loads that report the
 * fault they take instead of crashing (the trap table must be installed: traps_init()).
 */
#ifndef GUEST_DESC_H
#define GUEST_DESC_H

#include <stdint.h>
#include <traps.h>

/* Access byte: P | DPL | S | type. */
#define DESC_P        0x80
#define DESC_DPL(n)   ((n) << 5)
#define DESC_S        0x10
#define DESC_DATA_RW  0x02
#define DESC_CODE_RX  0x0a
#define DESC_ACCESSED 0x01
#define DESC_TYPE_LDT       0x02
#define DESC_TYPE_TSS       0x09
#define DESC_TYPE_CALL_GATE 0x0c
#define DESC_TYPE_INT_GATE  0x0e
/* Flags nibble: G | D/B | L | AVL. */
#define DESC_G  0x8
#define DESC_DB 0x4
#define DESC_L  0x2

static inline uint64_t seg_desc(uint32_t base, uint32_t limit, unsigned int access, unsigned int flags)
{
	return (uint64_t)(limit & 0xffff) | ((uint64_t)(base & 0xffffff) << 16) | ((uint64_t)(access & 0xff) << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) | ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

/* The low half of a 64-bit call gate (the high half holds offset bits 63:32). */
static inline uint64_t call_gate(uint16_t sel, uint64_t offset, unsigned int dpl)
{
	return (offset & 0xffff) | ((uint64_t)sel << 16) |
	       ((uint64_t)(DESC_P | DESC_DPL(dpl) | DESC_TYPE_CALL_GATE) << 40) | (((offset >> 16) & 0xffff) << 48);
}

#define DESC_DPL_OF(d) ((unsigned int)((d) >> 45) & 3)

/*
 * Load a selector into a segment register: 0 on success, else the vector of the fault
 * (last_trap has its error code).
 */
#define __LOAD_SEG(reg, sel)                                                 \
	({                                                                   \
		unsigned int __before = last_trap.count;                      \
		int __f;                                                     \
		asm volatile("1: mov %k1, %%" reg "\n\t"                     \
			     "xor %k0, %k0\n\t"                              \
			     "jmp 3f\n"                                      \
			     "2: mov $1, %k0\n"                              \
			     "3:\n\t" EXTABLE_ENTRY(1b, 2b)                  \
			     : "=&r"(__f) : "r"((unsigned int)(sel)) : "memory", "cc"); \
		(__f && last_trap.count != __before) ? (int)last_trap.vector : 0; \
	})

static inline int load_ds(unsigned int sel) { return __LOAD_SEG("ds", sel); }
static inline int load_es(unsigned int sel) { return __LOAD_SEG("es", sel); }
static inline int load_fs(unsigned int sel) { return __LOAD_SEG("fs", sel); }
static inline int load_gs(unsigned int sel) { return __LOAD_SEG("gs", sel); }
static inline int load_ss(unsigned int sel) { return __LOAD_SEG("ss", sel); }

static inline unsigned int read_fs(void)
{
	unsigned int v;
	asm volatile("mov %%fs, %k0" : "=r"(v));
	return v;
}

/* A quadword read through %fs at offset off. */
static inline uint64_t fs_read64(unsigned long off)
{
	uint64_t v;
	asm volatile("movq %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
	return v;
}

#endif
