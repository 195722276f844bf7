/*
 * A hostile PV kernel against memory_op, set_gdt and update_descriptor: frames it does not
 * own, free frames, frames beyond memory, its own page tables and shared_info given back,
 * extent lists in the hypervisor's range, unmapped, read-only or wrapping, huge counts and
 * orders, other domains and the reserved domain ids, forged continuations, exchanges that do
 * not add up, GDTs of writable, foreign or table frames or with system descriptors, and
 * descriptors written where they do not belong. Every attempt gets Xen's answer and the
 * hypervisor keeps running; the guest powers off at the end. It expects another domain
 * (domid 1) to exist, to have foreign frames to aim at.
 */
#include <lib.h>
#include <mm.h>
#include <traps.h>
#include <desc.h>
#include <check.h>

#define HOLE 0xffff800000000000UL
#define NONCANON 0x0000800000000000UL
#define BEYOND (1UL << 40)
#define OTHER_DOMID 1

static domid_t self = DOMID_SELF;
static unsigned long *p2m, nr_pages;
static unsigned long foreign_mfn, free_mfn, si_mfn, l4_mfn, l1_mfn;
static unsigned long edge;  /* a mapped page followed by an unmapped one */
static uint64_t *ro;        /* an ordinary page mapped read-only */

static long cur_res(void)
{
	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static long res_op(unsigned int cmd, void *list, unsigned long n, unsigned int order, domid_t domid)
{
	struct xen_memory_reservation r = {
		.extent_start = list, .nr_extents = n, .extent_order = order, .mem_flags = 0, .domid = domid,
	};
	return HYPERVISOR_memory_op(cmd, &r);
}

static long info_op(unsigned int op, domid_t domid)
{
	return HYPERVISOR_memory_op(op, &domid);
}

static void find_targets(void)
{
	si_mfn = start_info_ptr->shared_info >> PAGE_SHIFT;
	m2p_find_targets(&foreign_mfn, &free_mfn);
	check(foreign_mfn && free_mfn, "found another domain's frame and a free frame through the M2P",
	      "foreign %#lx free %#lx", foreign_mfn, free_mfn);
	l4_mfn = current_l4_mfn();
	l1_mfn = entry_maddr((unsigned long)&find_targets, 1, NULL) >> PAGE_SHIFT;
	check(l1_mfn != 0, "found the L1 that maps our code", "none");
	ro = alloc_page();
	for (unsigned int i = 0; i < 512; i++)
		ro[i] = 0x0123456789abcdefUL;
	set_page_writable(ro, 0);
	uint64_t v;
	for (unsigned long va = (unsigned long)alloc_page();; va += PAGE_SIZE) {
		if (peek(va + PAGE_SIZE, &v)) {
			edge = va;
			break;
		}
	}
}

/* Unmapped frames near the top of memory: our own, safe to give away. */
static unsigned long spare(unsigned int i)
{
	return p2m[nr_pages - 1 - i];
}

static void test_decrease_targets(void)
{
	long before = cur_res();
	xen_pfn_t l[1];
	l[0] = foreign_mfn;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 0, "decrease_reservation of another domain's frame");
	l[0] = free_mfn;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 0, "decrease_reservation of a free frame");
	l[0] = BEYOND;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 0, "decrease_reservation of a frame beyond memory");
	l[0] = ~0UL;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 0, "decrease_reservation of frame ~0");
	l[0] = si_mfn;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 0, "decrease_reservation of the shared_info frame is refused");
	CHECK_RC(cur_res(), before, "nothing was given back");

	/* A table in use is given back but lives on: we keep running on it. */
	l[0] = l1_mfn;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 1, "decrease_reservation of the L1 mapping our code");
	CHECK_RC(cur_res(), before, "the L1 in use is not freed");
	check(machine_to_phys_mapping[l1_mfn] != INVALID_M2P_ENTRY, "the L1 in use keeps its M2P entry", "%#lx",
	      machine_to_phys_mapping[l1_mfn]);
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, l1_mfn, 0), -EINVAL, "the given-back L1 cannot be pinned any more");
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 0, "a frame already given back cannot be given again");
	printk("still running after giving away a live L1\n");
}

