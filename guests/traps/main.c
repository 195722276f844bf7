/*
 * Exceptions and emulated privileged operations: each check prints PASS or FAIL.
 * Every exception is delivered through the trap table with Xen's bounce frame and returned
 * from with the iret hypercall (lib/entry.S).
 */
#include <lib.h>
#include <traps.h>
#include <xen/version.h>
#include <check.h>

static void test_ud(void)
{
	unsigned int before = last_trap.count;
	int f = FAULTS("ud2");
	check(f && last_trap.vector == 6 && last_trap.count == before + 1, "ud2 raises #UD",
	      "faulted %d vector %u", f, last_trap.vector);
}

static void test_gp(void)
{
	int f = FAULTS("movq 0x8000000000000000, %%rax", "a"(0));
	check(f && last_trap.vector == 13 && last_trap.error_code == 0, "non-canonical access raises #GP(0)",
	      "faulted %d vector %u error %#lx", f, last_trap.vector, (unsigned long)last_trap.error_code);
	/* Through RBP the access uses the stack segment: #SS(0) instead. */
	f = 0;
	asm volatile("push %%rbp\n\t"
		     "movabs $0x8000000000000000, %%rbp\n"
		     "1: movq 8(%%rbp), %%rax\n\t"
		     "jmp 3f\n"
		     "2: mov $1, %k0\n"
		     "3: pop %%rbp\n\t" EXTABLE_ENTRY(1b, 2b)
		     : "+c"(f) : : "rax", "memory", "cc");
	check(f && last_trap.vector == 12 && last_trap.error_code == 0,
	      "non-canonical access through rbp raises #SS(0)", "faulted %d vector %u error %#lx", f,
	      last_trap.vector, (unsigned long)last_trap.error_code);
	f = FAULTS("inb $0x80, %%al", "a"(0));
	check(f && last_trap.vector == 13, "port I/O raises #GP", "faulted %d vector %u", f, last_trap.vector);
	f = FAULTS("hlt");
	check(f && last_trap.vector == 13 && last_trap.error_code == 0, "hlt raises #GP(0)",
	      "faulted %d vector %u", f, last_trap.vector);
	f = FAULTS("cli");
	check(f && last_trap.vector == 13, "cli without virtual IOPL raises #GP", "faulted %d vector %u", f,
	      last_trap.vector);
	f = FAULTS("int $0x80");
	check(f && last_trap.vector == 13 && last_trap.error_code == ((0x80 << 3) | 2),
	      "int $0x80 without a gate raises #GP(vector<<3|2)", "faulted %d vector %u error %#lx", f,
	      last_trap.vector, (unsigned long)last_trap.error_code);
	f = FAULTS("rdmsr", "c"(0x1234), "a"(0), "d"(0));
	check(f && last_trap.vector == 13, "rdmsr of an unknown MSR raises #GP", "faulted %d vector %u", f,
	      last_trap.vector);
}

static void test_pf(void)
{
	volatile unsigned long *unmapped = (unsigned long *)0x1000;
	int f = FAULTS("movq (%1), %%rax", "r"(unmapped), "a"(0));
	check(f && last_trap.vector == 14 && last_trap.cr2 == 0x1000 && (last_trap.error_code & 3) == 0,
	      "read of an unmapped page raises #PF with CR2", "faulted %d vector %u cr2 %#lx error %#lx", f,
	      last_trap.vector, (unsigned long)last_trap.cr2, (unsigned long)last_trap.error_code);
	/* The page tables are mapped read-only. */
	unsigned long pt = start_info_ptr->pt_base;
	f = FAULTS("movq $0, (%1)", "r"(pt));
	check(f && last_trap.vector == 14 && last_trap.cr2 == pt && (last_trap.error_code & 3) == 3,
	      "write to a read-only page table raises #PF(P|W)", "faulted %d vector %u cr2 %#lx error %#lx", f,
	      last_trap.vector, (unsigned long)last_trap.cr2, (unsigned long)last_trap.error_code);
}

static void test_de(void)
{
	int f = FAULTS("divl %1", "r"(0), "a"(1), "d"(0));
	check(f && last_trap.vector == 0, "division by zero raises #DE", "faulted %d vector %u", f,
	      last_trap.vector);
}

static void test_int3(void)
{
	unsigned int before = last_trap.count;
	unsigned long after;
	asm volatile("int3\n\tlea 0(%%rip), %0" : "=r"(after));
	check(last_trap.count == before + 1 && last_trap.vector == 3 && last_trap.rip < after &&
	      last_trap.rip + 16 > after, "int3 is delivered and returns after the instruction",
	      "count %u vector %u rip %#lx", last_trap.count - before, last_trap.vector,
	      (unsigned long)last_trap.rip);
}

