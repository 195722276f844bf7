/*
 * A hostile PV kernel against the MMU hypercalls: garbage, out-of-range, misaligned,
 * hypervisor-range and foreign-frame arguments, bad pointers for requests and done counts,
 * huge counts, attempts to map its own page tables or another domain's frames, to make the M2P
 * writable, to pin twice and unpin what is in use. Every attempt must get Xen's errno (or the
 * fault the hardware would raise) and the hypervisor must keep running: the guest powers off
 * at the end. It expects another domain (domid 1) to exist, to have foreign frames to aim at.
 */
#include <lib.h>
#include <mm.h>
#include <traps.h>
#include <check.h>

#define HOLE 0xffff800000000000UL
#define MMU_UPDATE_PREEMPTED 0x80000000U
#define NONCANON 0x0000800000000000UL
#define BEYOND (1UL << 40)

static unsigned long l4_mfn, foreign_mfn, free_mfn, si_mfn;
static uint64_t *l1;           /* a pinned, empty L1 of our own (read-only alias) */
static unsigned long l1_mfn;
static uint64_t *data;
static unsigned long data_mfn;
static unsigned long edge;     /* a mapped page followed by an unmapped one */
static uint64_t *ro;           /* an ordinary page mapped read-only */

static uint64_t l1_maddr(unsigned int i)
{
	return ((uint64_t)l1_mfn << PAGE_SHIFT) + i * 8;
}

/* Frames to aim at: another domain's (a valid M2P entry our p2m does not confirm) and a free one. */
static void find_targets(void)
{
	si_mfn = start_info_ptr->shared_info >> PAGE_SHIFT;
	m2p_find_targets(&foreign_mfn, &free_mfn);
	check(foreign_mfn && free_mfn, "found another domain's frame and a free frame through the M2P",
	      "foreign %#lx free %#lx", foreign_mfn, free_mfn);
}

static void setup(void)
{
	l4_mfn = current_l4_mfn();
	l1 = alloc_page();
	l1_mfn = virt_to_mfn(l1);
	set_page_writable(l1, 0);
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, l1_mfn, 0), 0, "pin a scratch L1");
	data = alloc_page();
	data_mfn = virt_to_mfn(data);
	ro = alloc_page();
	for (unsigned int i = 0; i < 512; i++)
		ro[i] = 0x0123456789abcdefUL;
	set_page_writable(ro, 0);
	/* The last mapped page of the initial mapping: the next one faults. */
	uint64_t v;
	for (unsigned long va = (unsigned long)data;; va += PAGE_SIZE) {
		if (peek(va + PAGE_SIZE, &v)) {
			edge = va;
			break;
		}
	}
}

