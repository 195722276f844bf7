/*
 * Grant tables from the granting and the mapping side (lib/gnttab.c), v1 and v2. The table's
 * frames are mapped over pages of the library's pool; entries are written in the order Xen
 * requires (domid and frame, a barrier, then the flags) and ended only when Xen no longer
 * marks them in use (GTF_reading / GTF_writing, cleared atomically against Xen's updates).
 */
#ifndef GUEST_GNTTAB_H
#define GUEST_GNTTAB_H

#include <stdint.h>
#include <xen/grant_table.h>

/* v2 and the commands the public header above leaves out (xen/include/public/grant_table.h). */
struct grant_entry_header { uint16_t flags; domid_t domid; };
union grant_entry_v2 {
	struct grant_entry_header hdr;
	struct { struct grant_entry_header hdr; uint32_t pad0; uint64_t frame; } full_page;
	struct { struct grant_entry_header hdr; uint16_t page_off; uint16_t length; uint64_t frame; } sub_page;
	struct { struct grant_entry_header hdr; domid_t trans_domid; uint16_t pad0; grant_ref_t gref; } transitive;
	uint32_t __spacer[4];
};
typedef uint16_t grant_status_t;

struct gnttab_set_version { uint32_t version; };
struct gnttab_get_version { domid_t dom; uint16_t pad; uint32_t version; };
struct gnttab_get_status_frames { uint32_t nr_frames; domid_t dom; int16_t status; uint64_t frame_list; };
struct gnttab_unmap_and_replace { uint64_t host_addr; uint64_t new_addr; grant_handle_t handle; int16_t status; };
struct gnttab_swap_grant_ref { grant_ref_t ref_a; grant_ref_t ref_b; int16_t status; };
struct gnttab_transfer { uint64_t mfn; domid_t domid; grant_ref_t ref; int16_t status; };
struct gnttab_cache_flush { uint64_t dev_bus_addr; uint16_t offset; uint16_t length; uint32_t op; };
#define GNTTAB_CACHE_CLEAN 1U
#define GNTTAB_CACHE_INVAL 2U

_Static_assert(sizeof(union grant_entry_v2) == 16, "grant_entry_v2 is 16 bytes");
_Static_assert(sizeof(struct gnttab_get_status_frames) == 16, "get_status_frames is 16 bytes");
_Static_assert(sizeof(struct gnttab_unmap_and_replace) == 24, "unmap_and_replace is 24 bytes");
_Static_assert(sizeof(struct gnttab_swap_grant_ref) == 12, "swap_grant_ref is 12 bytes");
_Static_assert(sizeof(struct gnttab_transfer) == 24, "transfer is 24 bytes");
_Static_assert(sizeof(struct gnttab_cache_flush) == 16, "cache_flush is 16 bytes");

#define GNTTAB_MAX_FRAMES 64

/* Set up the table with nr_frames frames (v1) and map them; 0 or a GNTST_ / -errno value. */
int gnttab_init(unsigned int nr_frames);
/* Grow to nr_frames frames (setup_table again); 0 or an error. */
int gnttab_grow(unsigned int nr_frames);
unsigned int gnttab_nr_frames(void);
unsigned int gnttab_nr_entries(void);
/* Switch to version v (status frames mapped for v2); the hypercall's result. */
int gnttab_set_version(unsigned int v);
unsigned int gnttab_version(void);
/* Unmap the v2 status frames from the guest's view (Xen frees them on a switch back to v1 only
   when nothing maps them). */
void gnttab_unmap_status(void);

/* Let domid access frame (an MFN), read-only or not. */
void gnttab_grant_access(grant_ref_t ref, domid_t domid, unsigned long frame, int readonly);
/* v2 only: a sub-page grant of [off, off + len) for copies. */
void gnttab_grant_sub_page(grant_ref_t ref, domid_t domid, unsigned long frame, unsigned int off, unsigned int len);
/* Offer ref for a transfer from domid. */
void gnttab_grant_transfer(grant_ref_t ref, domid_t domid);
/* Revoke: 0, or -1 when the grant is still in use (the entry is left alone). */
int gnttab_end_access(grant_ref_t ref);
/* GTF_reading / GTF_writing as Xen shows them for ref. */
uint16_t gnttab_in_use(grant_ref_t ref);
/* The raw entry flags (v1 entry or v2 header). */
uint16_t gnttab_flags(grant_ref_t ref);
/* The frame field of an entry (after a transfer). */
uint64_t gnttab_frame(grant_ref_t ref);

/* One map / unmap / copy; each returns the element's status (or the hypercall's -errno). */
int gnttab_map(domid_t dom, grant_ref_t ref, uint64_t host_addr, uint32_t flags, grant_handle_t *handle,
	       uint64_t *bus_addr);
int gnttab_unmap(uint64_t host_addr, uint64_t dev_bus_addr, grant_handle_t handle);
int gnttab_copy1(struct gnttab_copy *op);

#endif
