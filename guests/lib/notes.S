/*
 * The "Xen" ELF notes that tell the domain builder how to load this kernel. Each note is
 * namesz, descsz, type (4 bytes each), the name "Xen\0", then the descriptor, both padded to 4 bytes.
 * Numeric descriptors are 8 bytes; strings are NUL-terminated.
 */
#include <xen/elfnote.h>

/* Must match VIRT_BASE in guest.lds (and in <kernel.h>). */
#define VIRT_BASE 0xffffffff80000000

/* A string note: the descriptor is the NUL-terminated string. */
.macro xen_note_str type, str
	.balign 4
	.long	.Lname_end\@ - .Lname\@
	.long	.Ldesc_end\@ - .Ldesc\@
	.long	\type
.Lname\@:
	.asciz	"Xen"
.Lname_end\@:
	.balign 4
.Ldesc\@:
	.asciz	"\str"
.Ldesc_end\@:
	.balign 4
.endm

/* A numeric note: an 8-byte descriptor. */
.macro xen_note_num type, value
	.balign 4
	.long	.Lname_end\@ - .Lname\@
	.long	.Ldesc_end\@ - .Ldesc\@
	.long	\type
.Lname\@:
	.asciz	"Xen"
.Lname_end\@:
	.balign 4
.Ldesc\@:
	.quad	\value
.Ldesc_end\@:
	.balign 4
.endm

	.section .note.Xen, "a", @note
	.balign 4

	xen_note_str XEN_ELFNOTE_GUEST_OS,       "xenwasm-minios"
	xen_note_str XEN_ELFNOTE_GUEST_VERSION,  "0.1"
	xen_note_str XEN_ELFNOTE_XEN_VERSION,    "xen-3.0"
	xen_note_str XEN_ELFNOTE_LOADER,         "generic"
	xen_note_num XEN_ELFNOTE_VIRT_BASE,      VIRT_BASE
	xen_note_num XEN_ELFNOTE_PADDR_OFFSET,   VIRT_BASE	/* so p_paddr (== p_vaddr) is the load address */
	xen_note_num XEN_ELFNOTE_ENTRY,          _start
	xen_note_num XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
	/* Nothing required: page tables stay read-only and are changed with mmu_update. */
	xen_note_str XEN_ELFNOTE_FEATURES,       "pae_pgdir_above_4gb"
	xen_note_str XEN_ELFNOTE_PAE_MODE,       "yes"
