/*
 * x86-64 part of the PV ABI: flat segment selectors, the hypervisor hole, the machine-to-phys table,
 * trap_info, the per-vCPU and shared arch fields, and the iret hypercall frame. Included by <xen/xen.h>.
 */
#ifndef XEN_PUBLIC_ARCH_X86_64_H
#define XEN_PUBLIC_ARCH_X86_64_H

/* Xen-reserved GDT entries (index >= 7168 = FIRST_RESERVED_GDT_ENTRY); the PV kernel runs in ring 3. */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

#define FLAT_RING3_CS32 0xe023  /* GDT index 260 */
#define FLAT_RING3_CS64 0xe033  /* GDT index 262 */
#define FLAT_RING3_DS32 0xe02b  /* GDT index 261 */
#define FLAT_RING3_DS64 0x0000  /* null selector */
#define FLAT_RING3_SS32 0xe02b  /* GDT index 261 */
#define FLAT_RING3_SS64 0xe02b  /* GDT index 261 */

#define FLAT_KERNEL_DS64 FLAT_RING3_DS64
#define FLAT_KERNEL_DS32 FLAT_RING3_DS32
#define FLAT_KERNEL_DS   FLAT_KERNEL_DS64
#define FLAT_KERNEL_CS64 FLAT_RING3_CS64
#define FLAT_KERNEL_CS32 FLAT_RING3_CS32
#define FLAT_KERNEL_CS   FLAT_KERNEL_CS64
#define FLAT_KERNEL_SS64 FLAT_RING3_SS64
#define FLAT_KERNEL_SS32 FLAT_RING3_SS32
#define FLAT_KERNEL_SS   FLAT_KERNEL_SS64

#define FLAT_USER_DS64 FLAT_RING3_DS64
#define FLAT_USER_DS32 FLAT_RING3_DS32
#define FLAT_USER_DS   FLAT_USER_DS64
#define FLAT_USER_CS64 FLAT_RING3_CS64
#define FLAT_USER_CS32 FLAT_RING3_CS32
#define FLAT_USER_CS   FLAT_USER_CS64
#define FLAT_USER_SS64 FLAT_RING3_SS64
#define FLAT_USER_SS32 FLAT_RING3_SS32
#define FLAT_USER_SS   FLAT_USER_SS64

/* The hypervisor owns L4 slots 256..271. */
#define HYPERVISOR_VIRT_START 0xFFFF800000000000UL
#define HYPERVISOR_VIRT_END   0xFFFF880000000000UL

/* Read-only machine-to-phys table (one unsigned long per MFN), mapped in every guest. */
#define MACH2PHYS_VIRT_START  0xFFFF800000000000UL
#define MACH2PHYS_VIRT_END    0xFFFF804000000000UL
#define MACH2PHYS_NR_ENTRIES  ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 3)
#define INVALID_M2P_ENTRY     (~0UL)
#define SHARED_M2P_ENTRY      (~0UL - 1UL)

/* set_segment_base 'which' */
#define SEGBASE_FS          0
#define SEGBASE_GS_USER     1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3   /* set user %gs selector and base */

/* Flag word pushed before jumping to the iret hypercall. */
#define _VGCF_in_syscall 8
#define VGCF_in_syscall  (1 << _VGCF_in_syscall)
#define VGCF_IN_SYSCALL  VGCF_in_syscall

/* trap_info.flags */
#define TI_GET_DPL(_ti)       ((_ti)->flags & 3)
#define TI_GET_IF(_ti)        ((_ti)->flags & 4)
#define TI_SET_DPL(_ti, _dpl) ((_ti)->flags = (uint8_t)(((_ti)->flags & ~3) | (_dpl)))
#define TI_SET_IF(_ti, _if)   ((_ti)->flags = (uint8_t)(((_ti)->flags & ~4) | ((!!(_if)) << 2)))

#ifndef __ASSEMBLER__

#include <stdint.h>

typedef unsigned long xen_pfn_t;
typedef unsigned long xen_ulong_t;

#define machine_to_phys_mapping ((unsigned long *)MACH2PHYS_VIRT_START)

/* One entry of the set_trap_table array; an entry with address 0 ends the table. */
struct trap_info {
	uint8_t vector;    /* exception vector */
	uint8_t flags;     /* bits 1:0 DPL for 'int n', bit 2 mask events on entry */
	uint16_t cs;       /* code selector */
	unsigned long address;
};
typedef struct trap_info trap_info_t;

/* The frame the iret hypercall consumes, from RSP upward at the trap. */
struct iret_context {
	uint64_t rax, r11, rcx, flags, rip, cs, rflags, rsp, ss;
};

struct arch_vcpu_info {
	unsigned long cr2;
	unsigned long pad;
};
typedef struct arch_vcpu_info arch_vcpu_info_t;

struct arch_shared_info {
	unsigned long max_pfn;                    /* max pfn that appears in the p2m table */
	xen_pfn_t pfn_to_mfn_frame_list_list;
	unsigned long nmi_reason;
	unsigned long p2m_cr3;
	unsigned long p2m_vaddr;
	unsigned long p2m_generation;
};
typedef struct arch_shared_info arch_shared_info_t;

_Static_assert(sizeof(struct trap_info) == 16, "trap_info is 16 bytes");
_Static_assert(__builtin_offsetof(struct trap_info, address) == 8, "trap_info.address @8");
_Static_assert(sizeof(struct iret_context) == 72, "iret_context is 72 bytes");
_Static_assert(sizeof(struct arch_vcpu_info) == 16, "arch_vcpu_info is 16 bytes");
_Static_assert(sizeof(struct arch_shared_info) == 48, "arch_shared_info is 48 bytes");

#endif /* !__ASSEMBLER__ */

#endif
