/*
 * The core of the Xen PV ABI for 64-bit guests: hypercall numbers, MMU and vm_assist operations, domain
 * ids, and the start_info / shared_info / vcpu_info layouts. Names follow Xen's public headers so the two
 * can be read side by side. Constants are usable from assembly; types are C only.
 */
#ifndef XEN_PUBLIC_XEN_H
#define XEN_PUBLIC_XEN_H

/*
 * We build against the current interface, so sched_op, event_channel_op and physdev_op are the modern
 * numbers 29, 32 and 33 (an interface version of 0 would remap them to the legacy 6, 16 and 19).
 */
#define __XEN_LATEST_INTERFACE_VERSION__ 0x00041300
#ifndef __XEN_INTERFACE_VERSION__
#define __XEN_INTERFACE_VERSION__ __XEN_LATEST_INTERFACE_VERSION__
#endif

#include <xen/arch-x86_64.h>

/* Hypercall numbers: slot nr of the hypercall page is at hypercall_page + nr * 32. */
#define __HYPERVISOR_set_trap_table                0
#define __HYPERVISOR_mmu_update                    1
#define __HYPERVISOR_set_gdt                       2
#define __HYPERVISOR_stack_switch                  3
#define __HYPERVISOR_set_callbacks                 4
#define __HYPERVISOR_fpu_taskswitch                5
#define __HYPERVISOR_sched_op_compat               6   /* legacy: reason by value */
#define __HYPERVISOR_platform_op                   7
#define __HYPERVISOR_set_debugreg                  8
#define __HYPERVISOR_get_debugreg                  9
#define __HYPERVISOR_update_descriptor            10
#define __HYPERVISOR_memory_op                    12
#define __HYPERVISOR_multicall                    13
#define __HYPERVISOR_update_va_mapping            14
#define __HYPERVISOR_set_timer_op                 15
#define __HYPERVISOR_event_channel_op_compat      16   /* legacy: struct evtchn_op */
#define __HYPERVISOR_xen_version                  17
#define __HYPERVISOR_console_io                   18
#define __HYPERVISOR_physdev_op_compat            19   /* legacy */
#define __HYPERVISOR_grant_table_op               20
#define __HYPERVISOR_vm_assist                    21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                         23   /* jumped to, never returns */
#define __HYPERVISOR_vcpu_op                      24
#define __HYPERVISOR_set_segment_base             25
#define __HYPERVISOR_mmuext_op                    26
#define __HYPERVISOR_xsm_op                       27
#define __HYPERVISOR_nmi_op                       28
#define __HYPERVISOR_sched_op                     29
#define __HYPERVISOR_callback_op                  30
#define __HYPERVISOR_xenoprof_op                  31
#define __HYPERVISOR_event_channel_op             32
#define __HYPERVISOR_physdev_op                   33
#define __HYPERVISOR_hvm_op                       34
#define __HYPERVISOR_sysctl                       35
#define __HYPERVISOR_domctl                       36
#define __HYPERVISOR_kexec_op                     37
#define __HYPERVISOR_tmem_op                      38
#define __HYPERVISOR_argo_op                      39
#define __HYPERVISOR_xenpmu_op                    40
#define __HYPERVISOR_dm_op                        41
#define __HYPERVISOR_hypfs_op                     42
#define __HYPERVISOR_arch_0                       48
#define __HYPERVISOR_arch_1                       49
#define __HYPERVISOR_arch_2                       50
#define __HYPERVISOR_arch_3                       51
#define __HYPERVISOR_arch_4                       52
#define __HYPERVISOR_arch_5                       53
#define __HYPERVISOR_arch_6                       54
#define __HYPERVISOR_arch_7                       55

#define HYPERCALL_PAGE_SLOT_SIZE 32