static void test_request_pointers(void)
{
	mmu_update_t ok = { l1_maddr(0), 0 };
	CHECK_RC(HYPERVISOR_mmu_update(NULL, 1, NULL, DOMID_SELF), -EFAULT, "mmu_update with a NULL request list");
	CHECK_RC(HYPERVISOR_mmu_update((mmu_update_t *)HOLE, 1, NULL, DOMID_SELF), -EFAULT,
		 "mmu_update with requests in the hypervisor's range (the readable M2P)");
	CHECK_RC(HYPERVISOR_mmu_update((mmu_update_t *)NONCANON, 1, NULL, DOMID_SELF), -EFAULT,
		 "mmu_update with a non-canonical request list");
	CHECK_RC(HYPERVISOR_mmu_update((mmu_update_t *)0x8000000000000000UL, 1, NULL, DOMID_SELF), -EFAULT,
		 "mmu_update with a kernel-half non-canonical list");
	CHECK_RC(HYPERVISOR_mmu_update((mmu_update_t *)0x1000, 1, NULL, DOMID_SELF), -EFAULT,
		 "mmu_update with an unmapped request list");
	static char buf[64] __attribute__((aligned(16)));
	memcpy(buf + 3, &ok, sizeof(ok));
	CHECK_RC(HYPERVISOR_mmu_update((mmu_update_t *)(buf + 3), 1, NULL, DOMID_SELF), 0,
		 "a misaligned request list is read like any other");
	CHECK_RC(HYPERVISOR_mmu_update(&ok, 1, (unsigned int *)0x1000, DOMID_SELF), 0,
		 "an unmapped done pointer is ignored");
	CHECK_RC(HYPERVISOR_mmu_update(&ok, 1, (unsigned int *)HOLE, DOMID_SELF), 0,
		 "a done pointer into the hypervisor's range is ignored");
	CHECK_RC(HYPERVISOR_mmu_update(&ok, 1, (unsigned int *)ro, DOMID_SELF), 0,
		 "a done pointer into a read-only page is ignored");
	check(ro[0] == 0x0123456789abcdefUL, "the read-only page is not written through done", "now %#lx",
	      (unsigned long)ro[0]);
	CHECK_RC(HYPERVISOR_mmu_update(NULL, MMU_UPDATE_PREEMPTED, NULL, 0x1234), 0x1234,
		 "the PREEMPTED count with no requests returns foreigndom (as Xen)");
	CHECK_RC(HYPERVISOR_mmu_update(NULL, MMU_UPDATE_PREEMPTED | 1, (unsigned int *)0x1000, DOMID_SELF), -EFAULT,
		 "a forged continuation with a bad done pointer");

	/* 256 harmless requests on the last mapped page; the 257th lies on an unmapped page. */
	mmu_update_t *reqs = (mmu_update_t *)edge;
	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*reqs); i++)
		reqs[i] = ok;
	unsigned int done = 0;
	int rc = HYPERVISOR_mmu_update(reqs, 0x7fffffff, &done, DOMID_SELF);
	check(rc == -EFAULT && done == 256, "a huge count runs into unmapped memory and stops", "rc %d done %u", rc,
	      done);
	struct mmuext_op *ops = (struct mmuext_op *)edge;
	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*ops); i++)
		ops[i] = (struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	done = 0;
	rc = HYPERVISOR_mmuext_op(ops, 0xffffffff, &done, DOMID_SELF);
	check(rc == -EFAULT && done == PAGE_SIZE / sizeof(*ops), "a huge mmuext_op count stops at unmapped memory",
	      "rc %d done %u", rc, done);
	multicall_entry_t *mc = (multicall_entry_t *)edge;
	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*mc); i++)
		mc[i] = (multicall_entry_t){ .op = 0xdead };
	rc = HYPERVISOR_multicall(mc, 0xffffffff);
	check(rc == -EFAULT && (long)mc[63].result == -ENOSYS, "a huge multicall stops at unmapped memory",
	      "rc %d last %ld", rc, (long)mc[63].result);
}