static void test_fep_cpuid(void)
{
	unsigned int a = 0x40000000, b, c = 0, d;
	asm volatile("ud2; .ascii \"xen\"; cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	char sig[13];
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	check(strcmp(sig, "XenVMMXenVMM") == 0 && a >= 0x40000002, "forced-emulation cpuid shows Xen's leaves",
	      "signature '%s' max %#x", sig, a);
	int f = FAULTS("ud2; .ascii \"xen\"; nop");
	check(f && last_trap.vector == 6, "forced-emulation prefix before another instruction is #UD",
	      "faulted %d vector %u", f, last_trap.vector);
}

static void test_cr_msr(void)
{
	unsigned long cr3;
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	unsigned long pfn = (start_info_ptr->pt_base - VIRT_BASE) >> 12;
	unsigned long mfn = ((unsigned long *)start_info_ptr->mfn_list)[pfn];
	check(cr3 == mfn << 12, "mov from cr3 gives the L4's machine address", "cr3 %#lx expected %#lx", cr3,
	      mfn << 12);
	uint32_t lo = 0x12345000, hi = 0xffffffff;
	asm volatile("wrmsr" ::"c"(0xc0000100), "a"(lo), "d"(hi));
	uint32_t rlo, rhi;
	asm volatile("rdmsr" : "=a"(rlo), "=d"(rhi) : "c"(0xc0000100));
	check(rlo == lo && rhi == hi, "FS_BASE through wrmsr/rdmsr", "%#x:%#x", rhi, rlo);
	unsigned long fsval;
	static unsigned long cell = 0x5a5a;
	asm volatile("wrmsr" ::"c"(0xc0000100), "a"((uint32_t)(unsigned long)&cell),
		     "d"((uint32_t)((unsigned long)&cell >> 32)));
	asm volatile("movq %%fs:0, %0" : "=r"(fsval));
	check(fsval == 0x5a5a, "an FS-relative load uses the FS base", "read %#lx", fsval);
	int rc = HYPERVISOR_set_segment_base(0, 0);
	check(rc == 0, "set_segment_base(FS, 0)", "rc %d", rc);
	unsigned long cr0;
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	check((cr0 & 0x80000001) == 0x80000001, "cr0 shows paging and protection", "cr0 %#lx", cr0);
	HYPERVISOR_fpu_taskswitch(1);
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	int ts = (cr0 & 8) != 0;
	asm volatile("clts");
	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	check(ts && !(cr0 & 8), "fpu_taskswitch sets CR0.TS and clts clears it", "ts %d then cr0 %#lx", ts, cr0);
}

static void test_hypercalls(void)
{
	int v = HYPERVISOR_xen_version(XENVER_version, NULL);
	check(v >> 16 == 4, "xen_version reports Xen 4.x", "version %#x", v);
	long r = xen_hypercall(60, 0, 0, 0, 0, 0);
	check(r == -XEN_ENOSYS, "an unknown hypercall returns -ENOSYS", "returned %ld", r);
	r = HYPERVISOR_console_io(CONSOLEIO_write, 4, (char *)0x1000);
	check(r == -XEN_EFAULT, "console_io with a bad buffer returns -EFAULT", "returned %ld", r);
	r = HYPERVISOR_set_trap_table((trap_info_t *)0x1000);
	check(r == -XEN_EFAULT, "set_trap_table with a bad pointer returns -EFAULT", "returned %ld", r);
	r = HYPERVISOR_set_segment_base(0, 0x8000000000000000UL);
	check(r == -XEN_EINVAL, "set_segment_base with a non-canonical base returns -EINVAL", "returned %ld", r);
	struct { uint16_t type, flags; uint32_t pad; uint64_t address; } cb = { 9, 0, 0, 0 };
	r = HYPERVISOR_callback_op(0, &cb);
	check(r == -XEN_EINVAL, "callback_op with an unknown type returns -EINVAL", "returned %ld", r);
}

static void test_tsc(void)
{
	uint32_t lo1, hi1, lo2, hi2;
	asm volatile("rdtsc" : "=a"(lo1), "=d"(hi1));
	for (volatile int i = 0; i < 1000; i++)
		;
	asm volatile("rdtsc" : "=a"(lo2), "=d"(hi2));
	uint64_t t1 = ((uint64_t)hi1 << 32) | lo1, t2 = ((uint64_t)hi2 << 32) | lo2;
	check(t2 > t1 && t2 - t1 >= 1000, "rdtsc advances with virtual time", "t1 %lu t2 %lu", (unsigned long)t1,
	      (unsigned long)t2);
}

int main(void)
{
	traps_init();
	test_ud();
	test_gp();
	test_pf();
	test_de();
	test_int3();
	test_fep_cpuid();
	test_cr_msr();
	test_hypercalls();
	test_tsc();
	printk("traps: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
