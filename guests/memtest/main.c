/*
 * memory_op, set_gdt and update_descriptor as a PV kernel uses them: the reservation read,
 * ballooned down and up again (decrease, increase, populate_physmap, exchange, long batches
 * that the hypervisor continues), a new frame mapped and used, the M2P described by
 * machphys_mapping / machphys_mfn_list and read at MACH2PHYS_VIRT_START, the e820 map, and a
 * GDT of our own whose selectors load into %ds / %fs with their base applied. Each check
 * prints PASS or FAIL. Run it with at least 16 MiB.
 */
#include <lib.h>
#include <mm.h>
#include <traps.h>
#include <desc.h>
#include <check.h>

static domid_t self = DOMID_SELF;

static long cur_res(void)
{
	return HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
}

static long reservation_op(unsigned int op, xen_pfn_t *list, unsigned long n, unsigned int order)
{
	struct xen_memory_reservation r = {
		.extent_start = list, .nr_extents = n, .extent_order = order, .mem_flags = 0, .domid = DOMID_SELF,
	};
	return HYPERVISOR_memory_op(op, &r);
}

static unsigned long *p2m;
static unsigned long nr_pages, max_ram;
static void *scratch;          /* a page of ours whose mapping we borrow */
static unsigned long scratch_mfn;

static int map_scratch(unsigned long mfn)
{
	return HYPERVISOR_update_va_mapping((unsigned long)scratch, ((uint64_t)mfn << PAGE_SHIFT) | L1_PROT,
					    UVMF_INVLPG);
}

static void test_info(void)
{
	max_ram = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
	unsigned long top = 0;
	for (unsigned long pfn = 0; pfn < nr_pages; pfn++)
		if (p2m[pfn] > top)
			top = p2m[pfn];
	check((long)max_ram > 0 && top < max_ram, "maximum_ram_page lies above every frame of ours", "max %#lx ours up to %#lx",
	      max_ram, top);
	CHECK_RC(cur_res(), nr_pages, "current_reservation is start_info.nr_pages");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_maximum_reservation, &self), nr_pages, "maximum_reservation");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_maximum_gpfn, &self), nr_pages - 1, "maximum_gpfn is nr_pages - 1");
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_maximum_ram_page | (1 << MEMOP_EXTENT_SHIFT), NULL), -EINVAL,
		 "maximum_ram_page with a start extent");
	unsigned long one;
	CHECK_RC(reservation_op(XENMEM_increase_reservation, &one, 1, 0), 0, "increase_reservation at max_pages gets nothing");
	CHECK_RC(cur_res(), nr_pages, "a refused increase leaves the reservation alone");
}

static void test_m2p(void)
{
	struct xen_machphys_mapping map;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machphys_mapping, &map), 0, "machphys_mapping");
	check(map.v_start == MACH2PHYS_VIRT_START && map.v_end == 0xffff804000000000UL &&
		      map.max_mfn == ((map.v_end - map.v_start) >> 3) - 1,
	      "machphys_mapping describes the M2P at 0xFFFF800000000000", "%#lx-%#lx max %#lx", map.v_start, map.v_end,
	      map.max_mfn);
	int ok = 1;
	for (unsigned long pfn = 0; pfn < nr_pages; pfn += 97) {
		uint64_t v;
		if (peek(map.v_start + p2m[pfn] * 8, &v) || v != pfn)
			ok = 0;
	}
	check(ok, "the M2P read at v_start maps our frames back to their pfns", "mismatch");
	uint64_t v;
	check(!peek(map.v_start + (max_ram - 1) * 8, &v), "the M2P is readable up to maximum_ram_page", "fault");

	static xen_pfn_t chunks[64];
	struct xen_machphys_mfn_list l = { .max_extents = 64, .extent_start = chunks };
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l), 0, "machphys_mfn_list");
	unsigned long want = (max_ram * 8 + (2UL << 20) - 1) >> 21;
	ok = l.nr_extents == want;
	for (unsigned int i = 0; ok && i < l.nr_extents; i++)
		ok = (chunks[i] & 511) == 0 && (i == 0 || chunks[i] > chunks[i - 1]);
	check(ok, "machphys_mfn_list has one 2 MiB-aligned frame per 2 MiB of M2P", "nr %u want %lu first %#lx",
	      l.nr_extents, want, (unsigned long)chunks[0]);
	l.max_extents = 0;
	l.nr_extents = 99;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_machphys_mfn_list, &l), 0, "machphys_mfn_list with max_extents 0");
	check(l.nr_extents == 0, "machphys_mfn_list with room for none reports none", "nr %u", l.nr_extents);
}