static void test_update_targets(void)
{
	uint64_t dpage = (uint64_t)data_mfn << PAGE_SHIFT;
	CHECK_RC(mmu_update1(BEYOND << PAGE_SHIFT, 0), -EINVAL, "mmu_update of a frame beyond memory");
	CHECK_RC(mmu_update1(~7UL, 0), -EINVAL, "mmu_update of the last machine address");
	CHECK_RC(mmu_update1((uint64_t)foreign_mfn << PAGE_SHIFT, 0), -EINVAL, "mmu_update into another domain's frame");
	CHECK_RC(mmu_update1((uint64_t)free_mfn << PAGE_SHIFT, 0), -EINVAL, "mmu_update into a free frame");
	CHECK_RC(mmu_update1(l1_maddr(0) | 5, 0), -ENOSYS, "mmu_update command 5");
	static const uint64_t garbage[][2] = {
		{ 0xdeadbeefcafebab8UL, 0x123456789abcdef0UL },
		{ 0xffffffffffffffffUL, 0xffffffffffffffffUL },
		{ 0x0000000000000006UL, 0 },
	};
	int ok = 1;
	for (unsigned int i = 0; i < 3; i++) {
		int rc = mmu_update1(garbage[i][0], garbage[i][1]);
		ok &= rc == -EINVAL || rc == -ENOSYS;
	}
	check(ok, "garbage requests are refused", "unexpected errno");

	CHECK_RC(mmu_update1(l1_maddr(1), ((uint64_t)l4_mfn << PAGE_SHIFT) | L1_PROT), -EBUSY,
		 "map the L4 writable through mmu_update");
	CHECK_RC(mmu_update1(l1_maddr(1), ((uint64_t)l1_mfn << PAGE_SHIFT) | L1_PROT), -EBUSY,
		 "map an L1 writable through its own entry");
	CHECK_RC(set_page_writable(mfn_to_virt(l4_mfn), 1), -EBUSY, "make the L4's kernel mapping writable");
	CHECK_RC(mmu_update1(l1_maddr(1), ((uint64_t)foreign_mfn << PAGE_SHIFT) | L1_PROT_RO), -EBUSY,
		 "map another domain's frame read-only");
	CHECK_RC(mmu_update1(l1_maddr(1), ((uint64_t)foreign_mfn << PAGE_SHIFT) | L1_PROT), -EBUSY,
		 "map another domain's frame writable");
	CHECK_RC(mmu_update1(l1_maddr(1), ((uint64_t)free_mfn << PAGE_SHIFT) | L1_PROT), -EBUSY, "map a free frame");
	CHECK_RC(mmu_update1(l1_maddr(1), ((uint64_t)si_mfn << PAGE_SHIFT) | L1_PROT), 0,
		 "the domain's own shared_info frame may be mapped");
	CHECK_RC(mmu_update1(l1_maddr(1), 0), 0, "and unmapped");
	CHECK_RC(mmu_update1(l1_maddr(1), (0x7fUL << 52) | dpage | L1_PROT), 0, "software bits 52-58 are allowed in an L1");
	CHECK_RC(mmu_update1(l1_maddr(1), (1UL << 51) | L1_PROT_RO), -EPERM, "an address bit beyond memory is MMIO");

	uint64_t l4_ma = (uint64_t)l4_mfn << PAGE_SHIFT;
	CHECK_RC(mmu_update1(l4_ma + 256 * 8, ((uint64_t)l4_mfn << PAGE_SHIFT) | _PAGE_PRESENT), -EINVAL,
		 "take over the M2P's L4 slot");
	CHECK_RC(mmu_update1(l4_ma + 258 * 8, 0), -EINVAL, "clear a hypervisor L4 slot");
	CHECK_RC(HYPERVISOR_update_va_mapping(HOLE, dpage | L1_PROT, UVMF_INVLPG), -EINVAL,
		 "update_va_mapping over the M2P");
	CHECK_RC(HYPERVISOR_update_va_mapping(NONCANON, dpage | L1_PROT, UVMF_INVLPG), -EINVAL,
		 "update_va_mapping of a non-canonical address");
	int f = FAULTS("movq $0, (%1)", "r"(HOLE));
	check(f && last_trap.vector == 14 && (last_trap.error_code & 3) == 3, "the M2P is read-only",
	      "faulted %d vector %u error %#lx", f, last_trap.vector, (unsigned long)last_trap.error_code);
	uint64_t v;
	f = peek(HOLE + (1UL << 38), &v);
	check(f && last_trap.vector == 14, "the rest of the hypervisor's range is not mapped", "faulted %d", f);

	uint64_t l1e_for_data = 0;
	uint64_t ma = entry_maddr((unsigned long)data, 1, &l1e_for_data);
	CHECK_RC(mmu_update1(ma, ((uint64_t)l4_mfn << PAGE_SHIFT) | L1_PROT), -EBUSY,
		 "retarget a live kernel mapping at the L4, writable");
	CHECK_RC(mmu_update1(((uint64_t)data_mfn << PAGE_SHIFT) + 8, 0xfeedface), 0,
		 "mmu_update into an ordinary frame is a plain write");
	check(data[1] == 0xfeedface, "the plain write landed", "data %#lx", (unsigned long)data[1]);
	CHECK_RC(mmu_update1(((uint64_t)foreign_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0), -EINVAL,
		 "rewrite another domain's M2P entry");
	CHECK_RC(mmu_update1((BEYOND << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, 0), -EINVAL, "an M2P entry beyond memory");
	CHECK_RC(HYPERVISOR_update_va_mapping((unsigned long)data, ((uint64_t)foreign_mfn << PAGE_SHIFT) | L1_PROT, 0),
		 -EBUSY, "update_va_mapping onto another domain's frame");
	CHECK_RC(HYPERVISOR_update_va_mapping((unsigned long)data, dpage | L1_PROT, 3), 0,
		 "update_va_mapping with flush type 3 (none)");
	CHECK_RC(HYPERVISOR_update_va_mapping((unsigned long)data, dpage | L1_PROT, HOLE | UVMF_TLB_FLUSH), -EFAULT,
		 "update_va_mapping with a vCPU bitmap in the hypervisor's range");
}

/* Tables that must not validate, and what is left behind when they do not. */
static void test_bad_tables(void)
{
	uint64_t *b1 = alloc_page(), *b2 = alloc_page(), *b3 = alloc_page(), *b4 = alloc_page();
	unsigned long m1 = virt_to_mfn(b1), m2 = virt_to_mfn(b2), m3 = virt_to_mfn(b3), m4 = virt_to_mfn(b4);
	b1[0] = ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT;
	b1[7] = ((uint64_t)foreign_mfn << PAGE_SHIFT) | L1_PROT_RO;
	b2[3] = ((uint64_t)m1 << PAGE_SHIFT) | LN_PROT;
	b3[0] = ((uint64_t)m2 << PAGE_SHIFT) | LN_PROT;
	b4[0] = ((uint64_t)m3 << PAGE_SHIFT) | LN_PROT;
	set_page_writable(b1, 0);
	set_page_writable(b2, 0);
	set_page_writable(b3, 0);
	set_page_writable(b4, 0);
	CHECK_RC(mmuext1(MMUEXT_PIN_L4_TABLE, m4, 0), -EBUSY,
		 "an L4 whose L1 maps another domain's frame is refused (the L1's error)");
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, m1, 0), -EBUSY, "the L1 alone is refused too");
	int a = set_page_writable(b1, 1), b = set_page_writable(b2, 1), c = set_page_writable(b3, 1),
	    d = set_page_writable(b4, 1);
	check(!a && !b && !c && !d, "a refused hierarchy leaves no table behind", "%d %d %d %d", a, b, c, d);

	b1[7] = 0;
	b1[8] = ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT | _PAGE_PCD;
	set_page_writable(b1, 0);
	set_page_writable(b2, 0);
	CHECK_RC(mmuext1(MMUEXT_PIN_L2_TABLE, m2, 0), -EINVAL, "an L2 whose L1 has a PCD entry is refused");
	set_page_writable(b1, 1);
	b1[8] = 0;
	b1[9] = ((uint64_t)m1 << PAGE_SHIFT) | L1_PROT;
	set_page_writable(b1, 0);
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, m1, 0), -EBUSY, "an L1 mapping itself writable is refused");
	set_page_writable(b1, 1);
	b1[9] = ((uint64_t)m1 << PAGE_SHIFT) | L1_PROT_RO;
	set_page_writable(b1, 0);
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, m1, 0), 0, "an L1 mapping itself read-only is fine");
	CHECK_RC(mmuext1(MMUEXT_PIN_L3_TABLE, m2, 0), -EINVAL, "pin an L2 page as an L3 whose 'L2' is the L1");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, m1, 0), 0, "unpin it");

	/* Loops and level confusion through entries of live tables. */
	uint64_t l4_ma = (uint64_t)l4_mfn << PAGE_SHIFT;
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, ((uint64_t)l4_mfn << PAGE_SHIFT) | LN_PROT), -EINVAL,
		 "an L4 entry mapping the L4 writable");
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, ((uint64_t)l1_mfn << PAGE_SHIFT) | LN_PROT), -EINVAL,
		 "an L4 entry pointing at an L1");
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, ((uint64_t)data_mfn << PAGE_SHIFT) | LN_PROT), -EINVAL,
		 "an L4 entry pointing at a data page");
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, ((uint64_t)foreign_mfn << PAGE_SHIFT) | LN_PROT), -EINVAL,
		 "an L4 entry pointing at another domain's frame");
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, (BEYOND << PAGE_SHIFT) | LN_PROT), -EINVAL,
		 "an L4 entry beyond memory");
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, ((uint64_t)l4_mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_PSE), -EINVAL,
		 "an L4 entry with PSE");
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, ((uint64_t)l4_mfn << PAGE_SHIFT) | _PAGE_PRESENT), 0,
		 "a read-only self-map in the L4");
	CHECK_RC(mmu_update1(l4_ma + 401 * 8, ((uint64_t)l4_mfn << PAGE_SHIFT) | _PAGE_PRESENT), 0,
		 "a second read-only self-map");
	CHECK_RC(mmu_update1(l4_ma + 400 * 8, 0), 0, "remove the first");
	CHECK_RC(mmu_update1(l4_ma + 401 * 8, 0), 0, "remove the second");
	uint64_t l3e = 0;
	uint64_t l3_ma = entry_maddr((unsigned long)_text, 3, &l3e);
	unsigned long l3_mfn = l3_ma >> PAGE_SHIFT;
	uint64_t spare_l3 = (l3_ma & PAGE_MASK) + (((l3_ma & ~PAGE_MASK) / 8 + 1) % 512) * 8;
	uint64_t old = 0;
	const uint64_t *l3t = mfn_to_virt(l3_mfn);
	old = l3t[(spare_l3 & ~PAGE_MASK) / 8];
	CHECK_RC(mmu_update1(spare_l3, ((uint64_t)l4_mfn << PAGE_SHIFT) | _PAGE_PRESENT), -EINVAL,
		 "an L3 entry pointing at the L4");
	if (!(old & _PAGE_PRESENT)) {
		CHECK_RC(mmu_update1(spare_l3, ((uint64_t)l3_mfn << PAGE_SHIFT) | _PAGE_PRESENT), 0,
			 "a read-only L3 self-map");
		CHECK_RC(mmu_update1(spare_l3, 0), 0, "and its removal");
	}
}