static void test_extent_lists(void)
{
	long before = cur_res();
	CHECK_RC(res_op(XENMEM_decrease_reservation, NULL, 1, 0, DOMID_SELF), 0, "decrease_reservation with a NULL list");
	CHECK_RC(res_op(XENMEM_decrease_reservation, (void *)HOLE, 1, 0, DOMID_SELF), 0,
		 "decrease_reservation with a list in the hypervisor's range (the readable M2P)");
	CHECK_RC(res_op(XENMEM_decrease_reservation, (void *)NONCANON, 1, 0, DOMID_SELF), 0,
		 "decrease_reservation with a non-canonical list");
	CHECK_RC(res_op(XENMEM_decrease_reservation, (void *)0x1000, 1, 0, DOMID_SELF), 0,
		 "decrease_reservation with an unmapped list");
	CHECK_RC(res_op(XENMEM_decrease_reservation, (void *)(HOLE - 8), 2, 0, DOMID_SELF), 0,
		 "a list running into the hypervisor's range");
	CHECK_RC(res_op(XENMEM_decrease_reservation, (void *)0xfffffffffffffff8UL, 2, 0, DOMID_SELF), 0,
		 "a list wrapping around the address space");
	CHECK_RC(res_op(XENMEM_populate_physmap, (void *)HOLE, 1, 0, DOMID_SELF), 0, "populate_physmap with a list in the hole");
	CHECK_RC(res_op(XENMEM_increase_reservation, (void *)HOLE, 1, 0, DOMID_SELF), 0, "increase_reservation with a list in the hole");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_decrease_reservation, (void *)HOLE), 0, "a reservation struct in the hole");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_decrease_reservation, NULL), 0, "a NULL reservation struct");
	CHECK_RC(cur_res(), before, "no frame moved");

	/* The list's first extent is fine, the second lies on an unmapped page. */
	xen_pfn_t *l = (xen_pfn_t *)(edge + PAGE_SIZE - 8);
	l[0] = spare(0);
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 2, 0, DOMID_SELF), 1, "a list running into unmapped memory stops there");
	CHECK_RC(cur_res(), before - 1, "one frame was given back");
}

