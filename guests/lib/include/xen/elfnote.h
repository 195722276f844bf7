/*
 * Types of the "Xen" ELF notes a PV kernel carries (see lib/notes.S). Numeric notes take a 1, 2, 4 or
 * 8 byte descriptor; string notes are NUL-terminated. Usable from assembly.
 */
#ifndef XEN_PUBLIC_ELFNOTE_H
#define XEN_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_INFO                0   /* ignored */
#define XEN_ELFNOTE_ENTRY               1   /* virtual entry point (default e_entry) */
#define XEN_ELFNOTE_HYPERCALL_PAGE      2   /* virtual address of the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE           3   /* virtual address of the start of the image */
#define XEN_ELFNOTE_PADDR_OFFSET        4   /* load address = p_paddr + VIRT_BASE - PADDR_OFFSET */
#define XEN_ELFNOTE_XEN_VERSION         5   /* string, must start with "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS            6   /* string */
#define XEN_ELFNOTE_GUEST_VERSION       7   /* string */
#define XEN_ELFNOTE_LOADER              8   /* string, "generic" */
#define XEN_ELFNOTE_PAE_MODE            9   /* "yes", "bimodal" or "no" (32-bit kernels) */
#define XEN_ELFNOTE_FEATURES           10   /* "name|name|!required" */
#define XEN_ELFNOTE_BSD_SYMTAB         11   /* "yes" */
#define XEN_ELFNOTE_HV_START_LOW       12   /* 32-bit hypervisor hole start */
#define XEN_ELFNOTE_L1_MFN_VALID       13   /* mask/value pairs */
#define XEN_ELFNOTE_SUSPEND_CANCEL     14
#define XEN_ELFNOTE_INIT_P2M           15   /* virtual address for the p2m list */
#define XEN_ELFNOTE_MOD_START_PFN      16
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17   /* bitmap of XENFEAT_* */
#define XEN_ELFNOTE_PHYS32_ENTRY       18   /* PVH only */
#define XEN_ELFNOTE_PHYS32_RELOC       19   /* PVH only */

#endif