static void test_memory_map(void)
{
	struct e820entry e[4];
	memset(e, 0x55, sizeof(e));
	struct xen_memory_map m = { .nr_entries = 4, .buffer = e };
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_memory_map, &m), 0, "memory_map");
	check(m.nr_entries == 1 && e[0].addr == 0 && e[0].size == nr_pages * PAGE_SIZE && e[0].type == E820_RAM &&
		      e[1].type == 0x55555555,
	      "memory_map is one RAM entry of the maximum reservation", "nr %u addr %#lx size %#lx type %u", m.nr_entries,
	      (unsigned long)e[0].addr, (unsigned long)e[0].size, e[0].type);
	m.nr_entries = 0;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_memory_map, &m), 0, "memory_map with no room");
	check(m.nr_entries == 0, "memory_map with no room returns no entry", "nr %u", m.nr_entries);
}

/* Pfns near the top of memory that the initial mapping does not cover. */
#define SPARE 8
#define GAP 16

static void test_balloon(void)
{
	unsigned long first = nr_pages - GAP - SPARE;
	xen_pfn_t list[SPARE];
	uint64_t v;
	check(peek(VIRT_BASE + first * PAGE_SIZE, &v), "the spare pfns are not mapped", "pfn %#lx is mapped", first);
	for (unsigned int i = 0; i < SPARE; i++)
		list[i] = p2m[first + i];
	long before = cur_res();
	CHECK_RC(reservation_op(XENMEM_decrease_reservation, list, SPARE, 0), SPARE, "decrease_reservation of 8 unmapped frames");
	CHECK_RC(cur_res(), before - SPARE, "tot_pages goes down by 8");
	int ok = 1;
	for (unsigned int i = 0; i < SPARE; i++) {
		ok &= machine_to_phys_mapping[list[i]] == INVALID_M2P_ENTRY;
		p2m[first + i] = INVALID_M2P_ENTRY;
	}
	check(ok, "the freed frames have no M2P entry", "an entry is still set");
	CHECK_RC(reservation_op(XENMEM_decrease_reservation, list, 1, 0), 0, "a freed frame cannot be given back twice");

	xen_pfn_t got[4] = { 0 };
	CHECK_RC(reservation_op(XENMEM_increase_reservation, got, 4, 0), 4, "increase_reservation by 4");
	CHECK_RC(cur_res(), before - SPARE + 4, "tot_pages goes up by 4");
	ok = 1;
	for (unsigned int i = 0; i < 4; i++) {
		ok &= got[i] < max_ram && machine_to_phys_mapping[got[i]] == INVALID_M2P_ENTRY;
		for (unsigned int j = 0; j < i; j++)
			ok &= got[i] != got[j];
	}
	check(ok, "the new frames are distinct, below maximum_ram_page, without M2P entries", "%#lx %#lx %#lx %#lx",
	      (unsigned long)got[0], (unsigned long)got[1], (unsigned long)got[2], (unsigned long)got[3]);

	CHECK_RC(map_scratch(got[0]), 0, "map a new frame with update_va_mapping");
	volatile uint64_t *p = scratch;
	ok = 1;
	for (unsigned int i = 0; i < 512; i++)
		ok &= p[i] == 0;
	check(ok, "a new frame comes zeroed", "not zero");
	for (unsigned int i = 0; i < 512; i++)
		p[i] = 0x1111111111111111UL * (i & 15);
	ok = 1;
	for (unsigned int i = 0; i < 512; i++)
		ok &= p[i] == 0x1111111111111111UL * (i & 15);
	check(ok, "write and read back the new frame", "mismatch");
	CHECK_RC(mmu_update1(((uint64_t)got[0] << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE, first), 0,
		 "MMU_MACHPHYS_UPDATE for the new frame");
	check(machine_to_phys_mapping[got[0]] == first, "the M2P shows the new frame's pfn", "%#lx",
	      machine_to_phys_mapping[got[0]]);
	CHECK_RC(map_scratch(scratch_mfn), 0, "restore the borrowed mapping");

	/* A frame given back while mapped lives on until the mapping goes (Xen's PGC_allocated). */
	CHECK_RC(map_scratch(got[1]), 0, "map a second new frame");
	long mid = cur_res();
	CHECK_RC(reservation_op(XENMEM_decrease_reservation, &got[1], 1, 0), 1, "decrease_reservation of a mapped frame");
	CHECK_RC(cur_res(), mid, "a mapped frame given back still counts while mapped");
	p[0] = 42;
	check(p[0] == 42, "the given-back frame is still usable through its mapping", "read %lu", (unsigned long)p[0]);
	CHECK_RC(map_scratch(scratch_mfn), 0, "unmap the given-back frame");
	check(cur_res() == mid - 1, "a decreased frame still mapped is freed when unmapped", "tot %ld, expected %ld",
	      cur_res(), mid - 1);

	xen_pfn_t rest[3] = { got[0], got[2], got[3] };
	long r0 = cur_res();
	CHECK_RC(reservation_op(XENMEM_decrease_reservation, rest, 3, 0), 3, "decrease the other new frames");
	CHECK_RC(cur_res(), r0 - 3, "tot_pages goes down by 3");

	/* An extent of 2^order frames is a naturally aligned run of machine frames. */
	long r2 = cur_res();
	xen_pfn_t ext = 0;
	CHECK_RC(reservation_op(XENMEM_increase_reservation, &ext, 1, 2), 1, "increase_reservation of one order-2 extent");
	ok = (ext & 3) == 0 && ext + 3 < max_ram;
	for (unsigned int i = 0; i < 4; i++)
		ok &= machine_to_phys_mapping[ext + i] == INVALID_M2P_ENTRY;
	check(ok, "the extent is 4 frames on a 4-frame boundary, without M2P entries", "mfn %#lx", (unsigned long)ext);
	CHECK_RC(cur_res(), r2 + 4, "tot_pages goes up by the extent's 4 frames");
	CHECK_RC(reservation_op(XENMEM_decrease_reservation, &ext, 1, 2), 1, "the order-2 extent given back whole");
	CHECK_RC(cur_res(), r2, "tot_pages goes down by 4");

	/* Back to full size through populate_physmap: pfns in, frames out, the M2P set. */
	for (unsigned int i = 0; i < SPARE; i++)
		list[i] = first + i;
	long r1 = cur_res();
	long want = nr_pages - r1 < SPARE ? nr_pages - r1 : SPARE;
	CHECK_RC(reservation_op(XENMEM_populate_physmap, list, want, 0), want, "populate_physmap of the freed pfns");
	ok = 1;
	for (long i = 0; i < want; i++) {
		ok &= list[i] < max_ram && machine_to_phys_mapping[list[i]] == first + i;
		p2m[first + i] = list[i];
	}
	check(ok, "populate_physmap returns frames whose M2P entries are the pfns", "mismatch");
	CHECK_RC(cur_res(), r1 + want, "tot_pages goes up by the populated frames");
}

static void test_exchange(void)
{
	unsigned long first = nr_pages - GAP - SPARE;
	xen_pfn_t in[2] = { p2m[first], p2m[first + 1] };
	xen_pfn_t out[2] = { first, first + 1 };
	struct xen_memory_exchange x = {
		.in = { .extent_start = in, .nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF },
		.out = { .extent_start = out, .nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF },
		.nr_exchanged = 0,
	};
	long before = cur_res();
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), 0, "exchange two frames");
	int ok = x.nr_exchanged == 2 && out[0] != out[1];
	for (unsigned int i = 0; i < 2; i++) {
		ok &= out[i] != in[i] && machine_to_phys_mapping[out[i]] == first + i;
		/* An old frame is either free again or came back as the other new one. */
		if (in[i] != out[0] && in[i] != out[1])
			ok &= machine_to_phys_mapping[in[i]] == INVALID_M2P_ENTRY;
		p2m[first + i] = out[i];
	}
	check(ok, "exchange gives new frames with their M2P set and frees the old ones", "nr %lu", x.nr_exchanged);
	CHECK_RC(cur_res(), before, "exchange leaves tot_pages alone");

	/* xen_create_contiguous_region's trade: two single frames for one order-1 extent. */
	xen_pfn_t two[2] = { p2m[first], p2m[first + 1] };
	xen_pfn_t one[1] = { first };
	struct xen_memory_exchange c = {
		.in = { .extent_start = two, .nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF },
		.out = { .extent_start = one, .nr_extents = 1, .extent_order = 1, .domid = DOMID_SELF },
		.nr_exchanged = 0,
	};
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &c), 0, "exchange two frames for one order-1 extent");
	ok = c.nr_exchanged == 2 && (one[0] & 1) == 0 && machine_to_phys_mapping[one[0]] == first &&
	     machine_to_phys_mapping[one[0] + 1] == first + 1;
	check(ok, "the extent is two aligned machine frames, their M2P entries the two pfns", "nr %lu mfn %#lx",
	      c.nr_exchanged, (unsigned long)one[0]);
	p2m[first] = one[0];
	p2m[first + 1] = one[0] + 1;
	CHECK_RC(cur_res(), before, "tot_pages unchanged by the trade");

	xen_pfn_t busy = scratch_mfn, o = first;
	x.in.extent_start = &busy;
	x.in.nr_extents = 1;
	x.out.extent_start = &o;
	x.out.nr_extents = 1;
	x.nr_exchanged = 0;
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), -EINVAL, "exchange of a mapped frame is refused");
	check(x.nr_exchanged == 0, "a refused exchange reports nothing exchanged", "nr %lu", x.nr_exchanged);
}

