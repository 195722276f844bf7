/*
 * A hostile PV kernel against grant_table_op: garbage counts and commands, bad pointers,
 * references beyond the table or never granted, foreign and unknown domains, stale and double
 * handles, a host mapping "unmapped" by a device unmap, misaligned and foreign PTE addresses
 * with GNTMAP_contains_pte, a version switch while a grant is in use, and the table's and the
 * maptrack's limits (the test sets them: 4 grant frames, 1 maptrack frame). Each gets Xen's
 * answer; the guest powers off at the end. "self=<domid> victim=<domid of another domain>".
 */
#include "../gntshare/gntcheck.h"

static domid_t self, victim;
static unsigned long foreign_mfn, free_mfn;

static int op(unsigned int cmd, void *uop, unsigned int count)
{
	return HYPERVISOR_grant_table_op(cmd, uop, count);
}

static void batches(void)
{
	struct gnttab_map_grant_ref m = { 0 };
	CHECK_RC(op(GNTTABOP_map_grant_ref, &m, 0x80000000U), -EINVAL, "a negative count");
	CHECK_RC(op(GNTTABOP_map_grant_ref, &m, 0xffffffffU), -EINVAL, "count 0xffffffff");
	CHECK_RC(op(GNTTABOP_map_grant_ref, &m, 0), 0, "count 0 does nothing");
	struct gnttab_setup_table st[2] = { 0 };
	CHECK_RC(op(GNTTABOP_setup_table, st, 2), -EINVAL, "setup_table takes exactly one element");
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	CHECK_RC(op(GNTTABOP_query_size, &q, 0), -EINVAL, "query_size takes exactly one element");
	CHECK_RC(op(13, &m, 1), -ENOSYS, "an unknown command");
	CHECK_RC(op(GNTTABOP_dump_table, &m, 1), -ENOSYS, "dump_table is not offered");
	CHECK_RC(op(GNTTABOP_map_grant_ref | (1U << 12), &m, 1), -EINVAL, "continuation bits on a command that has none");
	CHECK_RC(op(GNTTABOP_map_grant_ref, (void *)0xffff800000000000UL, 1), -EFAULT, "elements in the hypervisor's range");
	CHECK_RC(op(GNTTABOP_copy, (void *)0x100000UL, 1), -EFAULT, "elements at an unmapped address");
	CHECK_RC(op(GNTTABOP_query_size, (void *)0x100000UL, 1), -EFAULT, "query_size at an unmapped address");
	struct gnttab_set_version sv = { .version = 3 };
	CHECK_RC(op(GNTTABOP_set_version, &sv, 1), -EINVAL, "set_version 3");
	CHECK_RC(sv.version, 1, "set_version reports the version kept");
	struct gnttab_get_version gv = { .dom = 999 };
	CHECK_RC(op(GNTTABOP_get_version, &gv, 1), -ESRCH, "get_version of no domain");
	gv.dom = victim;
	CHECK_RC(op(GNTTABOP_get_version, &gv, 1), -EPERM, "get_version of another domain");
	q.dom = victim;
	op(GNTTABOP_query_size, &q, 1);
	CHECK_RC(q.status, GNTST_permission_denied, "query_size of another domain");
	q.dom = 999;
	op(GNTTABOP_query_size, &q, 1);
	CHECK_RC(q.status, GNTST_bad_domain, "query_size of no domain");
	uint64_t list[8];
	struct gnttab_setup_table s1 = { .dom = DOMID_SELF, .nr_frames = 5, .frame_list = list };
	op(GNTTABOP_setup_table, &s1, 1);
	CHECK_RC(s1.status, GNTST_general_error, "setup_table beyond the domain's limit of 4 frames");
	s1.nr_frames = 1;
	s1.frame_list = (xen_pfn_t *)0xffff800000000000UL;
	CHECK_RC(op(GNTTABOP_setup_table, &s1, 1), -EFAULT, "setup_table's frame list in the hypervisor's range");
	s1.frame_list = (xen_pfn_t *)0x100000UL;
	CHECK_RC(op(GNTTABOP_setup_table, &s1, 1), 0, "setup_table's frame list unmapped");
	CHECK_RC(s1.status, GNTST_bad_virt_addr, "is GNTST_bad_virt_addr");
	q.dom = DOMID_SELF;
	op(GNTTABOP_query_size, &q, 1);
	check(q.nr_frames == 1 && q.max_nr_frames == 4, "query_size shows the limit", "nr %u max %u", q.nr_frames,
	      q.max_nr_frames);
}

