/*
 * The PV MMU as a kernel uses it: mapping and unmapping through mmu_update and
 * update_va_mapping, pinning every level, building and switching to a new address space, the
 * user base pointer, the M2P, CLEAR_PAGE/COPY_PAGE, PRESERVE_AD, multicalls, writable page
 * tables, and every invalid update refused with Xen's errno. Each check prints PASS or FAIL.
 */
#include <lib.h>
#include <mm.h>
#include <traps.h>
#include <xen/features.h>
#include <xen/version.h>
#include <check.h>

static int reads_fault(unsigned long va)
{
	int f;
	unsigned long tmp;
	asm volatile("1: movq (%2), %1\n\t"
		     "xor %k0, %k0\n\t"
		     "jmp 3f\n"
		     "2: mov $1, %k0\n"
		     "3:\n\t" EXTABLE_ENTRY(1b, 2b)
		     : "=&r"(f), "=&r"(tmp) : "r"(va) : "memory", "cc");
	return f;
}

/* The region this test builds its own tables for: L4 slot 32. */
#define REGION 0x0000100000000000UL

static unsigned long l4_mfn;             /* the boot L4 */
static uint64_t *l3, *l2, *l1;           /* the region's tables (kernel aliases, read-only) */
static unsigned long l3_mfn, l2_mfn, l1_mfn;
static uint64_t *data;                    /* a data page mapped at REGION */
static unsigned long data_mfn;

static uint64_t maddr_of(void *table, unsigned int index)
{
	return ((uint64_t)virt_to_mfn(table) << PAGE_SHIFT) + index * 8;
}

/* A zeroed pool page, then made read-only so it may become a page table. */
static uint64_t *table_page(void)
{
	uint64_t *p = alloc_page();
	if (!p)
		panic("page pool exhausted");
	int rc = set_page_writable(p, 0);
	if (rc)
		panic("cannot make a page read-only: %d", rc);
	return p;
}

static void test_pinning(void)
{
	uint64_t *t = table_page();
	unsigned long m = virt_to_mfn(t);
	for (unsigned int level = 1; level <= 4; level++) {
		char name[64];
		snprintf(name, sizeof(name), "pin and unpin an empty L%u", level);
		int a = mmuext1(MMUEXT_PIN_L1_TABLE + level - 1, m, 0);
		int b = mmuext1(MMUEXT_PIN_L1_TABLE + level - 1, m, 0);
		int c = mmuext1(MMUEXT_UNPIN_TABLE, m, 0);
		int d = mmuext1(MMUEXT_UNPIN_TABLE, m, 0);
		check(a == 0 && b == -EINVAL && c == 0 && d == -EINVAL, name,
		      "pin %d, pin again %d (want -EINVAL), unpin %d, unpin again %d (want -EINVAL)", a, b, c, d);
	}
	void *w = alloc_page();
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(w), 0), -EINVAL, "pinning a page mapped writable is refused");
	CHECK_RC(mmuext1(MMUEXT_PIN_L2_TABLE, m, 0), 0, "pin an L2");
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, m, 0), -EINVAL, "a pinned L2 cannot be pinned as an L1");
	CHECK_RC(set_page_writable(t, 1), -EBUSY, "a pinned table cannot be mapped writable");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, m, 0), 0, "unpin the L2");
	CHECK_RC(set_page_writable(t, 1), 0, "an unpinned, unused table can be mapped writable again");
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, m, 0), -EINVAL, "a writable page cannot be pinned");
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, 1UL << 40, 0), -EINVAL, "pinning a frame beyond memory is refused");
}

/* Tables for REGION written while writable, then made read-only and hooked into the live L4. */
static void test_build_region(void)
{
	l3 = alloc_page();
	l2 = alloc_page();
	l1 = alloc_page();
	data = alloc_page();
	l3_mfn = virt_to_mfn(l3);
	l2_mfn = virt_to_mfn(l2);
	l1_mfn = virt_to_mfn(l1);
	data_mfn = virt_to_mfn(data);
	l3[0] = ((uint64_t)l2_mfn << PAGE_SHIFT) | LN_PROT;
	l2[0] = ((uint64_t)l1_mfn << PAGE_SHIFT) | LN_PROT;
	l1[0] = ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT;
	int a = set_page_writable(l3, 0), b = set_page_writable(l2, 0), c = set_page_writable(l1, 0);
	check(!a && !b && !c, "make new tables read-only", "%d %d %d", a, b, c);

	uint64_t l4e_ma = entry_maddr(REGION, 4, NULL);
	int rc = mmu_update1(l4e_ma, ((uint64_t)l3_mfn << PAGE_SHIFT) | LN_PROT);
	CHECK_RC(rc, 0, "hooking a new L3/L2/L1 into the live L4 validates them on demand");
	data[5] = 0x1122334455667788UL;
	volatile uint64_t *r = (volatile uint64_t *)REGION;
	check(rc == 0 && r[5] == 0x1122334455667788UL, "the new mapping reaches the data page", "read %#lx",
	      (unsigned long)r[5]);
	r[6] = 42;
	check(data[6] == 42, "writes through the new mapping land in the data page", "read %lu", (unsigned long)data[6]);

	uint64_t e4 = 0;
	entry_maddr(REGION, 4, &e4);
	check((l1[0] & (_PAGE_USER | _PAGE_GUEST_KERNEL)) == (_PAGE_USER | _PAGE_GUEST_KERNEL) &&
	      (l2[0] & _PAGE_USER) && (l3[0] & _PAGE_USER) && (e4 & (_PAGE_USER | _PAGE_ACCESSED)) == (_PAGE_USER | _PAGE_ACCESSED),
	      "accepted entries are adjusted as Xen does", "l1 %#lx l2 %#lx l3 %#lx l4 %#lx", (unsigned long)l1[0],
	      (unsigned long)l2[0], (unsigned long)l3[0], (unsigned long)e4);
	CHECK_RC(set_page_writable(l1, 1), -EBUSY, "a live L1 cannot be mapped writable");
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, l1_mfn, 0), 0, "a live L1 can also be pinned");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, l1_mfn, 0), 0, "and unpinned while still in use");
	check(r[5] == 0x1122334455667788UL, "the mapping survives the unpin", "read %#lx", (unsigned long)r[5]);
}