/* Long batches: the hypervisor stops after a fixed amount of work and the call continues. */
#define LONG 1100
static xen_pfn_t biglist[LONG];

static void test_long_batches(void)
{
	unsigned long first = nr_pages - GAP - SPARE - LONG;
	for (unsigned int i = 0; i < LONG; i++)
		biglist[i] = p2m[first + i];
	long before = cur_res();
	CHECK_RC(reservation_op(XENMEM_decrease_reservation, biglist, LONG, 0), LONG,
		 "a 1100-extent decrease_reservation is continued to the end");
	CHECK_RC(cur_res(), before - LONG, "tot_pages goes down by 1100");
	for (unsigned int i = 0; i < LONG; i++)
		biglist[i] = first + i;
	CHECK_RC(reservation_op(XENMEM_populate_physmap, biglist, LONG, 0), LONG,
		 "a 1100-extent populate_physmap is continued to the end");
	int ok = 1;
	for (unsigned int i = 0; i < LONG; i++) {
		ok &= machine_to_phys_mapping[biglist[i]] == first + i;
		p2m[first + i] = biglist[i];
	}
	check(ok, "every populated frame has its M2P entry", "mismatch");
	CHECK_RC(cur_res(), before, "tot_pages is back");

	/* A continued call inside a multicall. */
	for (unsigned int i = 0; i < LONG; i++)
		biglist[i] = p2m[first + i];
	struct xen_memory_reservation r = {
		.extent_start = biglist, .nr_extents = LONG, .extent_order = 0, .domid = DOMID_SELF,
	};
	multicall_entry_t mc[1] = { { .op = __HYPERVISOR_memory_op, .args = { XENMEM_decrease_reservation, (unsigned long)&r } } };
	CHECK_RC(HYPERVISOR_multicall(mc, 1), 0, "a multicall with a long decrease_reservation");
	check((long)mc[0].result == LONG, "the continued decrease inside a multicall completes", "result %ld",
	      (long)mc[0].result);
	for (unsigned int i = 0; i < LONG; i++)
		biglist[i] = first + i;
	CHECK_RC(reservation_op(XENMEM_populate_physmap, biglist, LONG, 0), LONG, "and populate them again");
	for (unsigned int i = 0; i < LONG; i++)
		p2m[first + i] = biglist[i];
	CHECK_RC(cur_res(), before, "tot_pages is back again");

	/* A long exchange: continued through nr_exchanged. */
	static xen_pfn_t outlist[LONG];
	for (unsigned int i = 0; i < LONG; i++) {
		biglist[i] = p2m[first + i];
		outlist[i] = first + i;
	}
	struct xen_memory_exchange x = {
		.in = { .extent_start = biglist, .nr_extents = LONG, .extent_order = 0, .domid = DOMID_SELF },
		.out = { .extent_start = outlist, .nr_extents = LONG, .extent_order = 0, .domid = DOMID_SELF },
		.nr_exchanged = 0,
	};
	CHECK_RC(HYPERVISOR_memory_op(XENMEM_exchange, &x), 0, "a 1100-frame exchange is continued to the end");
	ok = x.nr_exchanged == LONG;
	for (unsigned int i = 0; i < LONG; i++) {
		ok &= machine_to_phys_mapping[outlist[i]] == first + i;
		p2m[first + i] = outlist[i];
	}
	check(ok, "every exchanged frame has its M2P entry", "nr %lu", x.nr_exchanged);
	CHECK_RC(cur_res(), before, "the long exchange leaves tot_pages alone");
}