static void test_sizes_and_domains(void)
{
	xen_pfn_t l[4];
	l[0] = foreign_mfn;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 10, DOMID_SELF), 0, "extent_order 10 is refused");
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 64, DOMID_SELF), 0, "extent_order 64 is refused");
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0xffffffff, DOMID_SELF), 0, "extent_order ~0 is refused");
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 9, DOMID_SELF), 0, "an order-9 extent of another domain's frames");
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1UL << 26, 0, DOMID_SELF), 0,
		 "nr_extents too large to continue is refused");
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, ~0UL, 0, DOMID_SELF), 0, "nr_extents ~0 is refused");
	struct xen_memory_reservation r = { .extent_start = l, .nr_extents = 2, .domid = DOMID_SELF };
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_decrease_reservation | (5 << MEMOP_EXTENT_SHIFT), &r), 5,
		 "a start extent past nr_extents returns it unchanged");
	CHECK_RC(xen_hypercall(__HYPERVISOR_memory_op, XENMEM_decrease_reservation | (~0UL << MEMOP_EXTENT_SHIFT),
			       (unsigned long)&r, 0, 0, 0),
		 (long)(~0UL >> MEMOP_EXTENT_SHIFT), "a forged huge start extent is returned as is");
	r.mem_flags = XENMEMF_address_bits(12);
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_increase_reservation, &r), 0, "address_bits 12 is refused");
	r.mem_flags = XENMEMF_populate_on_demand;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_populate_physmap, &r), 0, "populate-on-demand on oneself is refused");

	/* Another domain, the reserved ids, and ids that name nothing. */
	CHECK_RC(info_op(XENMEM_current_reservation, OTHER_DOMID), -EPERM, "current_reservation of another domain");
	CHECK_RC(info_op(XENMEM_maximum_reservation, OTHER_DOMID), -EPERM, "maximum_reservation of another domain");
	CHECK_RC(info_op(XENMEM_current_reservation, DOMID_XEN), -ESRCH, "current_reservation of DOMID_XEN");
	CHECK_RC(info_op(XENMEM_current_reservation, DOMID_IO), -ESRCH, "current_reservation of DOMID_IO");
	CHECK_RC(info_op(XENMEM_current_reservation, 0x7ff4), -ESRCH, "current_reservation of DOMID_INVALID");
	CHECK_RC(info_op(XENMEM_current_reservation, 200), -ESRCH, "current_reservation of a domain that does not exist");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_current_reservation, (void *)HOLE), -EFAULT, "current_reservation with a domid in the hole");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_current_reservation | (1 << MEMOP_EXTENT_SHIFT), &self), -EINVAL,
		 "current_reservation with a start extent");
	l[0] = foreign_mfn;
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, OTHER_DOMID), 0, "decrease another domain's frame in its name");
	CHECK_RC(res_op(XENMEM_increase_reservation, l, 1, 0, OTHER_DOMID), 0, "increase another domain's reservation");
	CHECK_RC(res_op(XENMEM_populate_physmap, l, 1, 0, DOMID_XEN), 0, "populate_physmap for DOMID_XEN");
	CHECK_RC(res_op(XENMEM_increase_reservation, l, 1, 0, DOMID_COW), 0, "increase_reservation for DOMID_COW");
	CHECK_RC(HYPERVISOR_memory_op(60, &self), -ENOSYS, "an unknown memory_op");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machine_memory_map, &self), -EPERM, "machine_memory_map is privileged");
	struct xen_add_to_physmap xatp = { .domid = DOMID_SELF, .space = XENMAPSPACE_gmfn, .idx = 0, .gpfn = 0 };
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp), -EACCES, "add_to_physmap from a PV domain");
	xatp.space = XENMAPSPACE_gmfn_foreign;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp), -ENOSYS, "add_to_physmap of a foreign frame");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_add_to_physmap | (0x10000UL << MEMOP_EXTENT_SHIFT), &xatp), -EDOM,
		 "add_to_physmap with a start extent beyond 16 bits");

	/* Info ops writing into places they may not. */
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machphys_mapping, ro), -EFAULT, "machphys_mapping into a read-only page");
	check(ro[0] == 0x0123456789abcdefUL, "the read-only page is untouched", "%#lx", (unsigned long)ro[0]);
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machphys_mapping, (void *)HOLE), -EFAULT, "machphys_mapping into the hole");
	struct xen_machphys_mfn_list ml = { .max_extents = 4, .extent_start = (xen_pfn_t *)ro };
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml), -EFAULT, "machphys_mfn_list into a read-only page");
	ml.extent_start = (xen_pfn_t *)HOLE;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &ml), -EFAULT, "machphys_mfn_list into the hole");
	struct xen_memory_map mm = { .nr_entries = 1, .buffer = (void *)HOLE };
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_memory_map, &mm), -EFAULT, "memory_map into the hole");
	mm.buffer = ro;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_memory_map, &mm), -EFAULT, "memory_map into a read-only page");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_memory_map, NULL), -EFAULT, "memory_map with a NULL argument");
}

static void test_increase_limits(void)
{
	long max = info_op(XENMEM_maximum_reservation, DOMID_SELF);
	xen_pfn_t give[4] = { spare(1), spare(2), spare(3), spare(4) };
	CHECK_RC(res_op(XENMEM_decrease_reservation, give, 4, 0, DOMID_SELF), 4, "give back 4 frames for room");
	long before = cur_res();
	check(before < max, "some room below max_pages (frames were given back)", "tot %ld max %ld", before, max);
	/* A read-only output list: Xen allocates the frame, then cannot report it. */
	CHECK_RC(res_op(XENMEM_increase_reservation, ro, 1, 0, DOMID_SELF), 0, "increase_reservation into a read-only list");
	CHECK_RC(cur_res(), before + 1, "the unreported frame still counts (as on Xen)");
	/* A NULL list is allowed: frames are added, their numbers not told. */
	CHECK_RC(res_op(XENMEM_increase_reservation, NULL, 1, 0, DOMID_SELF), 1, "increase_reservation with a NULL list");
	long room = max - cur_res();
	CHECK_RC(res_op(XENMEM_increase_reservation, NULL, (1UL << 26) - 1, 0, DOMID_SELF), room,
		 "a huge increase stops at max_pages");
	CHECK_RC(cur_res(), max, "tot_pages reached max_pages");
	CHECK_RC(res_op(XENMEM_increase_reservation, NULL, 1, 0, DOMID_SELF), 0, "increase beyond max_pages gets nothing");
	xen_pfn_t l[1] = { 5 };
	CHECK_RC(res_op(XENMEM_populate_physmap, l, 1, 0, DOMID_SELF), 0, "populate_physmap beyond max_pages gets nothing");
	CHECK_RC(res_op(XENMEM_increase_reservation, l, 1, 1, DOMID_SELF), 0, "an order-1 extent beyond max_pages");
}