static void test_map_unmap(void)
{
	int rc = mmu_update1(maddr_of(l1, 0), 0);
	CHECK_RC(rc, 0, "unmap a page with mmu_update");
	check(reads_fault(REGION), "the unmapped page faults", "no fault");
	rc = HYPERVISOR_update_va_mapping(REGION, ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT, UVMF_INVLPG);
	CHECK_RC(rc, 0, "map a page with update_va_mapping");
	check(!reads_fault(REGION) && *(volatile uint64_t *)(REGION + 40) == 0x1122334455667788UL,
	      "update_va_mapping's page is readable", "fault or wrong data");
	rc = HYPERVISOR_update_va_mapping(REGION, 0, UVMF_TLB_FLUSH | UVMF_ALL);
	check(rc == 0 && reads_fault(REGION), "unmap with update_va_mapping (TLB_FLUSH|ALL)", "rc %d", rc);
	unsigned long mask = 1;
	rc = HYPERVISOR_update_va_mapping(REGION, ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT,
					  UVMF_INVLPG | (unsigned long)&mask);
	CHECK_RC(rc, 0, "update_va_mapping with a vCPU bitmap (UVMF_MULTI)");
	rc = HYPERVISOR_update_va_mapping(REGION + PAGE_SIZE, ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT_RO,
					  UVMF_TLB_FLUSH | 0x1000);
	check(rc == -EFAULT && !reads_fault(REGION + PAGE_SIZE),
	      "a bad vCPU bitmap gives -EFAULT after the mapping changed", "rc %d", rc);
	rc = HYPERVISOR_update_va_mapping(REGION + PAGE_SIZE, 0, UVMF_INVLPG);
	CHECK_RC(rc, 0, "unmap the second page");
	rc = HYPERVISOR_update_va_mapping(0x0000108000000000UL, 0, UVMF_INVLPG);
	CHECK_RC(rc, -EINVAL, "update_va_mapping where no L1 exists");
	rc = HYPERVISOR_update_va_mapping(0xffff800000000000UL, 0, UVMF_INVLPG);
	CHECK_RC(rc, -EINVAL, "update_va_mapping in the hypervisor's range");
	rc = HYPERVISOR_update_va_mapping((unsigned long)l1, ((uint64_t)l1_mfn << PAGE_SHIFT) | L1_PROT, UVMF_INVLPG);
	CHECK_RC(rc, -EBUSY, "update_va_mapping cannot make a page table writable");
}

