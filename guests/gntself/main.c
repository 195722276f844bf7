/*
 * One domain using every grant operation on its own grants (the command line gives its domid:
 * "self=<domid>"): host and device mappings read-write and read-only, by linear address and
 * by PTE address, what each mapping holds (a writable mapping keeps the frame from becoming a
 * page table; a read-only one does not), copies both ways, unmap_and_replace, swap, transfer,
 * cache_flush, growing the table, and switching v1 -> v2 -> v1.
 */
#include "../gntshare/gntcheck.h"

static domid_t self;

static int pin_l1(void *page)
{
	return mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(page), 0);
}

static void mappings(void)
{
	char *data = alloc_page(), *va = alloc_page(), *vb = alloc_page();
	grant_handle_t h, h2;
	uint64_t bus = 0;
	strcpy(data, "self grant");
	gnttab_grant_access(8, self, virt_to_mfn(data), 0);
	CHECK_RC(gnttab_map(self, 8, (uint64_t)va, GNTMAP_host_map, &h, &bus), GNTST_okay, "map our own grant read-write");
	check(bus == (uint64_t)virt_to_mfn(data) << PAGE_SHIFT, "dev_bus_addr is the frame's machine address", "%#lx", bus);
	check(!strcmp(va, "self grant"), "the mapping shows the granted page", "'%s'", va);
	strcpy(va + 100, "through the grant");
	check(!strcmp(data + 100, "through the grant"), "a write through the mapping lands in the page", "'%s'", data + 100);
	check(gnttab_in_use(8) == (GTF_reading | GTF_writing), "GTF_reading|GTF_writing while mapped", "%#x", gnttab_flags(8));
	CHECK_RC(gnttab_end_access(8), -1, "end_access refused while mapped");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "unmap");
	check(gnttab_in_use(8) == 0, "flags clear after the unmap", "%#x", gnttab_flags(8));
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_bad_handle, "unmapping the same handle again");

	/* A writable grant mapping holds the writable type: the frame cannot become a table. */
	char *t = alloc_page();
	set_page_writable(t, 0);
	gnttab_grant_access(9, self, virt_to_mfn(t), 0);
	CHECK_RC(gnttab_map(self, 9, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_okay, "map a frame read-write");
	CHECK_RC(pin_l1(t), -EINVAL, "a frame mapped writable through a grant cannot be pinned as an L1");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "unmap it");
	CHECK_RC(pin_l1(t), 0, "after the unmap it can be pinned");
	CHECK_RC(gnttab_map(self, 9, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_general_error,
		 "a pinned page table cannot be grant-mapped writable");
	CHECK_RC(gnttab_map(self, 9, (uint64_t)va, GNTMAP_host_map | GNTMAP_readonly, &h, NULL), GNTST_okay,
		 "but read-only it can");
	check(faults(va, 1), "a write through the read-only mapping faults", "no fault");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "unmap the read-only mapping");
	CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(t), 0), 0, "unpin: the read-only mapping took no type");

	/* Host and device mapping in one handle, taken down in two unmaps. */
	CHECK_RC(gnttab_map(self, 8, (uint64_t)va, GNTMAP_host_map | GNTMAP_device_map, &h, &bus), GNTST_okay,
		 "map host and device together");
	CHECK_RC(gnttab_unmap(0, bus, h), GNTST_okay, "device unmap first");
	check(!strcmp(va, "self grant"), "the host mapping stays", "'%s'", va);
	check(gnttab_in_use(8) == (GTF_reading | GTF_writing), "still in use", "%#x", gnttab_flags(8));
	CHECK_RC(gnttab_unmap(0, bus, h), GNTST_okay, "a second device unmap finds nothing left to do");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "host unmap");
	check(gnttab_in_use(8) == 0, "now it is free", "%#x", gnttab_flags(8));

	/* Two handles on one grant: read-only and read-write. */
	CHECK_RC(gnttab_map(self, 8, (uint64_t)vb, GNTMAP_host_map | GNTMAP_readonly, &h2, NULL), GNTST_okay, "map read-only");
	check(gnttab_in_use(8) == GTF_reading, "only GTF_reading", "%#x", gnttab_flags(8));
	CHECK_RC(gnttab_map(self, 8, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_okay, "and read-write");
	check(gnttab_in_use(8) == (GTF_reading | GTF_writing), "GTF_writing joins", "%#x", gnttab_flags(8));
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "drop the writable one");
	check(gnttab_in_use(8) == GTF_reading, "GTF_writing goes with it", "%#x", gnttab_flags(8));
	CHECK_RC(gnttab_unmap((uint64_t)vb, 0, h2), GNTST_okay, "drop the read-only one");

	/* GNTMAP_contains_pte: the guest names the PTE by machine address. */
	uint64_t pte = entry_maddr((unsigned long)va, 1, NULL);
	CHECK_RC(gnttab_map(self, 8, pte, GNTMAP_host_map | GNTMAP_contains_pte, &h, NULL), GNTST_okay,
		 "map into a PTE named by machine address");
	HYPERVISOR_mmuext_op(&(struct mmuext_op){ .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = (unsigned long)va }, 1,
			     NULL, DOMID_SELF);
	check(!strcmp(va, "self grant"), "the PTE maps the grant", "'%s'", va);
	CHECK_RC(gnttab_unmap(pte, 0, h), GNTST_okay, "unmap by PTE address");

	/* unmap_and_replace: the entry of new_addr moves to host_addr. */
	CHECK_RC(gnttab_map(self, 8, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_okay, "map for unmap_and_replace");
	char *spare = alloc_page();
	strcpy(spare, "the spare page");
	struct gnttab_unmap_and_replace ur = { .host_addr = (uint64_t)va, .new_addr = (uint64_t)spare, .handle = h };
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_unmap_and_replace, &ur, 1), 0, "unmap_and_replace");
	CHECK_RC(ur.status, GNTST_okay, "unmap_and_replace status");
	check(!strcmp(va, "the spare page"), "host_addr now maps what new_addr mapped", "'%s'", va);
	check(faults(spare, 0), "new_addr is unmapped", "no fault");
	check(gnttab_in_use(8) == 0, "the grant is free", "%#x", gnttab_flags(8));
}