/* Each exchange gets fresh frames: one that fails late has already traded its input. */
static unsigned int next_spare = 10;

static void test_exchange_attacks(void)
{
	xen_pfn_t in[2], out[2];
	struct xen_memory_exchange x;
#define EXCH_RESET(a, b)                                                                                        \
	do {                                                                                                    \
		memset(&x, 0, sizeof(x));                                                                       \
		x.in = (struct xen_memory_reservation){ .extent_start = in, .nr_extents = (a), .domid = DOMID_SELF };  \
		x.out = (struct xen_memory_reservation){ .extent_start = out, .nr_extents = (b), .domid = DOMID_SELF }; \
		in[0] = spare(next_spare++);                                                                    \
		in[1] = spare(next_spare++);                                                                    \
		out[0] = nr_pages - 11;                                                                         \
		out[1] = nr_pages - 12;                                                                         \
	} while (0)
	EXCH_RESET(2, 1);
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange of 2 frames for 1");
	EXCH_RESET(1, 1);
	x.out.domid = OTHER_DOMID;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange between two domains");
	EXCH_RESET(1, 1);
	x.in.domid = x.out.domid = OTHER_DOMID;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EPERM, "exchange in another domain's name");
	EXCH_RESET(1, 1);
	x.in.domid = x.out.domid = DOMID_XEN;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -ESRCH, "exchange for DOMID_XEN");
	EXCH_RESET(1, 1);
	x.in.extent_order = 10;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EPERM, "exchange with extent_order 10");
	EXCH_RESET(1, 1);
	x.nr_exchanged = 5;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange with nr_exchanged past nr_extents");
	check(x.nr_exchanged == 5, "a refused exchange writes nr_exchanged back as it was", "nr %lu", x.nr_exchanged);
	EXCH_RESET(1, 1);
	x.in.extent_start = (xen_pfn_t *)HOLE;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EFAULT, "exchange with an input list in the hole");
	EXCH_RESET(1, 1);
	x.out.extent_start = NULL;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EFAULT,
		 "exchange with a NULL output list (traded, but the new frame cannot be told)");
	EXCH_RESET(1, 1);
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange | (1 << MEMOP_EXTENT_SHIFT), &x), -EINVAL,
		 "exchange with a start extent");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, (void *)HOLE), -EFAULT, "exchange with its struct in the hole");
	EXCH_RESET(1, 1);
	in[0] = foreign_mfn;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange of another domain's frame");
	check(x.nr_exchanged == 0, "nothing was exchanged", "nr %lu", x.nr_exchanged);
	EXCH_RESET(1, 1);
	in[0] = l4_mfn;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange of our L4 in use");
	EXCH_RESET(1, 1);
	in[0] = si_mfn;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange of the shared_info frame");
	/* The same frame twice in one chunk: the second steal fails and the first is given back. */
	EXCH_RESET(2, 1);
	x.out.extent_order = 1;
	in[1] = in[0];
	long before = cur_res();
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange naming one frame twice");
	CHECK_RC(cur_res(), before, "tot_pages unchanged");
	xen_pfn_t back[1] = { in[0] };
	CHECK_RC(res_op(XENMEM_decrease_reservation, back, 1, 0, DOMID_SELF), 1, "the frame named twice is still ours");
	/* The output list is read-only: the chunk is traded, but its frames cannot be reported. */
	EXCH_RESET(1, 1);
	x.out.extent_start = (xen_pfn_t *)ro;
	before = cur_res();
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EFAULT, "exchange with a read-only output list");
	CHECK_RC(cur_res(), before, "tot_pages unchanged by the failed report");
}