static void test_preserve_ad(void)
{
	uint64_t bare = ((uint64_t)data_mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW;
	int rc = mmu_update1(maddr_of(l1, 0), bare);
	check(rc == 0 && !(l1[0] & (_PAGE_ACCESSED | _PAGE_DIRTY)), "an entry written without A/D has none",
	      "rc %d entry %#lx", rc, (unsigned long)l1[0]);
	*(volatile uint64_t *)(REGION + 64) = 7;
	check((l1[0] & (_PAGE_ACCESSED | _PAGE_DIRTY)) == (_PAGE_ACCESSED | _PAGE_DIRTY),
	      "the CPU sets A and D on a write", "entry %#lx", (unsigned long)l1[0]);
	rc = mmu_update1(maddr_of(l1, 0) | MMU_PT_UPDATE_PRESERVE_AD, bare);
	check(rc == 0 && (l1[0] & (_PAGE_ACCESSED | _PAGE_DIRTY)) == (_PAGE_ACCESSED | _PAGE_DIRTY),
	      "MMU_PT_UPDATE_PRESERVE_AD keeps A and D", "rc %d entry %#lx", rc, (unsigned long)l1[0]);
	rc = mmu_update1(maddr_of(l1, 0), bare);
	check(rc == 0 && !(l1[0] & (_PAGE_ACCESSED | _PAGE_DIRTY)), "MMU_NORMAL_PT_UPDATE replaces A and D",
	      "rc %d entry %#lx", rc, (unsigned long)l1[0]);
	rc = mmu_update1(maddr_of(l1, 0) | MMU_PT_UPDATE_NO_TRANSLATE, bare | _PAGE_ACCESSED);
	CHECK_RC(rc, 0, "MMU_PT_UPDATE_NO_TRANSLATE is a normal update for PV");
	uint32_t features[2] = { 0, 0 };
	HYPERVISOR_xen_version(XENVER_get_features, features);
	check(features[1] & (1u << XENFEAT_mmu_pt_update_preserve_ad), "XENFEAT_mmu_pt_update_preserve_ad is advertised",
	      "submap %#x", features[1]);
}

static void test_machphys(void)
{
	unsigned long pfn = mfn_to_pfn(data_mfn);
	int rc = mmu_update1(((uint64_t)data_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0xabcdef);
	check(rc == 0 && machine_to_phys_mapping[data_mfn] == 0xabcdef, "MMU_MACHPHYS_UPDATE is visible in the M2P",
	      "rc %d m2p %#lx", rc, machine_to_phys_mapping[data_mfn]);
	rc = mmu_update1(((uint64_t)data_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, pfn);
	check(rc == 0 && mfn_to_pfn(data_mfn) == pfn, "MMU_MACHPHYS_UPDATE restores the entry", "rc %d", rc);
	unsigned long si = start_info_ptr->shared_info >> PAGE_SHIFT, free_mfn = 0;
	for (unsigned long m = 0; m < 1u << 20; m++) {
		if (machine_to_phys_mapping[m] == INVALID_M2P_ENTRY && m != si) {
			free_mfn = m;
			break;
		}
	}
	rc = mmu_update1(((uint64_t)free_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 1);
	CHECK_RC(rc, -EINVAL, "MMU_MACHPHYS_UPDATE of a frame that is not ours");
	check(machine_to_phys_mapping[free_mfn] == INVALID_M2P_ENTRY, "a refused M2P update changes nothing",
	      "m2p %#lx", machine_to_phys_mapping[free_mfn]);
}

static void test_clear_copy(void)
{
	uint8_t *a = alloc_page(), *b = alloc_page();
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		a[i] = (uint8_t)(i * 7 + 3);
	int rc = mmuext1(MMUEXT_COPY_PAGE, virt_to_mfn(b), virt_to_mfn(a));
	check(rc == 0 && memcmp(a, b, PAGE_SIZE) == 0, "MMUEXT_COPY_PAGE copies a frame", "rc %d", rc);
	rc = mmuext1(MMUEXT_CLEAR_PAGE, virt_to_mfn(b), 0);
	int zero = 1;
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		zero &= b[i] == 0;
	check(rc == 0 && zero, "MMUEXT_CLEAR_PAGE zeroes a frame", "rc %d", rc);
	CHECK_RC(mmuext1(MMUEXT_CLEAR_PAGE, l1_mfn, 0), -EINVAL, "MMUEXT_CLEAR_PAGE of a live page table");
	CHECK_RC(mmuext1(MMUEXT_COPY_PAGE, l1_mfn, virt_to_mfn(a)), -EINVAL, "MMUEXT_COPY_PAGE onto a live page table");
	rc = mmuext1(MMUEXT_COPY_PAGE, virt_to_mfn(b), l1_mfn);
	check(rc == 0 && memcmp(b, l1, PAGE_SIZE) == 0, "MMUEXT_COPY_PAGE from a page table", "rc %d", rc);
	CHECK_RC(mmuext1(MMUEXT_CLEAR_PAGE, 1UL << 40, 0), -EINVAL, "MMUEXT_CLEAR_PAGE of a frame beyond memory");
}

static void test_new_address_space(void)
{
	uint64_t *n = alloc_page();
	const uint64_t *cur = mfn_to_virt(l4_mfn);
	for (unsigned int i = 0; i < 512; i++)
		if ((i < 256 || i > 271) && i != table_index(REGION, 4))
			n[i] = cur[i];
	n[260] = 0xdeadbeef007UL; /* guest junk in a hypervisor slot: dropped on validation */
	unsigned long nm = virt_to_mfn(n);
	CHECK_RC(set_page_writable(n, 0), 0, "make the new L4 read-only");
	CHECK_RC(mmuext1(MMUEXT_PIN_L4_TABLE, nm, 0), 0, "pin a new L4 (validates the shared lower tables)");
	check(n[260] == 0, "validation clears the hypervisor slots of an L4", "slot 260 %#lx", (unsigned long)n[260]);
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, nm, 0), 0, "MMUEXT_NEW_BASEPTR to the new L4");
	check(current_l4_mfn() == nm, "the vCPU runs on the new L4", "cr3 mfn %#lx", current_l4_mfn());
	check(reads_fault(REGION), "the new address space has its own mappings", "REGION readable");
	check(machine_to_phys_mapping[data_mfn] == mfn_to_pfn(data_mfn) && mfn_to_pfn(data_mfn) < start_info_ptr->nr_pages,
	      "the M2P is mapped in the new address space", "m2p %#lx", machine_to_phys_mapping[data_mfn]);
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, l4_mfn, 0), 0, "switch back to the boot L4");
	check(current_l4_mfn() == l4_mfn && !reads_fault(REGION), "back on the boot tables", "cr3 mfn %#lx",
	      current_l4_mfn());

	asm volatile("mov %0, %%cr3" ::"r"(nm << PAGE_SHIFT) : "memory");
	int on_new = current_l4_mfn() == nm;
	asm volatile("mov %0, %%cr3" ::"r"(l4_mfn << PAGE_SHIFT) : "memory");
	check(on_new && current_l4_mfn() == l4_mfn, "mov to %cr3 switches address spaces", "on new %d", on_new);
	int f = FAULTS("mov %1, %%cr3", "r"((unsigned long)data_mfn << PAGE_SHIFT));
	check(f && last_trap.vector == 13, "mov to %cr3 of a non-L4 raises #GP", "faulted %d vector %u", f,
	      last_trap.vector);

	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, data_mfn, 0), -EINVAL, "MMUEXT_NEW_BASEPTR to a data page");
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, l1_mfn, 0), -EINVAL, "MMUEXT_NEW_BASEPTR to an L1");
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, 1UL << 40, 0), -EINVAL, "MMUEXT_NEW_BASEPTR beyond memory");
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, l4_mfn, 0), 0, "MMUEXT_NEW_BASEPTR to the current L4");

	CHECK_RC(mmuext1(MMUEXT_NEW_USER_BASEPTR, nm, 0), 0, "MMUEXT_NEW_USER_BASEPTR");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, nm, 0), 0, "unpin an L4 that is the user base pointer");
	CHECK_RC(set_page_writable(n, 1), -EBUSY, "the user base pointer's L4 stays a table");
	CHECK_RC(mmuext1(MMUEXT_NEW_USER_BASEPTR, data_mfn, 0), -EINVAL, "MMUEXT_NEW_USER_BASEPTR to a data page");
	CHECK_RC(mmuext1(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0, "MMUEXT_NEW_USER_BASEPTR to none");
	CHECK_RC(set_page_writable(n, 1), 0, "an L4 nobody uses becomes ordinary memory");
}

