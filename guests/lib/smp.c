/* Secondary vCPUs: build a vcpu_guest_context that enters ap_start on a fresh stack with the
 * kernel's page tables, event callback and per-CPU GS base, then VCPUOP_up it. */
#include <stddef.h>
#include <string.h>
#include <hypercall.h>
#include <kernel.h>
#include <traps.h>
#include <events.h>
#include <smp.h>

#define AP_STACK 16384
#define AP_MAX 8
static char ap_stacks[AP_MAX][AP_STACK] __attribute__((aligned(16)));
static cpu_fn_t ap_fn[MAX_GUEST_CPUS];
static struct vcpu_guest_context ctxt;

extern char hypervisor_callback[], failsafe_callback[];

void ap_start(unsigned int cpu);
void ap_start(unsigned int cpu)
{
	traps_init();
	events_init_cpu(cpu);
	ap_fn[cpu](cpu);
	HYPERVISOR_vcpu_op(VCPUOP_down, cpu, NULL);
	panic("vCPU %u still running after VCPUOP_down", cpu);
}

/* The machine address of our L4: start_info.pt_base is its virtual address. */
static unsigned long l4_maddr(void)
{
	unsigned long pfn = (start_info_ptr->pt_base - VIRT_BASE) >> 12;
	unsigned long *p2m = (unsigned long *)start_info_ptr->mfn_list;
	return p2m[pfn] << 12;
}

int smp_start_cpu(unsigned int cpu, cpu_fn_t fn)
{
	if (cpu == 0 || cpu >= AP_MAX)
		return -XEN_EINVAL;
	memset(&ctxt, 0, sizeof(ctxt));
	ap_fn[cpu] = fn;
	percpu_area[cpu].cpu = cpu;
	percpu_area[cpu].vi = &HYPERVISOR_shared_info->vcpu_info[cpu];
	ctxt.flags = VGCF_IN_KERNEL;
	ctxt.user_regs.rip = (unsigned long)ap_start;
	ctxt.user_regs.rsp = (unsigned long)&ap_stacks[cpu][AP_STACK - 8]; /* as after a call */
	ctxt.user_regs.rdi = cpu;
	ctxt.user_regs.cs = FLAT_KERNEL_CS;
	ctxt.user_regs.ss = FLAT_KERNEL_SS;
	ctxt.user_regs.rflags = 0x202;
	ctxt.kernel_ss = FLAT_KERNEL_SS;
	ctxt.kernel_sp = (unsigned long)&ap_stacks[cpu][AP_STACK];
	ctxt.ctrlreg[3] = l4_maddr();
	ctxt.event_callback_eip = (unsigned long)hypervisor_callback;
	ctxt.failsafe_callback_eip = (unsigned long)failsafe_callback;
	ctxt.gs_base_kernel = (unsigned long)&percpu_area[cpu];
	int rc = HYPERVISOR_vcpu_op(VCPUOP_initialise, cpu, &ctxt);
	if (rc)
		return rc;
	return HYPERVISOR_vcpu_op(VCPUOP_up, cpu, NULL);
}

int smp_cpu_is_up(unsigned int cpu)
{
	return HYPERVISOR_vcpu_op(VCPUOP_is_up, cpu, NULL);
}
