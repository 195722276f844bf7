/*
 * Grant tables for a PV guest: setup_table hands back the machine frames of the table, which
 * the guest maps over pages of its own (update_va_mapping replaces the pool page's frame).
 */
#include <lib.h>
#include <mm.h>
#include <gnttab.h>

static void *frames[GNTTAB_MAX_FRAMES];
static grant_status_t *status_frames[GNTTAB_MAX_FRAMES / 8];
static unsigned int nr_frames, nr_status, version = 1;

static int map_frame(void **slot, unsigned long mfn)
{
	if (!*slot) {
		*slot = alloc_page();
		if (!*slot)
			return -ENOMEM;
	}
	return HYPERVISOR_update_va_mapping((unsigned long)*slot, (mfn << PAGE_SHIFT) | L1_PROT | _PAGE_DIRTY,
					    UVMF_INVLPG);
}

static int setup(unsigned int n)
{
	static uint64_t list[GNTTAB_MAX_FRAMES];
	struct gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = n, .frame_list = list };
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &op, 1);
	if (rc)
		return rc;
	if (op.status)
		return op.status;
	for (unsigned int i = nr_frames; i < n; i++) {
		rc = map_frame(&frames[i], list[i]);
		if (rc)
			return rc;
	}
	if (n > nr_frames)
		nr_frames = n;
	return 0;
}

static int map_status(void)
{
	static uint64_t list[GNTTAB_MAX_FRAMES / 8];
	unsigned int want = (nr_frames * 256 + 2047) / 2048;
	struct gnttab_get_status_frames op = { .nr_frames = want, .dom = DOMID_SELF, .frame_list = (uint64_t)list };
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &op, 1);
	if (rc)
		return rc;
	if (op.status)
		return op.status;
	for (unsigned int i = 0; i < want; i++) {
		rc = map_frame((void **)&status_frames[i], list[i]);
		if (rc)
			return rc;
	}
	nr_status = want;
	return 0;
}

int gnttab_init(unsigned int n)
{
	return setup(n ? n : 1);
}

int gnttab_grow(unsigned int n)
{
	int rc = setup(n);
	if (rc == 0 && version == 2)
		rc = map_status();
	return rc;
}

unsigned int gnttab_nr_frames(void) { return nr_frames; }
unsigned int gnttab_version(void) { return version; }

unsigned int gnttab_nr_entries(void)
{
	return nr_frames * (version == 1 ? 512 : 256);
}

void gnttab_unmap_status(void)
{
	for (unsigned int i = 0; i < nr_status; i++)
		HYPERVISOR_update_va_mapping((unsigned long)status_frames[i], 0, UVMF_INVLPG);
	nr_status = 0;
}

int gnttab_set_version(unsigned int v)
{
	struct gnttab_set_version op = { .version = v };
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_set_version, &op, 1);
	unsigned int was = version;
	version = op.version;
	if (rc == 0 && version == 2 && was != 2)
		rc = map_status();
	return rc;
}

static grant_entry_v1_t *v1(grant_ref_t ref)
{
	return (grant_entry_v1_t *)frames[ref / 512] + ref % 512;
}

static union grant_entry_v2 *v2(grant_ref_t ref)
{
	return (union grant_entry_v2 *)frames[ref / 256] + ref % 256;
}

static volatile uint16_t *flags_of(grant_ref_t ref)
{
	return version == 1 ? &v1(ref)->flags : &v2(ref)->hdr.flags;
}

static volatile uint16_t *status_of(grant_ref_t ref)
{
	return version == 1 ? &v1(ref)->flags : &status_frames[ref / 2048][ref % 2048];
}

void gnttab_grant_access(grant_ref_t ref, domid_t domid, unsigned long frame, int readonly)
{
	if (version == 1) {
		v1(ref)->domid = domid;
		v1(ref)->frame = (uint32_t)frame;
	} else {
		v2(ref)->hdr.domid = domid;
		v2(ref)->full_page.frame = frame;
	}
	asm volatile("sfence" ::: "memory");
	*flags_of(ref) = GTF_permit_access | (readonly ? GTF_readonly : 0);
}

void gnttab_grant_sub_page(grant_ref_t ref, domid_t domid, unsigned long frame, unsigned int off, unsigned int len)
{
	v2(ref)->hdr.domid = domid;
	v2(ref)->sub_page.page_off = (uint16_t)off;
	v2(ref)->sub_page.length = (uint16_t)len;
	v2(ref)->sub_page.frame = frame;
	asm volatile("sfence" ::: "memory");
	v2(ref)->hdr.flags = GTF_permit_access | GTF_sub_page;
}

void gnttab_grant_transfer(grant_ref_t ref, domid_t domid)
{
	if (version == 1) {
		v1(ref)->domid = domid;
		v1(ref)->frame = 0;
	} else {
		v2(ref)->hdr.domid = domid;
		v2(ref)->full_page.frame = 0;
	}
	asm volatile("sfence" ::: "memory");
	*flags_of(ref) = GTF_accept_transfer;
}

uint16_t gnttab_in_use(grant_ref_t ref)
{
	return *status_of(ref) & (GTF_reading | GTF_writing);
}

uint16_t gnttab_flags(grant_ref_t ref)
{
	return *flags_of(ref);
}

uint64_t gnttab_frame(grant_ref_t ref)
{
	return version == 1 ? v1(ref)->frame : v2(ref)->full_page.frame;
}

int gnttab_end_access(grant_ref_t ref)
{
	volatile uint16_t *f = flags_of(ref);
	if (version == 2) {
		/* v2: clear the entry, then make sure Xen did not start using it meanwhile. */
		if (gnttab_in_use(ref))
			return -1;
		*f = 0;
		asm volatile("mfence" ::: "memory");
		return gnttab_in_use(ref) ? -1 : 0;
	}
	uint16_t old = *f;
	for (;;) {
		if (old & (GTF_reading | GTF_writing))
			return -1;
		uint16_t seen;
		asm volatile("lock cmpxchgw %w2, %1" : "=a"(seen), "+m"(*f) : "r"((uint16_t)0), "0"(old) : "memory");
		if (seen == old)
			return 0;
		old = seen;
	}
}

int gnttab_map(domid_t dom, grant_ref_t ref, uint64_t host_addr, uint32_t flags, grant_handle_t *handle,
	       uint64_t *bus_addr)
{
	struct gnttab_map_grant_ref op = { .host_addr = host_addr, .flags = flags, .ref = ref, .dom = dom };
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
	if (rc)
		return rc;
	if (op.status != GNTST_okay)
		return op.status;
	if (handle)
		*handle = op.handle;
	if (bus_addr)
		*bus_addr = op.dev_bus_addr;
	return op.status;
}

int gnttab_unmap(uint64_t host_addr, uint64_t dev_bus_addr, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref op = { .host_addr = host_addr, .dev_bus_addr = dev_bus_addr, .handle = handle };
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
	return rc ? rc : op.status;
}

int gnttab_copy1(struct gnttab_copy *op)
{
	int rc = HYPERVISOR_grant_table_op(GNTTABOP_copy, op, 1);
	return rc ? rc : op->status;
}