/* User mode runs on its own L4: a region only the user tables map is readable there. */
#define USER_REGION 0x0000108000000000UL
long run_in_user(unsigned long rip, unsigned long rsp);
extern char user_code[], user_syscall_entry[];
extern unsigned long user_read_addr;
static char user_stack[4096] __attribute__((aligned(4096)));
static char kernel_stack[8192] __attribute__((aligned(16)));

static void test_user_mode(void)
{
	uint64_t *u4 = alloc_page(), *u3 = alloc_page(), *u2 = alloc_page(), *u1 = alloc_page();
	const uint64_t *cur = mfn_to_virt(l4_mfn);
	for (unsigned int i = 0; i < 512; i++)
		if (i < 256 || i > 271)
			u4[i] = cur[i];
	u4[table_index(USER_REGION, 4)] = ((uint64_t)virt_to_mfn(u3) << PAGE_SHIFT) | LN_PROT;
	u3[0] = ((uint64_t)virt_to_mfn(u2) << PAGE_SHIFT) | LN_PROT;
	u2[0] = ((uint64_t)virt_to_mfn(u1) << PAGE_SHIFT) | LN_PROT;
	u1[0] = ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT_RO;
	set_page_writable(u1, 0);
	set_page_writable(u2, 0);
	set_page_writable(u3, 0);
	set_page_writable(u4, 0);
	CHECK_RC(mmuext1(MMUEXT_NEW_USER_BASEPTR, virt_to_mfn(u4), 0), 0, "install a user L4 with a user-only region");
	HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (unsigned long)kernel_stack + sizeof(kernel_stack));
	HYPERVISOR_set_callbacks(0, 0, (unsigned long)user_syscall_entry);
	data[0] = 0x5eed5eed;
	unsigned long ustack = (unsigned long)user_stack + sizeof(user_stack);
	user_read_addr = USER_REGION;
	long seen = run_in_user((unsigned long)user_code, ustack);
	check(seen == 0x5eed5eed, "user mode runs on the user L4 (iret in, syscall back)", "user read %#lx",
	      (unsigned long)seen);
	check(current_l4_mfn() == l4_mfn && reads_fault(USER_REGION), "back in kernel mode on the kernel L4",
	      "cr3 mfn %#lx", current_l4_mfn());
	user_read_addr = (unsigned long)&machine_to_phys_mapping[data_mfn];
	seen = run_in_user((unsigned long)user_code, ustack);
	check(seen == (long)mfn_to_pfn(data_mfn), "user mode reads the M2P", "user read %#lx", (unsigned long)seen);
	HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict);
	seen = run_in_user((unsigned long)user_code, ustack);
	check(seen == -1 && mfn_to_pfn(data_mfn) < start_info_ptr->nr_pages,
	      "with m2p_strict only the kernel sees the M2P", "user read %#lx", (unsigned long)seen);
	HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_m2p_strict);
	CHECK_RC(mmuext1(MMUEXT_NEW_USER_BASEPTR, 0, 0), 0, "drop the user L4");
}