static void copies(void)
{
	char *src = alloc_page(), *dst = alloc_page();
	strcpy(src + 10, "copy source");
	gnttab_grant_access(11, self, virt_to_mfn(src), 1);
	gnttab_grant_access(12, self, virt_to_mfn(dst), 0);
	struct gnttab_copy c = {
		.source = { .u.ref = 11, .domid = self, .offset = 10 }, .dest = { .u.ref = 12, .domid = self, .offset = 20 },
		.len = 12, .flags = GNTCOPY_source_gref | GNTCOPY_dest_gref,
	};
	CHECK_RC(gnttab_copy1(&c), GNTST_okay, "copy grant to grant");
	check(!strcmp(dst + 20, "copy source"), "the bytes arrived", "'%s'", dst + 20);
	c.source.u.gmfn = virt_to_mfn(dst);
	c.source.domid = DOMID_SELF;
	c.source.offset = 20;
	c.dest.u.ref = 11;
	c.dest.offset = 0;
	c.flags = GNTCOPY_dest_gref;
	CHECK_RC(gnttab_copy1(&c), GNTST_general_error, "copy into a read-only grant");
	c.dest.u.ref = 12;
	c.dest.offset = 4000;
	c.len = 100;
	CHECK_RC(gnttab_copy1(&c), GNTST_bad_copy_arg, "copy past the end of the page");
	check(gnttab_in_use(11) == 0 && gnttab_in_use(12) == 0, "copies leave no flags behind", "%#x %#x",
	      gnttab_flags(11), gnttab_flags(12));
}

static void others(void)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1), 0, "query_size");
	check(q.status == 0 && q.nr_frames == 1 && q.max_nr_frames == 64, "one frame of 64", "status %d nr %u max %u",
	      q.status, q.nr_frames, q.max_nr_frames);

	char *p = alloc_page(), *r = alloc_page();
	gnttab_grant_access(20, self, virt_to_mfn(p), 0);
	gnttab_grant_access(21, self, virt_to_mfn(r), 1);
	struct gnttab_swap_grant_ref s = { .ref_a = 20, .ref_b = 21 };
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_swap_grant_ref, &s, 1), 0, "swap_grant_ref");
	check(s.status == 0 && (gnttab_flags(20) & GTF_readonly) && !(gnttab_flags(21) & GTF_readonly), "entries swapped",
	      "status %d flags %#x %#x", s.status, gnttab_flags(20), gnttab_flags(21));

	struct gnttab_cache_flush cf = { .dev_bus_addr = (uint64_t)virt_to_mfn(p) << PAGE_SHIFT, .offset = 0, .length = 64,
					 .op = GNTTAB_CACHE_CLEAN };
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_cache_flush, &cf, 1), 0, "cache_flush clean of our own frame");
	cf.op = GNTTAB_CACHE_INVAL;
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_cache_flush, &cf, 1), -EOPNOTSUPP, "x86 cannot only invalidate");

	/* transfer a frame to ourselves: it must be unused, so its mapping goes first. */
	char *gift = alloc_page();
	unsigned long gmfn = virt_to_mfn(gift);
	HYPERVISOR_update_va_mapping((unsigned long)gift, 0, UVMF_INVLPG);
	gnttab_grant_transfer(30, self);
	struct gnttab_transfer tr = { .mfn = gmfn, .domid = self, .ref = 30 };
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_transfer, &tr, 1), 0, "transfer");
	check(tr.status == 0 && gnttab_frame(30) == gmfn &&
	      gnttab_flags(30) == (GTF_accept_transfer | GTF_transfer_committed | GTF_transfer_completed),
	      "the transferred frame is reported in the entry", "status %d frame %#lx flags %#x", tr.status,
	      (unsigned long)gnttab_frame(30), gnttab_flags(30));
	tr.mfn = virt_to_mfn(p);
	tr.ref = 31;
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_transfer, &tr, 1), 0, "transfer of a mapped frame");
	CHECK_RC(tr.status, GNTST_bad_page, "a frame still in use cannot be transferred");
}