/* Virtual interrupts, bound with EVTCHNOP_bind_virq. */
#define VIRQ_TIMER      0   /* per vCPU: timer expired */
#define VIRQ_DEBUG      1   /* per vCPU */
#define VIRQ_CONSOLE    2
#define VIRQ_DOM_EXC    3
#define VIRQ_TBUF       4
#define VIRQ_DEBUGGER   6
#define VIRQ_XENOPROF   7   /* per vCPU */
#define VIRQ_CON_RING   8
#define VIRQ_PCPU_STATE 9
#define VIRQ_MEM_EVENT  10
#define VIRQ_ARGO       11
#define VIRQ_ENOMEM     12
#define VIRQ_XENPMU     13  /* per vCPU */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/* mmu_update: the low two bits of mmu_update.ptr select the command. */
#define MMU_NORMAL_PT_UPDATE       0   /* ptr = machine address of a PTE, val = new PTE */
#define MMU_MACHPHYS_UPDATE        1   /* ptr = machine address in the frame, val = its PFN */
#define MMU_PT_UPDATE_PRESERVE_AD  2   /* as NORMAL, OR in the current A/D bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3

/* mmuext_op commands */
#define MMUEXT_PIN_L1_TABLE      0
#define MMUEXT_PIN_L2_TABLE      1
#define MMUEXT_PIN_L3_TABLE      2
#define MMUEXT_PIN_L4_TABLE      3
#define MMUEXT_UNPIN_TABLE       4
#define MMUEXT_NEW_BASEPTR       5
#define MMUEXT_TLB_FLUSH_LOCAL   6
#define MMUEXT_INVLPG_LOCAL      7
#define MMUEXT_TLB_FLUSH_MULTI   8
#define MMUEXT_INVLPG_MULTI      9
#define MMUEXT_TLB_FLUSH_ALL    10
#define MMUEXT_INVLPG_ALL       11
#define MMUEXT_FLUSH_CACHE      12
#define MMUEXT_SET_LDT          13
#define MMUEXT_NEW_USER_BASEPTR 15
#define MMUEXT_CLEAR_PAGE       16
#define MMUEXT_COPY_PAGE        17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER       19
#define MMUEXT_UNMARK_SUPER     20

/* update_va_mapping flags: bits 1:0 flush type, bits 63:2 which vCPUs */
#define UVMF_NONE           0UL
#define UVMF_TLB_FLUSH      1UL
#define UVMF_INVLPG         2UL
#define UVMF_FLUSHTYPE_MASK 3UL
#define UVMF_MULTI          0UL   /* OR in a pointer to a vCPU bitmap */
#define UVMF_LOCAL          0UL
#define UVMF_ALL            4UL

/* vm_assist */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0
#define VMASST_TYPE_4gb_segments_notify  1
#define VMASST_TYPE_writable_pagetables  2
#define VMASST_TYPE_pae_extended_cr3     3
#define VMASST_TYPE_architectural_iopl   4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict          32

/* console_io */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* Domain ids */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U
#define DOMID_IO             0x7FF1U
#define DOMID_XEN            0x7FF2U
#define DOMID_COW            0x7FF3U
#define DOMID_INVALID        0x7FF4U
#define DOMID_ANY            0x7FF5U
#define DOMID_IDLE           0x7FFFU
#define DOMID_MASK           0x7FFFU

/* start_info.flags */
#define SIF_PRIVILEGED      (1 << 0)
#define SIF_INITDOMAIN      (1 << 1)
#define SIF_MULTIBOOT_MOD   (1 << 2)
#define SIF_MOD_START_PFN   (1 << 3)
#define SIF_VIRT_P2M_4TOOLS (1 << 4)
#define SIF_PM_MASK         (0xFF << 8)

#define MAX_GUEST_CMDLINE 1024
#define XEN_LEGACY_MAX_VCPUS 32

/* vcpu_time_info.flags */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0)
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1)

#ifndef __ASSEMBLER__

#include <stdint.h>

typedef uint16_t domid_t;

struct mmu_update {
	uint64_t ptr;   /* machine address of the target, low 2 bits = MMU_* command */
	uint64_t val;
};
typedef struct mmu_update mmu_update_t;

struct mmuext_op {
	unsigned int cmd;           /* MMUEXT_* */
	union {
		xen_pfn_t mfn;              /* PIN_*, UNPIN_TABLE, NEW_*BASEPTR, CLEAR_PAGE, COPY_PAGE (dst) */
		unsigned long linear_addr;  /* INVLPG_*, SET_LDT */
	} arg1;
	union {
		unsigned int nr_ents;       /* SET_LDT */
		const void *vcpumask;       /* TLB_FLUSH_MULTI, INVLPG_MULTI */
		xen_pfn_t src_mfn;          /* COPY_PAGE */
	} arg2;
};
typedef struct mmuext_op mmuext_op_t;