static void test_invalid_entries(void)
{
	uint64_t l1e = maddr_of(l1, 1), l2e = maddr_of(l2, 1), l4_ma = (uint64_t)l4_mfn << PAGE_SHIFT;
	uint64_t dpage = (uint64_t)data_mfn << PAGE_SHIFT;
	CHECK_RC(mmu_update1(l1e, ((uint64_t)l1_mfn << PAGE_SHIFT) | L1_PROT), -EBUSY,
		 "an L1 entry mapping a page table writable");
	CHECK_RC(mmu_update1(l1e, l4_ma | L1_PROT), -EBUSY, "an L1 entry mapping the L4 writable");
	CHECK_RC(mmu_update1(l1e, l4_ma | L1_PROT_RO), 0, "an L1 entry mapping the L4 read-only");
	CHECK_RC(mmu_update1(l1e, dpage | L1_PROT | _PAGE_PWT), -EINVAL, "an L1 entry with PWT");
	CHECK_RC(mmu_update1(l1e, dpage | L1_PROT | _PAGE_PCD), -EINVAL, "an L1 entry with PCD");
	CHECK_RC(mmu_update1(l1e, dpage | L1_PROT | _PAGE_PAT), -EINVAL, "an L1 entry with PAT");
	CHECK_RC(mmu_update1(l1e, dpage | L1_PROT | _PAGE_GLOBAL | _PAGE_NX | (1UL << 61)), 0,
		 "an L1 entry with G, NX and an available bit");
	unsigned long si = start_info_ptr->shared_info >> PAGE_SHIFT, free_mfn = 0;
	for (unsigned long m = 1; m < 1u << 20; m++) {
		if (machine_to_phys_mapping[m] == INVALID_M2P_ENTRY && m != si) {
			free_mfn = m;
			break;
		}
	}
	CHECK_RC(mmu_update1(l1e, ((uint64_t)free_mfn << PAGE_SHIFT) | L1_PROT_RO), -EBUSY,
		 "an L1 entry mapping a frame the domain does not own");
	CHECK_RC(mmu_update1(l1e, (1UL << 45) | L1_PROT_RO), -EPERM, "an L1 entry beyond machine memory (MMIO)");
	CHECK_RC(mmu_update1(l1e, 0x000ffffffffff000UL | L1_PROT_RO), -EINVAL, "an L1 entry with the invalid MFN");
	CHECK_RC(mmu_update1(l1e, 0x000ffffffffff000UL), 0, "a non-present L1 entry is not checked");
	CHECK_RC(mmu_update1(l1e, 0), 0, "clear the L1 entry");

	CHECK_RC(mmu_update1(l2e, ((uint64_t)l1_mfn << PAGE_SHIFT) | LN_PROT | _PAGE_PSE), -EINVAL, "an L2 entry with PSE");
	CHECK_RC(mmu_update1(l2e, ((uint64_t)l1_mfn << PAGE_SHIFT) | LN_PROT | _PAGE_GLOBAL), -EINVAL, "an L2 entry with G");
	CHECK_RC(mmu_update1(l2e, ((uint64_t)l1_mfn << PAGE_SHIFT) | LN_PROT | _PAGE_PCD), -EINVAL, "an L2 entry with PCD");
	CHECK_RC(mmu_update1(l2e, dpage | LN_PROT), -EINVAL, "an L2 entry pointing at a writable data page");
	CHECK_RC(mmu_update1(l2e, ((uint64_t)l3_mfn << PAGE_SHIFT) | LN_PROT), -EINVAL, "an L2 entry pointing at an L3");
	CHECK_RC(mmu_update1(l2e, ((uint64_t)l2_mfn << PAGE_SHIFT) | LN_PROT), -EINVAL, "an L2 entry mapping its own table writable");
	CHECK_RC(mmu_update1(l2e, ((uint64_t)l2_mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED), 0,
		 "a read-only self-mapping L2 entry (linear page table)");
	CHECK_RC(mmu_update1(l2e, ((uint64_t)l1_mfn << PAGE_SHIFT) | LN_PROT), 0, "a second L2 entry to the same L1");
	CHECK_RC(mmu_update1(l2e, 0), 0, "clear the L2 entry");

	uint64_t slot256 = l4_ma + 256 * 8, slot271 = l4_ma + 271 * 8, slot272 = l4_ma + 272 * 8;
	CHECK_RC(mmu_update1(slot256, ((uint64_t)l3_mfn << PAGE_SHIFT) | LN_PROT), -EINVAL, "an L4 entry in hypervisor slot 256");
	CHECK_RC(mmu_update1(slot271, 0), -EINVAL, "any write to hypervisor slot 271");
	CHECK_RC(mmu_update1(slot272, 0), 0, "slot 272 belongs to the guest");
	CHECK_RC(mmu_update1(l4_ma + 300 * 8, l4_ma | LN_PROT), -EINVAL, "a writable recursive L4 entry");
	int rc = mmu_update1(l4_ma + 300 * 8, l4_ma | _PAGE_PRESENT | _PAGE_ACCESSED);
	CHECK_RC(rc, 0, "a read-only recursive L4 entry (linear page table)");
	/* Through slot 300 four times the L4 reads itself. */
	unsigned long self = 0xffff000000000000UL | (300UL << 39) | (300UL << 30) | (300UL << 21) | (300UL << 12);
	const uint64_t *cur = mfn_to_virt(l4_mfn);
	unsigned int ri = table_index(REGION, 4);
	check(rc == 0 && !reads_fault(self) && ((const volatile uint64_t *)self)[ri] == cur[ri],
	      "the recursive mapping shows the L4", "entry via recursion differs or faults");
	check(FAULTS("movq $0, (%1)", "r"(self)) && last_trap.vector == 14, "the recursive mapping is read-only",
	      "write did not fault");
	CHECK_RC(mmu_update1(l4_ma + 300 * 8, 0), 0, "remove the recursive entry");

	CHECK_RC(mmu_update1(maddr_of(l1, 0) | 4, 0), -ENOSYS, "mmu_update command 4");
	CHECK_RC(mmu_update1(maddr_of(l1, 0) | 7, 0), -ENOSYS, "mmu_update command 7");
	CHECK_RC(mmu_update1((1UL << 52) | 0, 0), -EINVAL, "mmu_update of a frame beyond memory");
	CHECK_RC(mmu_update1(((uint64_t)free_mfn << PAGE_SHIFT), 0), -EINVAL, "mmu_update of a frame not ours");

	mmu_update_t req[3] = {
		{ maddr_of(l1, 2), dpage | L1_PROT_RO },
		{ l2e, ((uint64_t)l1_mfn << PAGE_SHIFT) | LN_PROT | _PAGE_PSE },
		{ maddr_of(l1, 3), dpage | L1_PROT_RO },
	};
	unsigned int done = 99;
	rc = HYPERVISOR_mmu_update(req, 3, &done, DOMID_SELF);
	check(rc == -EINVAL && done == 1 && l1[3] == 0, "a batch stops at the first error and reports what was done",
	      "rc %d done %u", rc, done);
	CHECK_RC(mmu_update1(maddr_of(l1, 2), 0), 0, "clear the batch's entry");
}

static void test_foreigndom(void)
{
	mmu_update_t req = { maddr_of(l1, 2), 0 };
	CHECK_RC(HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_XEN), -EPERM, "mmu_update with DOMID_XEN");
	CHECK_RC(HYPERVISOR_mmu_update(&req, 1, NULL, 0x7000), -ESRCH, "mmu_update for an unknown domain");
	CHECK_RC(HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_IO), 0, "DOMID_IO: a non-present entry is fine");
	req.val = ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT_RO;
	CHECK_RC(HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_IO), -EBUSY, "DOMID_IO cannot map RAM");
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	CHECK_RC(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_IO), -EPERM, "mmuext_op for DOMID_IO");
	CHECK_RC(HYPERVISOR_mmuext_op(&op, 1, NULL, 0x7000), -ESRCH, "mmuext_op for an unknown domain");
	CHECK_RC(HYPERVISOR_update_va_mapping_otherdomain(REGION, 0, 0, DOMID_XEN), -EPERM,
		 "update_va_mapping_otherdomain for DOMID_XEN");
	CHECK_RC(HYPERVISOR_update_va_mapping_otherdomain(REGION + PAGE_SIZE, 0, UVMF_INVLPG, DOMID_SELF), 0,
		 "update_va_mapping_otherdomain for DOMID_SELF");
}

