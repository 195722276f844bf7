/*
 * Hypercalls through the hypercall page. The hypervisor fills the page with 128 slots of 32 bytes; slot
 * nr is "push rcx; push r11; mov $nr,%eax; syscall; pop r11; pop rcx; ret", so a hypercall is a near
 * call to hypercall_page + nr * 32 with the arguments in RDI, RSI, RDX, R10, R8 and the result (0 or a
 * positive value, or -errno) in RAX. The hypervisor may overwrite the argument registers (a debug Xen
 * poisons the ones a hypercall uses), so every call treats all five as clobbered: the used ones are
 * in/out operands, the unused ones are in the clobber list, whatever the hypercall's arity. RCX and R11
 * (used by SYSCALL) are clobbered too.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/nmi.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

/* One page in .text (lib/hypercall_page.S), 0xC3-filled until the hypervisor writes it. */
extern unsigned char hypercall_page[4096];

#define __HYPERCALL_SLOT(name) (__HYPERVISOR_##name * HYPERCALL_PAGE_SLOT_SIZE)
#define __HYPERCALL_CLOBBERS "memory", "rcx", "r11"
#define __HYPERCALL_CLOBBERS5 __HYPERCALL_CLOBBERS
#define __HYPERCALL_CLOBBERS4 __HYPERCALL_CLOBBERS5, "r8"
#define __HYPERCALL_CLOBBERS3 __HYPERCALL_CLOBBERS4, "r10"
#define __HYPERCALL_CLOBBERS2 __HYPERCALL_CLOBBERS3, "rdx"
#define __HYPERCALL_CLOBBERS1 __HYPERCALL_CLOBBERS2, "rsi"
#define __HYPERCALL_CLOBBERS0 __HYPERCALL_CLOBBERS1, "rdi"

#define _hypercall0(type, name)                                             \
({                                                                          \
	long __res;                                                         \
	asm volatile("call hypercall_page + %c[slot]"                       \
		     : "=a"(__res)                                          \
		     : [slot] "i"(__HYPERCALL_SLOT(name))                   \
		     : __HYPERCALL_CLOBBERS0);                              \
	(type)__res;                                                        \
})

#define _hypercall1(type, name, a1)                                         \
({                                                                          \
	long __v1 = (long)(a1);                                             \
	register long __a1 asm("rdi") = __v1;                               \
	long __res;                                                         \
	asm volatile("call hypercall_page + %c[slot]"                       \
		     : "=a"(__res), "+r"(__a1)                              \
		     : [slot] "i"(__HYPERCALL_SLOT(name))                   \
		     : __HYPERCALL_CLOBBERS1);                              \
	(type)__res;                                                        \
})

#define _hypercall2(type, name, a1, a2)                                     \
({                                                                          \
	long __v1 = (long)(a1), __v2 = (long)(a2);                          \
	register long __a1 asm("rdi") = __v1;                               \
	register long __a2 asm("rsi") = __v2;                               \
	long __res;                                                         \
	asm volatile("call hypercall_page + %c[slot]"                       \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2)                  \
		     : [slot] "i"(__HYPERCALL_SLOT(name))                   \
		     : __HYPERCALL_CLOBBERS2);                              \
	(type)__res;                                                        \
})

#define _hypercall3(type, name, a1, a2, a3)                                 \
({                                                                          \
	long __v1 = (long)(a1), __v2 = (long)(a2), __v3 = (long)(a3);       \
	register long __a1 asm("rdi") = __v1;                               \
	register long __a2 asm("rsi") = __v2;                               \
	register long __a3 asm("rdx") = __v3;                               \
	long __res;                                                         \
	asm volatile("call hypercall_page + %c[slot]"                       \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2), "+r"(__a3)      \
		     : [slot] "i"(__HYPERCALL_SLOT(name))                   \
		     : __HYPERCALL_CLOBBERS3);                              \
	(type)__res;                                                        \
})

