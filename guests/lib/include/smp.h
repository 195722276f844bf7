/* Secondary vCPUs (lib/smp.c): VCPUOP_initialise / up / down / is_up. */
#ifndef GUEST_SMP_H
#define GUEST_SMP_H

#include <stdint.h>
#include <xen/xen.h>

/* x86_64 vcpu_guest_context (public/arch-x86/xen.h): 5168 bytes. */
struct cpu_user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi;
	uint32_t error_code, entry_vector;
	uint64_t rip;
	uint16_t cs, _pad0[1];
	uint8_t saved_upcall_mask, _pad1[3];
	uint64_t rflags, rsp;
	uint16_t ss, _pad2[3], es, _pad3[3], ds, _pad4[3], fs, _pad5[3], gs, _pad6[3];
};

struct vcpu_guest_context {
	char fpu_ctxt[512];
	unsigned long flags;
	struct cpu_user_regs user_regs;
	struct trap_info trap_ctxt[256];
	unsigned long ldt_base, ldt_ents;
	unsigned long gdt_frames[16], gdt_ents;
	unsigned long kernel_ss, kernel_sp;
	unsigned long ctrlreg[8];
	unsigned long debugreg[8];
	unsigned long event_callback_eip, failsafe_callback_eip, syscall_callback_eip;
	unsigned long vm_assist;
	uint64_t fs_base, gs_base_kernel, gs_base_user;
};
_Static_assert(sizeof(struct cpu_user_regs) == 200, "cpu_user_regs is 200 bytes");
_Static_assert(sizeof(struct vcpu_guest_context) == 5168, "vcpu_guest_context is 5168 bytes");

#define VGCF_IN_KERNEL (1UL << 2)

typedef void (*cpu_fn_t)(unsigned int cpu);

/* Start vCPU `cpu` running fn(cpu) on its own stack, with the trap table and events set up.
 * When fn returns the vCPU takes itself down. Returns 0 or -errno of initialise/up. */
int smp_start_cpu(unsigned int cpu, cpu_fn_t fn);
int smp_cpu_is_up(unsigned int cpu);

#endif