static void test_mmuext_misc(void)
{
	CHECK_RC(mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0, "MMUEXT_TLB_FLUSH_LOCAL");
	CHECK_RC(mmuext1(MMUEXT_INVLPG_LOCAL, REGION, 0), 0, "MMUEXT_INVLPG_LOCAL");
	CHECK_RC(mmuext1(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0, "MMUEXT_TLB_FLUSH_ALL");
	CHECK_RC(mmuext1(MMUEXT_INVLPG_ALL, REGION, 0), 0, "MMUEXT_INVLPG_ALL");
	unsigned long mask = 1;
	CHECK_RC(mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, (unsigned long)&mask), 0, "MMUEXT_TLB_FLUSH_MULTI");
	CHECK_RC(mmuext1(MMUEXT_INVLPG_MULTI, REGION, (unsigned long)&mask), 0, "MMUEXT_INVLPG_MULTI");
	CHECK_RC(mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, 0x1000), -EINVAL, "MMUEXT_TLB_FLUSH_MULTI with a bad bitmap");
	CHECK_RC(mmuext1(MMUEXT_FLUSH_CACHE, 0, 0), -EACCES, "MMUEXT_FLUSH_CACHE without I/O privilege");
	CHECK_RC(mmuext1(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -EINVAL, "MMUEXT_FLUSH_CACHE_GLOBAL without I/O privilege");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, REGION, 16), 0, "MMUEXT_SET_LDT");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, 0, 0), 0, "MMUEXT_SET_LDT to none");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, REGION + 8, 16), -EINVAL, "MMUEXT_SET_LDT misaligned");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, REGION, 8193), -EINVAL, "MMUEXT_SET_LDT with too many entries");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, 0xffff800000000000UL, 1), -EINVAL, "MMUEXT_SET_LDT in the hypervisor's range");
	CHECK_RC(mmuext1(MMUEXT_MARK_SUPER, data_mfn, 0), -EOPNOTSUPP, "MMUEXT_MARK_SUPER");
	CHECK_RC(mmuext1(MMUEXT_UNMARK_SUPER, data_mfn, 0), -EOPNOTSUPP, "MMUEXT_UNMARK_SUPER");
	CHECK_RC(mmuext1(14, 0, 0), -ENOSYS, "mmuext command 14");
	CHECK_RC(mmuext1(1000, 0, 0), -ENOSYS, "an unknown mmuext command");
	struct mmuext_op ops[2] = { { .cmd = MMUEXT_TLB_FLUSH_LOCAL }, { .cmd = 1000 } };
	unsigned int done = 7;
	int rc = HYPERVISOR_mmuext_op(ops, 2, &done, DOMID_SELF);
	check(rc == -ENOSYS && done == 1, "mmuext_op reports the commands done", "rc %d done %u", rc, done);
}