#define _hypercall4(type, name, a1, a2, a3, a4)                             \
({                                                                          \
	long __v1 = (long)(a1), __v2 = (long)(a2), __v3 = (long)(a3);       \
	long __v4 = (long)(a4);                                             \
	register long __a1 asm("rdi") = __v1;                               \
	register long __a2 asm("rsi") = __v2;                               \
	register long __a3 asm("rdx") = __v3;                               \
	register long __a4 asm("r10") = __v4;                               \
	long __res;                                                         \
	asm volatile("call hypercall_page + %c[slot]"                       \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2), "+r"(__a3),     \
		       "+r"(__a4)                                           \
		     : [slot] "i"(__HYPERCALL_SLOT(name))                   \
		     : __HYPERCALL_CLOBBERS4);                              \
	(type)__res;                                                        \
})

#define _hypercall5(type, name, a1, a2, a3, a4, a5)                         \
({                                                                          \
	long __v1 = (long)(a1), __v2 = (long)(a2), __v3 = (long)(a3);       \
	long __v4 = (long)(a4), __v5 = (long)(a5);                          \
	register long __a1 asm("rdi") = __v1;                               \
	register long __a2 asm("rsi") = __v2;                               \
	register long __a3 asm("rdx") = __v3;                               \
	register long __a4 asm("r10") = __v4;                               \
	register long __a5 asm("r8") = __v5;                                \
	long __res;                                                         \
	asm volatile("call hypercall_page + %c[slot]"                       \
		     : "=a"(__res), "+r"(__a1), "+r"(__a2), "+r"(__a3),     \
		       "+r"(__a4), "+r"(__a5)                               \
		     : [slot] "i"(__HYPERCALL_SLOT(name))                   \
		     : __HYPERCALL_CLOBBERS5);                              \
	(type)__res;                                                        \
})

/*
 * Any hypercall by number, for tests that probe the dispatch table (unknown numbers, legacy slots).
 * All five argument registers are passed. Numbers past the page's 128 slots return -ENOSYS locally.
 */
static inline long xen_hypercall(unsigned int nr, unsigned long a1, unsigned long a2, unsigned long a3,
				 unsigned long a4, unsigned long a5)
{
	if (nr >= 4096 / HYPERCALL_PAGE_SLOT_SIZE)
		return -XEN_ENOSYS;

	void *slot = hypercall_page + nr * HYPERCALL_PAGE_SLOT_SIZE;
	register unsigned long r1 asm("rdi") = a1;
	register unsigned long r2 asm("rsi") = a2;
	register unsigned long r3 asm("rdx") = a3;
	register unsigned long r4 asm("r10") = a4;
	register unsigned long r5 asm("r8") = a5;
	long res;
	asm volatile("call *%[slot]"
		     : "=a"(res), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5)
		     : [slot] "r"(slot)
		     : __HYPERCALL_CLOBBERS);
	return res;
}

/* Typed wrappers, x86-64 signatures, in hypercall-number order. */

static inline int HYPERVISOR_set_trap_table(const trap_info_t *table)
{
	return _hypercall1(int, set_trap_table, table);
}

static inline int HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count, unsigned int *success_count,
					domid_t domid)
{
	return _hypercall4(int, mmu_update, req, count, success_count, domid);
}

static inline int HYPERVISOR_set_gdt(unsigned long *frame_list, unsigned int entries)
{
	return _hypercall2(int, set_gdt, frame_list, entries);
}

static inline int HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{
	return _hypercall2(int, stack_switch, ss, sp);
}

static inline int HYPERVISOR_set_callbacks(unsigned long event_address, unsigned long failsafe_address,
					   unsigned long syscall_address)
{
	return _hypercall3(int, set_callbacks, event_address, failsafe_address, syscall_address);
}

static inline int HYPERVISOR_fpu_taskswitch(int set)
{
	return _hypercall1(int, fpu_taskswitch, set);
}