static void test_set_gdt(void)
{
	uint64_t *page = alloc_page();
	unsigned long mfn = virt_to_mfn(page);
	unsigned long f[16];
	f[0] = mfn;
	CHECK_RC(HYPERVISOR_set_gdt(f, 7169), -EINVAL, "set_gdt with 7169 entries");
	CHECK_RC(HYPERVISOR_set_gdt(f, ~0U), -EINVAL, "set_gdt with ~0 entries");
	CHECK_RC(HYPERVISOR_set_gdt(f, 1), -EINVAL, "set_gdt of a frame mapped writable");
	CHECK_RC(HYPERVISOR_set_gdt(NULL, 1), -EFAULT, "set_gdt with a NULL frame list");
	CHECK_RC(HYPERVISOR_set_gdt((unsigned long *)HOLE, 1), -EFAULT, "set_gdt with a frame list in the hole");
	CHECK_RC(HYPERVISOR_set_gdt((unsigned long *)(edge + PAGE_SIZE - 8), 1024), -EFAULT,
		 "set_gdt with a frame list running into unmapped memory");
	f[0] = foreign_mfn;
	CHECK_RC(HYPERVISOR_set_gdt(f, 1), -EINVAL, "set_gdt of another domain's frame");
	f[0] = free_mfn;
	CHECK_RC(HYPERVISOR_set_gdt(f, 1), -EINVAL, "set_gdt of a free frame");
	f[0] = BEYOND;
	CHECK_RC(HYPERVISOR_set_gdt(f, 1), -EINVAL, "set_gdt of a frame beyond memory");
	f[0] = l4_mfn;
	CHECK_RC(HYPERVISOR_set_gdt(f, 1), -EINVAL, "set_gdt of our L4");
	f[0] = si_mfn;
	CHECK_RC(HYPERVISOR_set_gdt(f, 1), -EINVAL, "set_gdt of the shared_info frame (mapped by nobody, not ours to type)");

	/* Descriptors Xen refuses in a GDT page. */
	set_page_writable(page, 0);
	static const struct { uint64_t desc; const char *name; } bad[] = {
		{ 0x0000890000000067UL, "set_gdt of a page holding a TSS descriptor" },
		{ 0x0000820000000fffUL, "set_gdt of a page holding an LDT descriptor" },
		{ 0x00008e0000000000UL, "set_gdt of a page holding an interrupt gate" },
		{ 0x00008f0000000000UL, "set_gdt of a page holding a trap gate" },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		set_page_writable(page, 1);
		page[7] = bad[i].desc;
		set_page_writable(page, 0);
		f[0] = mfn;
		CHECK_RC(HYPERVISOR_set_gdt(f, 512), -EINVAL, bad[i].name);
	}
	set_page_writable(page, 1);
	page[7] = call_gate(0xe008, 0x1000, 3);
	page[8] = 0;
	set_page_writable(page, 0);
	CHECK_RC(HYPERVISOR_set_gdt(f, 512), -EINVAL, "set_gdt with a call gate into Xen's ring-0 code");
	set_page_writable(page, 1);
	page[7] = call_gate(0x10, 0x1000, 3) | (1UL << 32);
	set_page_writable(page, 0);
	CHECK_RC(HYPERVISOR_set_gdt(f, 512), -EINVAL, "set_gdt with a call gate with a parameter count");
	set_page_writable(page, 1);
	page[7] = call_gate(0x10, 0x1000, 3);
	page[9] = seg_desc(0, 0xfffff, DESC_P | DESC_DPL(0) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	set_page_writable(page, 0);
	CHECK_RC(HYPERVISOR_set_gdt(f, 512), 0, "set_gdt with a call gate to a guest selector");
	check(DESC_DPL_OF(page[7]) == 0 && ((page[7] >> 16) & 3) == 3, "the call gate gets DPL 0 and RPL 3 in its selector",
	      "%#lx", (unsigned long)page[7]);
	check(DESC_DPL_OF(page[9]) == 3, "a DPL-0 data segment becomes DPL 3", "%#lx", (unsigned long)page[9]);
	CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, mfn, 0), -EINVAL, "a live GDT frame cannot become a page table");
	CHECK_RC(set_page_writable(page, 1), -EBUSY, "a live GDT frame cannot be mapped writable");
	CHECK_RC(res_op(XENMEM_decrease_reservation, &f[0], 1, 0, DOMID_SELF), 1, "give back the live GDT frame");
	CHECK_RC(load_fs((9 << 3) | 3), 0, "the given-back GDT frame still serves selector loads");
	CHECK_RC(load_fs(0), 0, "null %fs");

	/* Selector loads with nothing behind them. */
	CHECK_RC(load_fs(0xfff8 | 3), 13, "a selector beyond Xen's GDT page");
	CHECK_RC(load_fs((7 << 3) | 3), 13, "a call gate is not a data segment");
	CHECK_RC(load_fs(4 | 3), 13, "an LDT selector with no LDT");
	CHECK_RC(load_fs(0xe013), 13, "Xen's ring-0 data selector");
	CHECK_RC(load_ss(0xe02b & ~3U), 13, "a flat %ss with RPL 0");
	CHECK_RC(HYPERVISOR_set_gdt(NULL, 0), 0, "drop the GDT");
}