static void test_vm_assist(void)
{
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_m2p_strict), 0, "vm_assist enable m2p_strict");
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_m2p_strict), 0, "vm_assist disable m2p_strict");
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_enable, 6), -EINVAL, "vm_assist of an unknown type");
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_enable, 64), -EINVAL, "vm_assist type 64");
	CHECK_RC(HYPERVISOR_vm_assist(2, VMASST_TYPE_writable_pagetables), -ENOSYS, "vm_assist with an unknown command");
}

static void test_multicall(void)
{
	uint64_t dpage = (uint64_t)data_mfn << PAGE_SHIFT;
	static mmu_update_t req = { 0, 0 };
	static struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	static multicall_entry_t inner[1];
	req.ptr = maddr_of(l1, 4);
	req.val = dpage | L1_PROT_RO;
	multicall_entry_t mc[6] = {
		{ .op = __HYPERVISOR_mmu_update, .args = { (unsigned long)&req, 1, 0, DOMID_SELF } },
		{ .op = __HYPERVISOR_update_va_mapping, .args = { REGION + 5 * PAGE_SIZE, dpage | L1_PROT, UVMF_INVLPG } },
		{ .op = __HYPERVISOR_update_va_mapping, .args = { REGION + 6 * PAGE_SIZE, dpage | L1_PROT | _PAGE_PSE, UVMF_INVLPG } },
		{ .op = __HYPERVISOR_multicall, .args = { (unsigned long)inner, 1 } },
		{ .op = 60 },
		{ .op = __HYPERVISOR_mmuext_op, .args = { (unsigned long)&flush, 1, 0, DOMID_SELF } },
	};
	int rc = HYPERVISOR_multicall(mc, 6);
	check(rc == 0 && mc[0].result == 0 && mc[1].result == 0 && (long)mc[2].result == -EINVAL &&
	      (long)mc[3].result == -EINVAL && (long)mc[4].result == -ENOSYS && mc[5].result == 0,
	      "a multicall runs every entry and writes each result", "rc %d results %ld %ld %ld %ld %ld %ld", rc,
	      (long)mc[0].result, (long)mc[1].result, (long)mc[2].result, (long)mc[3].result, (long)mc[4].result,
	      (long)mc[5].result);
	check(*(volatile uint64_t *)(REGION + 4 * PAGE_SIZE + 40) == 0x1122334455667788UL &&
	      *(volatile uint64_t *)(REGION + 5 * PAGE_SIZE + 40) == 0x1122334455667788UL,
	      "the multicall's mappings are in place", "data differs");
	CHECK_RC(HYPERVISOR_multicall((multicall_entry_t *)0x1000, 1), -EFAULT, "a multicall list that is not mapped");
	CHECK_RC(HYPERVISOR_multicall(mc, 0), 0, "an empty multicall");
	mmu_update1(maddr_of(l1, 4), 0);
	mmu_update1(maddr_of(l1, 5), 0);
}

/* An iret inside a multicall ends the batch where the iret frame says. */
long multicall_with_iret(multicall_entry_t *list, unsigned int nr);

static void test_multicall_iret(void)
{
	static struct mmuext_op flush = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	multicall_entry_t mc[3] = {
		{ .op = __HYPERVISOR_mmuext_op, .args = { (unsigned long)&flush, 1, 0, DOMID_SELF }, .result = 99 },
		{ .op = __HYPERVISOR_iret, .result = 99 },
		{ .op = __HYPERVISOR_mmuext_op, .args = { (unsigned long)&flush, 1, 0, DOMID_SELF }, .result = 99 },
	};
	long rc = multicall_with_iret(mc, 3);
	check(rc == 0x77 && mc[0].result == 0 && mc[1].result == 0x77 && mc[2].result == 99,
	      "an iret in a multicall ends the batch", "rc %#lx results %ld %ld %ld", (unsigned long)rc,
	      (long)mc[0].result, (long)mc[1].result, (long)mc[2].result);
}

/* Batches larger than the hypervisor handles at once are continued transparently. */
static mmu_update_t many[1500];
static struct mmuext_op many_ops[1100];
static multicall_entry_t many_calls[300];

static void test_continuations(void)
{
	for (unsigned int i = 0; i < 1500; i++) {
		many[i].ptr = maddr_of(l1, 10 + i % 100);
		many[i].val = i % 2 ? ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT_RO : 0;
	}
	unsigned int done = 0;
	int rc = HYPERVISOR_mmu_update(many, 1500, &done, DOMID_SELF);
	check(rc == 0 && done == 1500, "a 1500-entry mmu_update is continued to the end", "rc %d done %u", rc, done);
	for (unsigned int i = 0; i < 1100; i++)
		many_ops[i].cmd = MMUEXT_TLB_FLUSH_LOCAL;
	done = 0;
	rc = HYPERVISOR_mmuext_op(many_ops, 1100, &done, DOMID_SELF);
	check(rc == 0 && done == 1100, "a 1100-command mmuext_op is continued to the end", "rc %d done %u", rc, done);
	for (unsigned int i = 0; i < 300; i++) {
		many_calls[i].op = __HYPERVISOR_mmu_update;
		many_calls[i].args[0] = (unsigned long)&many[i];
		many_calls[i].args[1] = 1;
		many_calls[i].args[2] = 0;
		many_calls[i].args[3] = DOMID_SELF;
		many_calls[i].result = 99;
	}
	/* The last entry's sub-call is itself long enough to be continued inside the batch. */
	many_calls[299].args[0] = (unsigned long)many;
	many_calls[299].args[1] = 1500;
	rc = HYPERVISOR_multicall(many_calls, 300);
	unsigned int bad = 300;
	for (unsigned int i = 0; i < 300 && bad == 300; i++)
		if (many_calls[i].result != 0)
			bad = i;
	check(rc == 0 && bad == 300, "a 300-entry multicall with a continued sub-call completes", "rc %d entry %u result %ld",
	      rc, bad, bad < 300 ? (long)many_calls[bad].result : 0L);
	for (unsigned int i = 0; i < 100; i++)
		mmu_update1(maddr_of(l1, 10 + i), 0);
}