/* Legacy form of sched_op: the shutdown reason is passed by value. */
static inline int HYPERVISOR_sched_op_compat(int cmd, unsigned long arg)
{
	return _hypercall2(int, sched_op_compat, cmd, arg);
}

static inline int HYPERVISOR_set_debugreg(int reg, unsigned long value)
{
	return _hypercall2(int, set_debugreg, reg, value);
}

static inline unsigned long HYPERVISOR_get_debugreg(int reg)
{
	return _hypercall1(unsigned long, get_debugreg, reg);
}

static inline int HYPERVISOR_update_descriptor(uint64_t ma, uint64_t desc)
{
	return _hypercall2(int, update_descriptor, ma, desc);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return _hypercall2(long, memory_op, cmd, arg);
}

static inline int HYPERVISOR_multicall(multicall_entry_t *call_list, unsigned int nr_calls)
{
	return _hypercall2(int, multicall, call_list, nr_calls);
}

static inline int HYPERVISOR_update_va_mapping(unsigned long va, uint64_t new_val, unsigned long flags)
{
	return _hypercall3(int, update_va_mapping, va, new_val, flags);
}

static inline long HYPERVISOR_set_timer_op(uint64_t timeout)
{
	return _hypercall1(long, set_timer_op, timeout);
}

/* Legacy form of event_channel_op: cmd and argument packed in struct evtchn_op. */
static inline int HYPERVISOR_event_channel_op_compat(evtchn_op_t *op)
{
	return _hypercall1(int, event_channel_op_compat, op);
}

static inline int HYPERVISOR_xen_version(int cmd, void *arg)
{
	return _hypercall2(int, xen_version, cmd, arg);
}

static inline int HYPERVISOR_console_io(int cmd, int count, char *str)
{
	return _hypercall3(int, console_io, cmd, count, str);
}

static inline int HYPERVISOR_physdev_op_compat(void *op)
{
	return _hypercall1(int, physdev_op_compat, op);
}

static inline int HYPERVISOR_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	return _hypercall3(int, grant_table_op, cmd, uop, count);
}

static inline int HYPERVISOR_vm_assist(unsigned int cmd, unsigned int type)
{
	return _hypercall2(int, vm_assist, cmd, type);
}

static inline int HYPERVISOR_update_va_mapping_otherdomain(unsigned long va, uint64_t new_val,
							   unsigned long flags, domid_t domid)
{
	return _hypercall4(int, update_va_mapping_otherdomain, va, new_val, flags, domid);
}

static inline int HYPERVISOR_vcpu_op(int cmd, unsigned int vcpuid, void *extra_args)
{
	return _hypercall3(int, vcpu_op, cmd, vcpuid, extra_args);
}

static inline int HYPERVISOR_set_segment_base(int reg, unsigned long value)
{
	return _hypercall2(int, set_segment_base, reg, value);
}

static inline int HYPERVISOR_mmuext_op(struct mmuext_op *op, unsigned int count, unsigned int *success_count,
				       domid_t domid)
{
	return _hypercall4(int, mmuext_op, op, count, success_count, domid);
}

static inline int HYPERVISOR_nmi_op(unsigned int cmd, void *arg)
{
	return _hypercall2(int, nmi_op, cmd, arg);
}

static inline int HYPERVISOR_sched_op(int cmd, void *arg)
{
	return _hypercall2(int, sched_op, cmd, arg);
}

static inline int HYPERVISOR_callback_op(int cmd, const void *arg)
{
	return _hypercall2(int, callback_op, cmd, arg);
}

static inline int HYPERVISOR_event_channel_op(int cmd, void *op)
{
	return _hypercall2(int, event_channel_op, cmd, op);
}

static inline int HYPERVISOR_physdev_op(int cmd, void *arg)
{
	return _hypercall2(int, physdev_op, cmd, arg);
}

/*
 * There is no wrapper for __HYPERVISOR_iret: it is jumped to (hypercall_page + 23 * 32) with the
 * iret_context frame on the stack and never returns.
 */

#endif