static void test_mmuext_attacks(void)
{
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, foreign_mfn, 0), -EINVAL, "pin another domain's frame");
	CHECK_RC(mmuext1(MMUEXT_PIN_L4_TABLE, BEYOND, 0), -EINVAL, "pin a frame beyond memory");
	CHECK_RC(mmuext1(MMUEXT_PIN_L4_TABLE, l4_mfn, 0), -EINVAL, "pin the boot L4 a second time");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, data_mfn, 0), -EINVAL, "unpin a data page");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, foreign_mfn, 0), -EINVAL, "unpin another domain's frame");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, l4_mfn, 0), 0, "unpin the L4 in use as the base pointer");
	check(current_l4_mfn() == l4_mfn && *(volatile uint32_t *)_text == *(volatile uint32_t *)_text,
	      "the vCPU keeps running on it", "cr3 %#lx", current_l4_mfn());
	CHECK_RC(mmuext1(MMUEXT_PIN_L4_TABLE, l4_mfn, 0), 0, "pin it again");
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, foreign_mfn, 0), -EINVAL, "NEW_BASEPTR to another domain's frame");
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, BEYOND, 0), -EINVAL, "NEW_BASEPTR beyond memory");
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, data_mfn, 0), -EINVAL, "NEW_BASEPTR to a data page");
	CHECK_RC(mmuext1(MMUEXT_NEW_BASEPTR, l1_mfn, 0), -EINVAL, "NEW_BASEPTR to an L1");
	CHECK_RC(mmuext1(MMUEXT_NEW_USER_BASEPTR, foreign_mfn, 0), -EINVAL, "NEW_USER_BASEPTR to another domain's frame");
	CHECK_RC(mmuext1(MMUEXT_CLEAR_PAGE, foreign_mfn, 0), -EINVAL, "CLEAR_PAGE of another domain's frame");
	CHECK_RC(mmuext1(MMUEXT_CLEAR_PAGE, l4_mfn, 0), -EINVAL, "CLEAR_PAGE of the L4");
	CHECK_RC(mmuext1(MMUEXT_COPY_PAGE, data_mfn, foreign_mfn), -EINVAL, "COPY_PAGE from another domain's frame");
	CHECK_RC(mmuext1(MMUEXT_COPY_PAGE, foreign_mfn, data_mfn), -EINVAL, "COPY_PAGE to another domain's frame");
	CHECK_RC(mmuext1(MMUEXT_COPY_PAGE, l1_mfn, data_mfn), -EINVAL, "COPY_PAGE over a page table");
	CHECK_RC(mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, 0), -EINVAL, "TLB_FLUSH_MULTI with a NULL bitmap");
	CHECK_RC(mmuext1(MMUEXT_INVLPG_MULTI, HOLE, HOLE), -EINVAL, "INVLPG_MULTI with a bitmap in the hypervisor's range");
	CHECK_RC(mmuext1(MMUEXT_INVLPG_ALL, HOLE, 0), 0, "INVLPG_ALL of a hypervisor address is ignored");
	CHECK_RC(mmuext1(MMUEXT_INVLPG_LOCAL, NONCANON, 0), 0, "INVLPG_LOCAL of a non-canonical address is harmless");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, HOLE, 4), -EINVAL, "SET_LDT over the M2P");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, 0x1001, 4), -EINVAL, "SET_LDT misaligned");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, 0x1000, 0xffffffff), -EINVAL, "SET_LDT with 2^32-1 entries");
	CHECK_RC(mmuext1(0xffffffff, 0, 0), -ENOSYS, "mmuext command 0xffffffff");
	struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_LOCAL };
	CHECK_RC(HYPERVISOR_mmuext_op(&op, 1, NULL, 1), -EPERM, "mmuext_op on behalf of domain 1");
	CHECK_RC(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_XEN), -EPERM, "mmuext_op on behalf of DOMID_XEN");
	CHECK_RC(HYPERVISOR_mmuext_op(&op, 1, NULL, 0x7ff3), -ESRCH, "mmuext_op on behalf of DOMID_COW");
	CHECK_RC(HYPERVISOR_mmuext_op(NULL, 1, NULL, DOMID_SELF), -EFAULT, "mmuext_op with a NULL list");
	CHECK_RC(HYPERVISOR_mmuext_op((struct mmuext_op *)HOLE, 1, NULL, DOMID_SELF), -EFAULT,
		 "mmuext_op with a list in the hypervisor's range");
	mmu_update_t req = { l1_maddr(0), 0 };
	CHECK_RC(HYPERVISOR_mmu_update(&req, 1, NULL, 1), -EPERM, "mmu_update with domain 1's frames");
	/* foreigndom[31:16] names the page tables' owner plus one: the wrapper takes only a domid_t. */
	CHECK_RC(xen_hypercall(__HYPERVISOR_mmu_update, (unsigned long)&req, 1, 0, (1 + 1) << 16 | DOMID_SELF, 0),
		 -EPERM, "mmu_update of domain 1's page tables");
	CHECK_RC(xen_hypercall(__HYPERVISOR_mmu_update, (unsigned long)&req, 1, 0, 0x7000 << 16 | DOMID_SELF, 0),
		 -ESRCH, "mmu_update of an unknown domain's page tables");
	req.ptr = ((uint64_t)data_mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE;
	req.val = mfn_to_pfn(data_mfn);
	CHECK_RC(HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_IO), -EINVAL, "MACHPHYS_UPDATE through DOMID_IO");
	CHECK_RC(HYPERVISOR_update_va_mapping_otherdomain((unsigned long)data, 0, 0, 1), -EPERM,
		 "update_va_mapping_otherdomain for domain 1");
	CHECK_RC(HYPERVISOR_update_va_mapping_otherdomain((unsigned long)data, 0, 0, 0x7777), -ESRCH,
		 "update_va_mapping_otherdomain for an unknown domain");
	check(data[1] == 0xfeedface, "the refused calls left the data page mapped", "data %#lx", (unsigned long)data[1]);
}