/* ---- our own GDT ---- */

#define SEL(idx) (((idx) << 3) | 3)
#define FS_BASE_VAL 0x1000UL

static uint64_t target_word = 0x5a5a5a5a12345678UL;

static void test_gdt(void)
{
	uint64_t *gdt = alloc_page();
	unsigned long mfn = virt_to_mfn(gdt);
	gdt[1] = seg_desc(0, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	gdt[2] = seg_desc(FS_BASE_VAL, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	gdt[3] = seg_desc(0, 0xfffff, DESC_P | DESC_DPL(0) | DESC_S | DESC_CODE_RX, DESC_G | DESC_L);
	gdt[4] = seg_desc(0, 0xfffff, DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB); /* not present */
	gdt[5] = seg_desc(0, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | 0x08, DESC_G | DESC_L);  /* execute-only code */
	unsigned long frames[1] = { mfn };

	CHECK_RC(HYPERVISOR_set_gdt(frames, 16), -EINVAL, "set_gdt with a frame mapped writable");
	CHECK_RC(set_page_writable(gdt, 0), 0, "map the GDT frame read-only");
	CHECK_RC(HYPERVISOR_set_gdt(frames, 16), 0, "set_gdt with a read-only frame of descriptors");
	check(DESC_DPL_OF(gdt[3]) == 3, "set_gdt gives an accepted descriptor DPL 3", "dpl %u", DESC_DPL_OF(gdt[3]));
	CHECK_RC(set_page_writable(gdt, 1), -EBUSY, "a live GDT frame cannot be mapped writable");

	CHECK_RC(load_ds(SEL(1)), 0, "load %ds from our GDT");
	volatile uint64_t *t = &target_word;
	check(*t == 0x5a5a5a5a12345678UL, "memory reads through the new %ds", "%#lx", (unsigned long)*t);
	check(!!(gdt[1] & (1UL << 40)), "the CPU marks the loaded descriptor accessed", "%#lx", (unsigned long)gdt[1]);
	CHECK_RC(load_fs(SEL(2)), 0, "load %fs from our GDT");
	check(read_fs() == SEL(2), "%fs holds the selector", "%#x", read_fs());
	uint64_t via = fs_read64((unsigned long)&target_word - FS_BASE_VAL);
	check(via == target_word, "the descriptor's base applies to %fs accesses", "%#lx", (unsigned long)via);
	CHECK_RC(load_fs(SEL(3)), 0, "a readable code segment loads into %fs");
	CHECK_RC(load_fs(SEL(4)), 11, "a not-present descriptor raises #NP");
	check(last_trap.error_code == (SEL(4) & ~3U), "#NP carries the selector", "error %#lx",
	      (unsigned long)last_trap.error_code);
	CHECK_RC(load_fs(SEL(5)), 13, "an execute-only code segment cannot be loaded into %fs");
	CHECK_RC(load_fs(SEL(600)), 13, "a selector past the installed frames raises #GP");
	CHECK_RC(load_ss(SEL(3)), 13, "a code segment cannot be loaded into %ss");
	CHECK_RC(load_ss(SEL(1)), 0, "our data segment loads into %ss");
	CHECK_RC(load_ss(FLAT_KERNEL_SS), 0, "back to the flat %ss");
	CHECK_RC(load_ss(0), 13, "a null %ss at CPL 3 raises #GP");
	CHECK_RC(load_fs(0xe02b), 0, "Xen's flat data selector 0xE02B loads");
	CHECK_RC(load_fs(0xe033), 0, "Xen's flat code selector 0xE033 loads into %fs");
	CHECK_RC(load_fs(0xe00b), 13, "Xen's ring-0 selector 0xE008 cannot be loaded");

	/* update_descriptor on the live GDT: seen at the next load. */
	uint64_t ma = ((uint64_t)mfn << PAGE_SHIFT) + 6 * 8;
	uint64_t d6 = seg_desc(0x2000, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	CHECK_RC(HYPERVISOR_update_descriptor(ma, d6), 0, "update_descriptor on the live GDT");
	check(gdt[6] == d6, "the descriptor is in the GDT frame", "%#lx", (unsigned long)gdt[6]);
	CHECK_RC(load_fs(SEL(6)), 0, "load the updated selector");
	via = fs_read64((unsigned long)&target_word - 0x2000);
	check(via == target_word, "the updated base applies", "%#lx", (unsigned long)via);
	uint64_t d7 = seg_desc(0, 0xfffff, DESC_P | DESC_DPL(1) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	CHECK_RC(HYPERVISOR_update_descriptor(ma + 8, d7), 0, "update_descriptor with DPL 1");
	check(DESC_DPL_OF(gdt[7]) == 3, "update_descriptor raises the DPL to 3", "%#lx", (unsigned long)gdt[7]);

	/* An ordinary frame takes a descriptor too (Xen lets a kernel prepare a GDT in place). */
	uint64_t *plain = alloc_page();
	CHECK_RC(HYPERVISOR_update_descriptor(((uint64_t)virt_to_mfn(plain) << PAGE_SHIFT) + 8, d6), 0,
		 "update_descriptor on an ordinary frame");
	check(plain[1] == d6, "the ordinary frame holds the descriptor", "%#lx", (unsigned long)plain[1]);

	/* A second GDT of two frames replaces the first. */
	uint64_t *g2 = alloc_page();
	uint64_t *g3 = alloc_page();
	g3[0] = seg_desc(0x3000, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	set_page_writable(g2, 0);
	set_page_writable(g3, 0);
	unsigned long two[2] = { virt_to_mfn(g2), virt_to_mfn(g3) };
	CHECK_RC(load_fs(0), 0, "null %fs");
	CHECK_RC(HYPERVISOR_set_gdt(two, 513), 0, "set_gdt with two frames");
	CHECK_RC(load_fs(SEL(512)), 0, "a selector in the second frame loads");
	via = fs_read64((unsigned long)&target_word - 0x3000);
	check(via == target_word, "its base applies", "%#lx", (unsigned long)via);
	CHECK_RC(load_fs(SEL(2)), 13, "the old GDT is gone (its entry 2 is empty now)");
	CHECK_RC(set_page_writable(gdt, 1), 0, "the old GDT frame can be mapped writable again");

	CHECK_RC(load_ds(0), 0, "null %ds");
	CHECK_RC(load_fs(0), 0, "null %fs again");
	CHECK_RC(HYPERVISOR_set_gdt(NULL, 0), 0, "set_gdt with no entries drops the GDT");
	CHECK_RC(set_page_writable(g2, 1), 0, "the released frames can be mapped writable again");
	set_page_writable(g3, 1);
	CHECK_RC(load_fs(SEL(512)), 13, "with no GDT only Xen's selectors remain");

	/* An LDT (MMUEXT_SET_LDT): selectors with TI set come from it. */
	uint64_t *ldt = alloc_page();
	ldt[1] = seg_desc(0x4000, 0xfffff, DESC_P | DESC_DPL(3) | DESC_S | DESC_DATA_RW, DESC_G | DESC_DB);
	ldt[2] = 0x0000890000000067UL; /* a TSS descriptor: never valid in an LDT */
	set_page_writable(ldt, 0);
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, (unsigned long)ldt, 3), 0, "MMUEXT_SET_LDT with 3 entries");
	CHECK_RC(load_fs((1 << 3) | 4 | 3), 0, "load %fs from the LDT");
	via = fs_read64((unsigned long)&target_word - 0x4000);
	check(via == target_word, "the LDT descriptor's base applies", "%#lx", (unsigned long)via);
	CHECK_RC(load_fs((2 << 3) | 4 | 3), 13, "a system descriptor in the LDT cannot be loaded");
	CHECK_RC(load_fs((3 << 3) | 4 | 3), 13, "a selector past the LDT's entries raises #GP");
	CHECK_RC(load_fs(0), 0, "null %fs after the LDT");
	CHECK_RC(mmuext1(MMUEXT_SET_LDT, 0, 0), 0, "drop the LDT");
	CHECK_RC(load_fs((1 << 3) | 4 | 3), 13, "with no LDT its selectors raise #GP");
}

int main(void)
{
	traps_init();
	p2m = (unsigned long *)start_info_ptr->mfn_list;
	nr_pages = start_info_ptr->nr_pages;
	if (nr_pages < 4096)
		panic("memtest needs at least 16 MiB (has %lu pages)", nr_pages);
	scratch = alloc_page();
	scratch_mfn = virt_to_mfn(scratch);
	test_info();
	test_m2p();
	test_memory_map();
	test_balloon();
	test_exchange();
	test_long_batches();
	test_gdt();
	printk("memtest: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