static void maps(void)
{
	char *data = alloc_page(), *va = alloc_page();
	grant_handle_t h = 0;
	uint64_t bus = 0;
	gnttab_grant_access(8, self, virt_to_mfn(data), 0);
	CHECK_RC(gnttab_map(self, 8, (uint64_t)va, 0, &h, NULL), GNTST_bad_gntref, "map with neither host nor device flag");
	CHECK_RC(gnttab_map(999, 8, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_bad_domain, "map from no domain");
	CHECK_RC(gnttab_map(DOMID_SELF, 8, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_bad_domain,
		 "map from DOMID_SELF (only real ids)");
	CHECK_RC(gnttab_map(self, 4 * 512, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_bad_gntref,
		 "a ref beyond the table");
	CHECK_RC(gnttab_map(self, 0xffffffffU, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_bad_gntref, "ref 0xffffffff");
	CHECK_RC(gnttab_map(self, 9, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_general_error, "a ref never granted");
	CHECK_RC(gnttab_map(victim, 8, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_general_error,
		 "another domain's ref not granted to us");
	gnttab_grant_access(10, victim, virt_to_mfn(data), 0);
	CHECK_RC(gnttab_map(self, 10, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_general_error,
		 "our ref granted to another domain");
	gnttab_grant_access(11, self, foreign_mfn, 0);
	CHECK_RC(gnttab_map(self, 11, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_bad_page,
		 "a grant of a frame we do not own");
	gnttab_grant_access(12, self, 0xfffffff0U, 0);
	CHECK_RC(gnttab_map(self, 12, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_bad_page, "a grant of no frame");
	check(gnttab_in_use(11) == 0 && gnttab_in_use(12) == 0, "failed first pins leave no flags", "%#x %#x",
	      gnttab_flags(11), gnttab_flags(12));
	CHECK_RC(gnttab_map(self, 8, 0xffff800000001000UL, GNTMAP_host_map, &h, NULL), GNTST_general_error,
		 "host_addr in the hypervisor's range");
	CHECK_RC(gnttab_map(self, 8, 0x00007f0000000000UL, GNTMAP_host_map, &h, NULL), GNTST_general_error,
		 "host_addr with no L1 table");
	uint64_t pte = entry_maddr((unsigned long)va, 1, NULL);
	CHECK_RC(gnttab_map(self, 8, pte + 3, GNTMAP_host_map | GNTMAP_contains_pte, &h, NULL), GNTST_general_error,
		 "contains_pte with a misaligned PTE address");
	CHECK_RC(gnttab_map(self, 8, ((uint64_t)foreign_mfn << PAGE_SHIFT) + 8, GNTMAP_host_map | GNTMAP_contains_pte, &h,
			    NULL), GNTST_general_error, "contains_pte with another domain's frame");
	CHECK_RC(gnttab_map(self, 8, ((uint64_t)virt_to_mfn(data) << PAGE_SHIFT) + 8,
			    GNTMAP_host_map | GNTMAP_contains_pte, &h, NULL), GNTST_general_error,
		 "contains_pte with a frame that is not a page table");
	CHECK_RC(gnttab_map(self, 8, ((uint64_t)free_mfn << PAGE_SHIFT), GNTMAP_host_map | GNTMAP_contains_pte, &h,
			    NULL), GNTST_general_error, "contains_pte with a free frame");
	check(gnttab_in_use(8) == 0, "failed maps leave no flags", "%#x", gnttab_flags(8));

	CHECK_RC(gnttab_map(self, 8, (uint64_t)va, GNTMAP_host_map, &h, &bus), GNTST_okay, "a good map");
	CHECK_RC(gnttab_unmap(0, bus, h), GNTST_okay, "unmapping a host mapping through a device unmap does nothing");
	check(!faults(va, 0) && gnttab_in_use(8) == (GTF_reading | GTF_writing), "the host mapping is still there",
	      "flags %#x", gnttab_flags(8));
	CHECK_RC(gnttab_unmap((uint64_t)va, bus + 4096, h), GNTST_general_error, "unmap with the wrong dev_bus_addr");
	CHECK_RC(gnttab_unmap((uint64_t)alloc_page(), 0, h), GNTST_general_error, "unmap at an address that maps something else");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, 0xffffffffU), GNTST_bad_handle, "handle 0xffffffff");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h + 1), GNTST_bad_handle, "a handle never handed out");
	CHECK_RC(HYPERVISOR_update_va_mapping((unsigned long)va, bus | L1_PROT_RO, UVMF_INVLPG), 0,
		 "the guest may downgrade its own PTE of the grant");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_general_error, "then the PTE no longer matches the grant");
	CHECK_RC(HYPERVISOR_update_va_mapping((unsigned long)va, bus | L1_PROT | _PAGE_DIRTY, UVMF_INVLPG), 0,
		 "restore it");
	CHECK_RC(gnttab_set_version(2), -EBUSY, "no version switch while a grant is in use");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "unmap");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_bad_handle, "the stale handle");
	CHECK_RC(gnttab_unmap(0, bus, h), GNTST_bad_handle, "a double unmap");
	check(gnttab_in_use(8) == 0, "nothing left in use", "%#x", gnttab_flags(8));

	/* The maptrack: one frame of 256 entries, one of which the free list always keeps. A
	 * grant's pin counters are 8 bits and stop at 128, so three grants share the maps. */
	grant_handle_t hs[256];
	grant_ref_t refs[3] = { 8, 13, 14 };
	gnttab_grant_access(13, self, virt_to_mfn(data), 1);
	gnttab_grant_access(14, self, virt_to_mfn(va), 1);
	int n = 0, st = 0;
	while (n < 256 && (st = gnttab_map(self, refs[n % 3], 0, GNTMAP_device_map | GNTMAP_readonly, &hs[n], NULL)) ==
			      GNTST_okay)
		n++;
	CHECK_RC(st, GNTST_no_device_space, "maptrack exhaustion");
	CHECK_RC(n, 255, "255 handles in one maptrack frame");
	int bad = 0;
	for (int i = 0; i < n; i++)
		bad += gnttab_unmap(0, (uint64_t)virt_to_mfn(i % 3 == 2 ? va : data) << PAGE_SHIFT, hs[i]) != GNTST_okay;
	CHECK_RC(bad, 0, "every handle unmaps");
	for (n = 0; n < 200; n++)
		if ((st = gnttab_map(self, 8, 0, GNTMAP_device_map | GNTMAP_readonly, &hs[n], NULL)) != GNTST_okay)
			break;
	CHECK_RC(st, GNTST_general_error, "a grant's read-only device pin count stops at 128");
	CHECK_RC(n, 128, "after 128 maps");
	bad = 0;
	for (int i = 0; i < n; i++)
		bad += gnttab_unmap(0, bus, hs[i]) != GNTST_okay;
	CHECK_RC(bad, 0, "they all unmap");
	check(gnttab_in_use(8) == 0 && gnttab_in_use(13) == 0 && gnttab_in_use(14) == 0, "nothing left in use", "%#x",
	      gnttab_flags(8));

	/* 200 maps and 200 unmaps in one call each: both batches are continued to the end. */
	static struct gnttab_map_grant_ref mb[200];
	static struct gnttab_unmap_grant_ref ub[200];
	for (int i = 0; i < 200; i++)
		mb[i] = (struct gnttab_map_grant_ref){ .flags = GNTMAP_device_map | GNTMAP_readonly,
						       .ref = i % 2 ? 13 : 8, .dom = self, .status = 1 };
	CHECK_RC(op(GNTTABOP_map_grant_ref, mb, 200), 0, "a 200-element map batch");
	bad = 0;
	for (int i = 0; i < 200; i++) {
		bad += mb[i].status != 0;
		ub[i] = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = mb[i].dev_bus_addr, .handle = mb[i].handle, .status = 1 };
	}
	CHECK_RC(bad, 0, "every map of the continued batch was done");
	CHECK_RC(op(GNTTABOP_unmap_grant_ref, ub, 200), 0, "a 200-element unmap batch");
	bad = 0;
	for (int i = 0; i < 200; i++)
		bad += ub[i].status != 0;
	CHECK_RC(bad, 0, "every unmap of the continued batch was done");
	check(gnttab_in_use(8) == 0 && gnttab_in_use(13) == 0, "nothing left in use", "%#x %#x", gnttab_flags(8),
	      gnttab_flags(13));

	/* A batch with a bad element: the others are done, each has its status. */
	struct gnttab_map_grant_ref b[3] = {
		{ .host_addr = 0, .flags = GNTMAP_device_map, .ref = 8, .dom = self },
		{ .host_addr = 0, .flags = GNTMAP_device_map, .ref = 9999, .dom = self },
		{ .host_addr = 0, .flags = GNTMAP_device_map, .ref = 8, .dom = 999 },
	};
	CHECK_RC(op(GNTTABOP_map_grant_ref, b, 3), 0, "a batch of three maps");
	check(b[0].status == 0 && b[1].status == GNTST_bad_gntref && b[2].status == GNTST_bad_domain,
	      "each element has its own status", "%d %d %d", b[0].status, b[1].status, b[2].status);
	CHECK_RC(gnttab_unmap(0, b[0].dev_bus_addr, b[0].handle), GNTST_okay, "unmap the one that worked");
}

static void copies(void)
{
	char *a = alloc_page(), *b = alloc_page();
	gnttab_grant_access(20, self, virt_to_mfn(a), 1);
	struct gnttab_copy c = {
		.source = { .u.gmfn = virt_to_mfn(a), .domid = victim }, .dest = { .u.gmfn = virt_to_mfn(b), .domid = DOMID_SELF },
		.len = 8,
	};
	CHECK_RC(gnttab_copy1(&c), GNTST_permission_denied, "copy by frame from another domain's id");
	c.source.domid = DOMID_SELF;
	c.source.u.gmfn = foreign_mfn;
	CHECK_RC(gnttab_copy1(&c), GNTST_bad_page, "copy from a frame we do not own");
	c.source.u.gmfn = free_mfn;
	CHECK_RC(gnttab_copy1(&c), GNTST_bad_page, "copy from a free frame");
	c.source.u.gmfn = virt_to_mfn(a);
	c.dest.u.gmfn = 1UL << 40;
	CHECK_RC(gnttab_copy1(&c), GNTST_bad_page, "copy to a frame beyond memory");
	c.dest.u.gmfn = virt_to_mfn(b);
	c.flags = GNTCOPY_source_gref;
	c.source.u.ref = 20;
	c.source.domid = 999;
	CHECK_RC(gnttab_copy1(&c), GNTST_bad_domain, "copy from a grant of no domain");
	c.source.domid = self;
	c.source.u.ref = 99999;
	CHECK_RC(gnttab_copy1(&c), GNTST_bad_gntref, "copy from a ref beyond the table");
	c.source.u.ref = 20;
	c.source.offset = 4095;
	c.len = 2;
	CHECK_RC(gnttab_copy1(&c), GNTST_bad_copy_arg, "copy across the end of the page");
	c.source.offset = 0;
	c.flags = GNTCOPY_dest_gref;
	c.source.u.gmfn = virt_to_mfn(b);
	c.source.domid = DOMID_SELF;
	c.dest.u.ref = 20;
	c.dest.domid = self;
	CHECK_RC(gnttab_copy1(&c), GNTST_general_error, "copy into a read-only grant");
	check(gnttab_in_use(20) == 0, "no flags left behind", "%#x", gnttab_flags(20));

	/* 300 copies: the batch is continued and every element is done. */
	static struct gnttab_copy many[300];
	for (int i = 0; i < 300; i++) {
		many[i] = (struct gnttab_copy){
			.source = { .u.ref = 20, .domid = self, .offset = (uint16_t)i },
			.dest = { .u.gmfn = virt_to_mfn(b), .domid = DOMID_SELF, .offset = (uint16_t)(i + 1) },
			.len = 1, .flags = GNTCOPY_source_gref, .status = 1,
		};
	}
	CHECK_RC(op(GNTTABOP_copy, many, 300), 0, "a 300-element copy batch");
	int bad = 0;
	for (int i = 0; i < 300; i++)
		bad += many[i].status != 0;
	CHECK_RC(bad, 0, "every element of the continued batch was done");
}

static void misc(void)
{
	struct gnttab_cache_flush cf = { .dev_bus_addr = (uint64_t)free_mfn << PAGE_SHIFT, .length = 8, .op = GNTTAB_CACHE_CLEAN };
	CHECK_RC(op(GNTTABOP_cache_flush, &cf, 1), -EPERM, "cache_flush of a free frame");
	cf.dev_bus_addr = 1UL << 52;
	CHECK_RC(op(GNTTABOP_cache_flush, &cf, 1), -EINVAL, "cache_flush beyond memory");
	cf.dev_bus_addr = (uint64_t)foreign_mfn << PAGE_SHIFT;
	CHECK_RC(op(GNTTABOP_cache_flush, &cf, 1), -EINVAL, "cache_flush of another domain's frame not granted to us");
	cf.dev_bus_addr = 0;
	for (unsigned long m = 0; m < 64; m++) {
		cf.dev_bus_addr = m << PAGE_SHIFT;
		int rc = op(GNTTABOP_cache_flush, &cf, 1);
		if (rc != -EINVAL && rc != -EPERM && rc != 0) {
			check(0, "cache_flush of any low frame gets an error or 0", "mfn %#lx rc %d", m, rc);
			break;
		}
	}
	cf.length = 4097;
	CHECK_RC(op(GNTTABOP_cache_flush, &cf, 1), -EINVAL, "cache_flush longer than a page");
	cf.length = 8;
	cf.offset = 4090;
	CHECK_RC(op(GNTTABOP_cache_flush, &cf, 1), -EINVAL, "cache_flush across the end of the page");
	cf.offset = 0;
	cf.op = 1U << 31;
	CHECK_RC(op(GNTTABOP_cache_flush, &cf, 1), -EINVAL, "cache_flush with GNTTAB_CACHE_SOURCE_GREF");
	cf.op = 0;
	CHECK_RC(op(GNTTABOP_cache_flush | (1U << 12), &cf, 1), -EILSEQ, "an empty cache_flush with a stale position");

	struct gnttab_swap_grant_ref sw = { .ref_a = 8, .ref_b = 99999 };
	op(GNTTABOP_swap_grant_ref, &sw, 1);
	CHECK_RC(sw.status, GNTST_bad_gntref, "swap with a ref beyond the table");
	grant_handle_t h;
	gnttab_map(self, 8, 0, GNTMAP_device_map | GNTMAP_readonly, &h, NULL);
	sw.ref_b = 9;
	op(GNTTABOP_swap_grant_ref, &sw, 1);
	CHECK_RC(sw.status, GNTST_eagain, "swap of a ref in use");

	struct gnttab_transfer tr = { .mfn = 1UL << 40, .domid = self, .ref = 30 };
	op(GNTTABOP_transfer, &tr, 1);
	CHECK_RC(tr.status, GNTST_bad_page, "transfer of no frame");
	tr.mfn = foreign_mfn;
	op(GNTTABOP_transfer, &tr, 1);
	CHECK_RC(tr.status, GNTST_bad_page, "transfer of another domain's frame");
	/* h stays mapped: the test checks the frame table with a device mapping outstanding. */
	(void)h;
}

int main(void)
{
	traps_init();
	self = (domid_t)cmdline_num("self", 0);
	victim = (domid_t)cmdline_num("victim", 0);
	m2p_find_targets(&foreign_mfn, &free_mfn);
	check(foreign_mfn && free_mfn, "found another domain's frame and a free frame", "%#lx %#lx", foreign_mfn, free_mfn);
	CHECK_RC(gnttab_init(1), 0, "setup_table and map the table");
	batches();
	maps();
	copies();
	misc();
	summary("gnthostile");
	return 0;
}