static void test_multicall_attacks(void)
{
	CHECK_RC(HYPERVISOR_multicall(NULL, 1), -EFAULT, "multicall with a NULL list");
	CHECK_RC(HYPERVISOR_multicall((multicall_entry_t *)HOLE, 1), -EFAULT, "multicall with a list over the M2P");
	static multicall_entry_t inner[2];
	static multicall_entry_t outer[3];
	inner[0] = (multicall_entry_t){ .op = __HYPERVISOR_multicall, .args = { (unsigned long)outer, 3 } };
	outer[0] = (multicall_entry_t){ .op = __HYPERVISOR_multicall, .args = { (unsigned long)inner, 1 } };
	outer[1] = (multicall_entry_t){ .op = __HYPERVISOR_mmu_update, .args = { HOLE, 1, 0, DOMID_SELF } };
	outer[2] = (multicall_entry_t){ .op = ~0UL, .args = { 1, 2, 3, 4, 5, 6 } };
	int rc = HYPERVISOR_multicall(outer, 3);
	check(rc == 0 && (long)outer[0].result == -EINVAL && (long)outer[1].result == -EFAULT &&
	      (long)outer[2].result == -ENOSYS, "nested, faulting and unknown entries each get their own result",
	      "rc %d results %ld %ld %ld", rc, (long)outer[0].result, (long)outer[1].result, (long)outer[2].result);
	rc = HYPERVISOR_multicall((multicall_entry_t *)ro, 1);
	check(rc == -EFAULT && ro[1] == 0x0123456789abcdefUL, "a multicall list in read-only memory cannot take results",
	      "rc %d result slot %#lx", rc, (unsigned long)ro[1]);
}