static void growth(void)
{
	CHECK_RC(gnttab_grow(4), 0, "grow the table to 4 frames");
	struct gnttab_query_size q = { .dom = DOMID_SELF };
	HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1);
	CHECK_RC(q.nr_frames, 4, "query_size sees 4 frames");
	char *p = alloc_page(), *va = alloc_page();
	grant_handle_t h;
	strcpy(p, "last ref");
	grant_ref_t last = 4 * 512 - 1;
	gnttab_grant_access(last, self, virt_to_mfn(p), 0);
	CHECK_RC(gnttab_map(self, last, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_okay, "map the last ref of the new frames");
	check(!strcmp(va, "last ref"), "it maps the page", "'%s'", va);
	CHECK_RC(gnttab_map(self, last + 1, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_bad_gntref, "one past the end");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "unmap it");
	CHECK_RC(gnttab_end_access(last), 0, "end it");
}

static void versions(void)
{
	char *p = alloc_page(), *va = alloc_page();
	grant_handle_t h;
	CHECK_RC(gnttab_set_version(2), 0, "switch to v2");
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	CHECK_RC(HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1), 0, "get_version");
	CHECK_RC(gv.version, 2, "version 2");
	strcpy(p, "v2 grant");
	gnttab_grant_access(40, self, virt_to_mfn(p), 0);
	CHECK_RC(gnttab_map(self, 40, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_okay, "map a v2 grant");
	check(!strcmp(va, "v2 grant"), "it maps the page", "'%s'", va);
	check(gnttab_in_use(40) == (GTF_reading | GTF_writing) && gnttab_flags(40) == GTF_permit_access,
	      "v2 keeps GTF_reading|GTF_writing in the status frame", "status %#x flags %#x", gnttab_in_use(40),
	      gnttab_flags(40));
	CHECK_RC(gnttab_set_version(1), -EBUSY, "no switch back while a grant is mapped");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "unmap the v2 grant");
	CHECK_RC(gnttab_end_access(40), 0, "end it");

	gnttab_grant_sub_page(41, self, virt_to_mfn(p), 0, 16);
	char *dst = alloc_page();
	struct gnttab_copy c = {
		.source = { .u.ref = 41, .domid = self, .offset = 0 }, .dest = { .u.gmfn = virt_to_mfn(dst), .domid = DOMID_SELF },
		.len = 9, .flags = GNTCOPY_source_gref,
	};
	CHECK_RC(gnttab_copy1(&c), GNTST_okay, "copy inside a sub-page grant");
	check(!strcmp(dst, "v2 grant"), "the bytes arrived", "'%s'", dst);
	c.source.offset = 10;
	CHECK_RC(gnttab_copy1(&c), GNTST_general_error, "copy beyond a sub-page grant");
	CHECK_RC(gnttab_map(self, 41, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_general_error,
		 "a sub-page grant cannot be mapped");

	CHECK_RC(gnttab_set_version(1), -EBUSY, "no switch back while we map the status frames");
	gnttab_unmap_status();
	CHECK_RC(gnttab_set_version(1), 0, "switch back to v1 once they are unmapped");
	gv.version = 0;
	HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1);
	CHECK_RC(gv.version, 1, "version 1 again");
	struct gnttab_get_status_frames sf = { .nr_frames = 1, .dom = DOMID_SELF };
	HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &sf, 1);
	CHECK_RC(sf.status, GNTST_general_error, "v1 has no status frames");
	gnttab_grant_access(8, self, virt_to_mfn(p), 0);
	CHECK_RC(gnttab_map(self, 8, (uint64_t)va, GNTMAP_host_map, &h, NULL), GNTST_okay, "v1 grants work again");
	CHECK_RC(gnttab_unmap((uint64_t)va, 0, h), GNTST_okay, "and unmap");
}

int main(void)
{
	traps_init();
	self = (domid_t)cmdline_num("self", 0);
	CHECK_RC(gnttab_init(1), 0, "setup_table and map the table");
	mappings();
	copies();
	others();
	growth();
	versions();
	summary("gntself");
	return 0;
}