/* Writable page tables: the kernel writes its L1 entries directly; Xen emulates the write. */
static void test_ptwr(void)
{
	volatile uint64_t *e = l1;
	uint64_t dpage = (uint64_t)data_mfn << PAGE_SHIFT;
	int f = FAULTS("movq %1, (%2)", "r"(dpage | L1_PROT), "r"(&e[8]));
	check(f && last_trap.vector == 14 && (last_trap.error_code & 7) == 3,
	      "without the assist a page-table write faults", "faulted %d vector %u error %#lx", f, last_trap.vector,
	      (unsigned long)last_trap.error_code);
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0,
		 "vm_assist enable writable_pagetables");
	f = FAULTS("movq %1, (%2)", "r"(dpage | L1_PROT), "r"(&e[8]));
	check(!f && (e[8] & (_PAGE_USER | _PAGE_GUEST_KERNEL)) == (_PAGE_USER | _PAGE_GUEST_KERNEL) &&
	      *(volatile uint64_t *)(REGION + 8 * PAGE_SIZE + 40) == 0x1122334455667788UL,
	      "a direct L1 write is emulated, validated and adjusted", "faulted %d entry %#lx", f, (unsigned long)e[8]);
	uint64_t old = __atomic_exchange_n(&e[8], 0, __ATOMIC_SEQ_CST);
	mmuext1(MMUEXT_INVLPG_LOCAL, REGION + 8 * PAGE_SIZE, 0);
	check(pte_mfn(old) == data_mfn && e[8] == 0 && reads_fault(REGION + 8 * PAGE_SIZE),
	      "xchg on a PTE clears it and returns the old entry", "old %#lx", (unsigned long)old);
	uint64_t seen = __sync_val_compare_and_swap(&e[8], 0, dpage | L1_PROT_RO);
	check(seen == 0 && pte_mfn(e[8]) == data_mfn && !reads_fault(REGION + 8 * PAGE_SIZE),
	      "cmpxchg on a PTE installs the entry", "seen %#lx entry %#lx", (unsigned long)seen, (unsigned long)e[8]);
	seen = __sync_val_compare_and_swap(&e[8], 0, 0);
	check(seen != 0 && pte_mfn(e[8]) == data_mfn, "a failing cmpxchg leaves the PTE", "seen %#lx",
	      (unsigned long)seen);
	f = FAULTS("movq %1, (%2)", "r"(((uint64_t)l1_mfn << PAGE_SHIFT) | L1_PROT), "r"(&e[9]));
	check(f && last_trap.vector == 14 && e[9] == 0, "an invalid direct write becomes the #PF the guest took",
	      "faulted %d vector %u entry %#lx", f, last_trap.vector, (unsigned long)e[9]);
	volatile uint32_t *half = (volatile uint32_t *)&e[9];
	half[0] = (uint32_t)(dpage | L1_PROT_RO);
	half[1] = (uint32_t)(dpage >> 32);
	check(pte_mfn(e[9]) == data_mfn && !reads_fault(REGION + 9 * PAGE_SIZE),
	      "32-bit halves of a PTE are merged into the entry", "entry %#lx", (unsigned long)e[9]);
	e[9] = 0;
	e[8] = 0;
	f = FAULTS("movq %1, (%2)", "r"(dpage | L1_PROT), "r"(l2));
	check(f && last_trap.vector == 14, "direct writes to an L2 are never emulated", "faulted %d", f);
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables), 0,
		 "vm_assist disable writable_pagetables");
	f = FAULTS("movq %1, (%2)", "r"(dpage | L1_PROT), "r"(&e[8]));
	check(f && e[8] == 0, "after disabling the assist page-table writes fault again", "faulted %d", f);
}

int main(void)
{
	traps_init();
	l4_mfn = current_l4_mfn();
	check(l4_mfn == virt_to_mfn((void *)start_info_ptr->pt_base), "the boot L4 is start_info.pt_base",
	      "cr3 mfn %#lx", l4_mfn);
	test_pinning();
	test_build_region();
	test_map_unmap();
	test_preserve_ad();
	test_machphys();
	test_clear_copy();
	test_new_address_space();
	test_user_mode();
	test_invalid_entries();
	test_foreigndom();
	test_mmuext_misc();
	test_vm_assist();
	test_multicall();
	test_multicall_iret();
	test_continuations();
	test_ptwr();
	printk("mmutest: %d checks, %d failure(s)\n", checks, failures);
	return failures ? 1 : 0;
}