static void test_vm_assist_attacks(void)
{
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_enable, 0xffffffff), -EINVAL, "vm_assist type 0xffffffff");
	CHECK_RC(HYPERVISOR_vm_assist(VMASST_CMD_enable, 31), -EINVAL, "vm_assist type 31");
	CHECK_RC(HYPERVISOR_vm_assist(0x12345, VMASST_TYPE_writable_pagetables), -ENOSYS, "vm_assist command 0x12345");
	long r = xen_hypercall(__HYPERVISOR_vm_assist, (1UL << 32) | VMASST_CMD_disable,
			       (1UL << 32) | VMASST_TYPE_writable_pagetables, 0, 0, 0);
	check(r == 0, "vm_assist takes 32-bit arguments (upper halves ignored)", "returned %ld", r);
}

static void test_ptwr_attacks(void)
{
	volatile uint64_t *e = l1;
	int f = FAULTS("movq %1, (%2)", "r"(((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT), "r"(&e[20]));
	check(f && last_trap.vector == 14, "a page-table write without the assist faults", "faulted %d", f);
	HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
	f = FAULTS("movq %1, (%2)", "r"(((uint64_t)l4_mfn << PAGE_SHIFT) | L1_PROT), "r"(&e[20]));
	check(f && last_trap.vector == 14 && e[20] == 0, "ptwr: map the L4 writable", "faulted %d entry %#lx", f,
	      (unsigned long)e[20]);
	f = FAULTS("movq %1, (%2)", "r"(((uint64_t)foreign_mfn << PAGE_SHIFT) | L1_PROT_RO), "r"(&e[20]));
	check(f && last_trap.vector == 14 && e[20] == 0, "ptwr: map another domain's frame", "faulted %d", f);
	f = FAULTS("movq %1, (%2)", "r"(0x0000000100000001UL), "r"((unsigned long)&e[20] + 4));
	check(f && last_trap.vector == 14 && e[20] == 0 && e[21] == 0, "ptwr: a write straddling two entries",
	      "faulted %d entries %#lx %#lx", f, (unsigned long)e[20], (unsigned long)e[21]);
	volatile uint64_t *l4 = mfn_to_virt(l4_mfn);
	f = FAULTS("movq $0, (%1)", "r"(&l4[0]));
	check(f && last_trap.vector == 14, "ptwr never writes an L4", "faulted %d", f);
	unsigned long cnt = 8, val = ((uint64_t)data_mfn << PAGE_SHIFT) | L1_PROT_RO;
	void *dst = (void *)&e[24];
	f = FAULTS("rep stosq", "D"(dst), "c"(cnt), "a"(val));
	check(f && last_trap.vector == 14 && e[24] == 0, "ptwr: rep stosq over several entries", "faulted %d", f);
	HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables);
}

static void test_cr3_attacks(void)
{
	int f = FAULTS("mov %1, %%cr3", "r"(0xdead000UL));
	check(f && last_trap.vector == 13, "mov %cr3 of garbage", "faulted %d vector %u", f, last_trap.vector);
	f = FAULTS("mov %1, %%cr3", "r"(1UL << 63 | (unsigned long)l4_mfn << PAGE_SHIFT));
	check(f && last_trap.vector == 13, "mov %cr3 with bit 63 set", "faulted %d", f);
	f = FAULTS("mov %1, %%cr3", "r"((unsigned long)foreign_mfn << PAGE_SHIFT));
	check(f && last_trap.vector == 13, "mov %cr3 to another domain's frame", "faulted %d", f);
	check(current_l4_mfn() == l4_mfn, "still on the boot L4", "cr3 %#lx", current_l4_mfn());
}

int main(void)
{
	traps_init();
	setup();
	find_targets();
	test_request_pointers();
	test_update_targets();
	test_bad_tables();
	test_mmuext_attacks();
	test_multicall_attacks();
	test_vm_assist_attacks();
	test_ptwr_attacks();
	test_cr3_attacks();
	printk("mmuhostile: %d checks, %d failure(s)\n", checks, failures);
	return failures ? 1 : 0;
}