struct multicall_entry {
	xen_ulong_t op;
	xen_ulong_t result;
	xen_ulong_t args[6];
};
typedef struct multicall_entry multicall_entry_t;

/* Xen's view of time for one vCPU; version is odd while Xen updates the record. */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;      /* TSC at the last update */
	uint64_t system_time;        /* ns since boot at tsc_timestamp */
	uint32_t tsc_to_system_mul;  /* ns = ((tsc delta << shift) * mul) >> 32 */
	int8_t tsc_shift;            /* negative: shift right */
	uint8_t flags;               /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;

struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;    /* 1 = events masked (the PV "interrupt flag") */
	xen_ulong_t evtchn_pending_sel; /* bit i: word i of shared_info.evtchn_pending has work */
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};
typedef struct vcpu_info vcpu_info_t;

struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
	xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
	uint32_t wc_version;   /* wallclock at boot; odd while updating */
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi;
	struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;

/* The page whose virtual address the kernel gets in RSI at entry. */
struct start_info {
	char magic[32];              /* "xen-3.0-x86_64" */
	unsigned long nr_pages;      /* total pages of the domain */
	unsigned long shared_info;   /* machine address of the shared_info page */
	uint32_t flags;              /* SIF_* */
	xen_pfn_t store_mfn;         /* xenstore ring */
	uint32_t store_evtchn;
	union {
		struct {
			xen_pfn_t mfn;           /* console ring */
			uint32_t evtchn;
		} domU;
		struct {
			uint32_t info_off;       /* offset of dom0_vga_console_info in this page */
			uint32_t info_size;
		} dom0;
	} console;
	unsigned long pt_base;       /* virtual address of the L4 page table */
	unsigned long nr_pt_frames;
	unsigned long mfn_list;      /* virtual address of the p2m list (pfn -> mfn) */
	unsigned long mod_start;     /* initrd virtual address (a PFN with SIF_MOD_START_PFN) */
	unsigned long mod_len;
	int8_t cmd_line[MAX_GUEST_CMDLINE];
	unsigned long first_p2m_pfn;
	unsigned long nr_p2m_frames;
};
typedef struct start_info start_info_t;

/* Layouts, checked against the x86-64 numbers of the ABI. */
_Static_assert(sizeof(struct mmu_update) == 16, "mmu_update is 16 bytes");
_Static_assert(sizeof(struct mmuext_op) == 24, "mmuext_op is 24 bytes");
_Static_assert(__builtin_offsetof(struct mmuext_op, arg1) == 8, "mmuext_op.arg1 @8");
_Static_assert(__builtin_offsetof(struct mmuext_op, arg2) == 16, "mmuext_op.arg2 @16");
_Static_assert(sizeof(struct multicall_entry) == 64, "multicall_entry is 64 bytes");

_Static_assert(sizeof(struct vcpu_time_info) == 32, "vcpu_time_info is 32 bytes");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, tsc_timestamp) == 8, "time.tsc_timestamp @8");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, system_time) == 16, "time.system_time @16");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, tsc_to_system_mul) == 24, "time.tsc_to_system_mul @24");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, tsc_shift) == 28, "time.tsc_shift @28");
_Static_assert(__builtin_offsetof(struct vcpu_time_info, flags) == 29, "time.flags @29");

_Static_assert(sizeof(struct vcpu_info) == 64, "vcpu_info is 64 bytes");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_upcall_mask) == 1, "vcpu_info.evtchn_upcall_mask @1");
_Static_assert(__builtin_offsetof(struct vcpu_info, evtchn_pending_sel) == 8, "vcpu_info.evtchn_pending_sel @8");
_Static_assert(__builtin_offsetof(struct vcpu_info, arch.cr2) == 16, "vcpu_info.arch.cr2 @16");
_Static_assert(__builtin_offsetof(struct vcpu_info, time) == 32, "vcpu_info.time @32");