static void test_update_descriptor(void)
{
	uint64_t *page = alloc_page();
	uint64_t ma = (uint64_t)virt_to_mfn(page) << PAGE_SHIFT;
	uint64_t good = seg_desc(0, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	CHECK_RC(HYPERVISOR_update_descriptor(ma + 4, good), -EINVAL, "update_descriptor at a misaligned address");
	CHECK_RC(HYPERVISOR_update_descriptor(ma + 1, good), -EINVAL, "update_descriptor at an odd address");
	CHECK_RC(HYPERVISOR_update_descriptor((uint64_t)foreign_mfn << PAGE_SHIFT, good), -EINVAL,
		 "update_descriptor into another domain's frame");
	CHECK_RC(HYPERVISOR_update_descriptor((uint64_t)free_mfn << PAGE_SHIFT, good), -EINVAL,
		 "update_descriptor into a free frame");
	CHECK_RC(HYPERVISOR_update_descriptor(BEYOND << PAGE_SHIFT, good), -EINVAL, "update_descriptor beyond memory");
	CHECK_RC(HYPERVISOR_update_descriptor(~7UL, good), -EINVAL, "update_descriptor at the last machine address");
	CHECK_RC(HYPERVISOR_update_descriptor((uint64_t)l1_mfn << PAGE_SHIFT, good), -EINVAL,
		 "update_descriptor into a page table");
	CHECK_RC(HYPERVISOR_update_descriptor((uint64_t)l4_mfn << PAGE_SHIFT, 0), -EINVAL, "update_descriptor into our L4");
	CHECK_RC(HYPERVISOR_update_descriptor(ma, 0x0000890000000067UL), -EINVAL, "update_descriptor with a TSS descriptor");
	CHECK_RC(HYPERVISOR_update_descriptor(ma, 0x00008e0000000000UL), -EINVAL, "update_descriptor with an interrupt gate");
	CHECK_RC(HYPERVISOR_update_descriptor(ma, call_gate(0xe008, 0, 3)), -EINVAL,
		 "update_descriptor with a call gate into Xen's code");
	check(page[0] == 0, "refused descriptors are not written", "%#lx", (unsigned long)page[0]);
	CHECK_RC(HYPERVISOR_update_descriptor(ma, 0x0000090000000067UL), 0, "a not-present system descriptor is harmless");
	CHECK_RC(HYPERVISOR_update_descriptor(ma + 8, good), 0, "update_descriptor into our own writable page");
	check(page[1] == good, "the descriptor is written", "%#lx", (unsigned long)page[1]);
}

int main(void)
{
	traps_init();
	p2m = (unsigned long *)start_info_ptr->mfn_list;
	nr_pages = start_info_ptr->nr_pages;
	if (nr_pages < 2048)
		panic("memhostile needs at least 8 MiB");
	find_targets();
	test_extent_lists();
	test_sizes_and_domains();
	test_increase_limits();
	test_exchange_attacks();
	test_set_gdt();
	test_update_descriptor();
	test_decrease_targets();
	/* Last: our pinned L4, the base pointer we run on, is given back; we keep running on it. */
	xen_pfn_t l[1] = { l4_mfn };
	long before = cur_res();
	CHECK_RC(res_op(XENMEM_decrease_reservation, l, 1, 0, DOMID_SELF), 1, "decrease_reservation of our L4 in use");
	CHECK_RC(cur_res(), before, "the L4 in use is not freed");
	printk("memhostile: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