_Static_assert(sizeof(struct shared_info) == 3136, "shared_info uses 3136 bytes");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_pending) == 2048, "shared_info.evtchn_pending @2048");
_Static_assert(__builtin_offsetof(struct shared_info, evtchn_mask) == 2560, "shared_info.evtchn_mask @2560");
_Static_assert(__builtin_offsetof(struct shared_info, wc_version) == 3072, "shared_info.wc_version @3072");
_Static_assert(__builtin_offsetof(struct shared_info, wc_sec) == 3076, "shared_info.wc_sec @3076");
_Static_assert(__builtin_offsetof(struct shared_info, wc_nsec) == 3080, "shared_info.wc_nsec @3080");
_Static_assert(__builtin_offsetof(struct shared_info, wc_sec_hi) == 3084, "shared_info.wc_sec_hi @3084");
_Static_assert(__builtin_offsetof(struct shared_info, arch.max_pfn) == 3088, "shared_info.arch.max_pfn @3088");
_Static_assert(__builtin_offsetof(struct shared_info, arch.pfn_to_mfn_frame_list_list) == 3096,
	       "shared_info.arch.pfn_to_mfn_frame_list_list @3096");
_Static_assert(__builtin_offsetof(struct shared_info, arch.nmi_reason) == 3104, "shared_info.arch.nmi_reason @3104");
_Static_assert(__builtin_offsetof(struct shared_info, arch.p2m_cr3) == 3112, "shared_info.arch.p2m_cr3 @3112");
_Static_assert(__builtin_offsetof(struct shared_info, arch.p2m_vaddr) == 3120, "shared_info.arch.p2m_vaddr @3120");
_Static_assert(__builtin_offsetof(struct shared_info, arch.p2m_generation) == 3128,
	       "shared_info.arch.p2m_generation @3128");

_Static_assert(sizeof(struct start_info) == 1168, "start_info is 1168 bytes");
_Static_assert(__builtin_offsetof(struct start_info, nr_pages) == 32, "start_info.nr_pages @32");
_Static_assert(__builtin_offsetof(struct start_info, shared_info) == 40, "start_info.shared_info @40");
_Static_assert(__builtin_offsetof(struct start_info, flags) == 48, "start_info.flags @48");
_Static_assert(__builtin_offsetof(struct start_info, store_mfn) == 56, "start_info.store_mfn @56");
_Static_assert(__builtin_offsetof(struct start_info, store_evtchn) == 64, "start_info.store_evtchn @64");
_Static_assert(__builtin_offsetof(struct start_info, console.domU.mfn) == 72, "start_info.console.domU.mfn @72");
_Static_assert(__builtin_offsetof(struct start_info, console.domU.evtchn) == 80, "start_info.console.domU.evtchn @80");
_Static_assert(__builtin_offsetof(struct start_info, console.dom0.info_off) == 72, "start_info.console.dom0.info_off @72");
_Static_assert(__builtin_offsetof(struct start_info, console.dom0.info_size) == 76,
	       "start_info.console.dom0.info_size @76");
_Static_assert(__builtin_offsetof(struct start_info, pt_base) == 88, "start_info.pt_base @88");
_Static_assert(__builtin_offsetof(struct start_info, nr_pt_frames) == 96, "start_info.nr_pt_frames @96");
_Static_assert(__builtin_offsetof(struct start_info, mfn_list) == 104, "start_info.mfn_list @104");
_Static_assert(__builtin_offsetof(struct start_info, mod_start) == 112, "start_info.mod_start @112");
_Static_assert(__builtin_offsetof(struct start_info, mod_len) == 120, "start_info.mod_len @120");
_Static_assert(__builtin_offsetof(struct start_info, cmd_line) == 128, "start_info.cmd_line @128");
_Static_assert(__builtin_offsetof(struct start_info, first_p2m_pfn) == 1152, "start_info.first_p2m_pfn @1152");
_Static_assert(__builtin_offsetof(struct start_info, nr_p2m_frames) == 1160, "start_info.nr_p2m_frames @1160");

#endif /* !__ASSEMBLER__ */

#endif
