// Xen public ABI numbers (xen/include/public/xen.h, errno.h, sched.h, version.h, ...).
// Names are Xen's so they can be grepped side by side with its headers.

// ---- hypercall numbers (public/xen.h) ----
export const __HYPERVISOR_set_trap_table: i32 = 0;
export const __HYPERVISOR_mmu_update: i32 = 1;
export const __HYPERVISOR_set_gdt: i32 = 2;
export const __HYPERVISOR_stack_switch: i32 = 3;
export const __HYPERVISOR_set_callbacks: i32 = 4;
export const __HYPERVISOR_fpu_taskswitch: i32 = 5;
export const __HYPERVISOR_sched_op_compat: i32 = 6;
export const __HYPERVISOR_platform_op: i32 = 7;
export const __HYPERVISOR_set_debugreg: i32 = 8;
export const __HYPERVISOR_get_debugreg: i32 = 9;
export const __HYPERVISOR_update_descriptor: i32 = 10;
export const __HYPERVISOR_memory_op: i32 = 12;
export const __HYPERVISOR_multicall: i32 = 13;
export const __HYPERVISOR_update_va_mapping: i32 = 14;
export const __HYPERVISOR_set_timer_op: i32 = 15;
export const __HYPERVISOR_event_channel_op_compat: i32 = 16;
export const __HYPERVISOR_xen_version: i32 = 17;
export const __HYPERVISOR_console_io: i32 = 18;
export const __HYPERVISOR_physdev_op_compat: i32 = 19;
export const __HYPERVISOR_grant_table_op: i32 = 20;
export const __HYPERVISOR_vm_assist: i32 = 21;
export const __HYPERVISOR_update_va_mapping_otherdomain: i32 = 22;
export const __HYPERVISOR_iret: i32 = 23;
export const __HYPERVISOR_vcpu_op: i32 = 24;
export const __HYPERVISOR_set_segment_base: i32 = 25;
export const __HYPERVISOR_mmuext_op: i32 = 26;
export const __HYPERVISOR_xsm_op: i32 = 27;
export const __HYPERVISOR_nmi_op: i32 = 28;
export const __HYPERVISOR_sched_op: i32 = 29;
export const __HYPERVISOR_callback_op: i32 = 30;
export const __HYPERVISOR_xenoprof_op: i32 = 31;
export const __HYPERVISOR_event_channel_op: i32 = 32;
export const __HYPERVISOR_physdev_op: i32 = 33;
export const NR_HYPERCALLS: i32 = 64;

// ---- errno (public/errno.h; Linux values), returned negated ----
export const EPERM: i64 = 1;
export const ENOENT: i64 = 2;
export const ESRCH: i64 = 3;
export const EINTR: i64 = 4;
export const EIO: i64 = 5;
export const E2BIG: i64 = 7;
export const EAGAIN: i64 = 11;
export const ENOMEM: i64 = 12;
export const EACCES: i64 = 13;
export const EFAULT: i64 = 14;
export const EBUSY: i64 = 16;
export const EEXIST: i64 = 17;
export const ENODEV: i64 = 19;
export const EINVAL: i64 = 22;
export const ENOSPC: i64 = 28;
export const EDOM: i64 = 33;
export const ENOSYS: i64 = 38;
export const ETIME: i64 = 62;
export const EOPNOTSUPP: i64 = 95;

// ---- console_io (public/xen.h) ----
export const CONSOLEIO_write: i32 = 0;
export const CONSOLEIO_read: i32 = 1;

// ---- sched_op (public/sched.h) ----
export const SCHEDOP_yield: i32 = 0;
export const SCHEDOP_block: i32 = 1;
export const SCHEDOP_shutdown: i32 = 2;
export const SCHEDOP_poll: i32 = 3;
export const SCHEDOP_remote_shutdown: i32 = 4;
export const SCHEDOP_shutdown_code: i32 = 5;
export const SCHEDOP_watchdog: i32 = 6;
export const SCHEDOP_pin_override: i32 = 7;

export const SHUTDOWN_poweroff: i32 = 0;
export const SHUTDOWN_reboot: i32 = 1;
export const SHUTDOWN_suspend: i32 = 2;
export const SHUTDOWN_crash: i32 = 3;
export const SHUTDOWN_watchdog: i32 = 4;
export const SHUTDOWN_soft_reset: i32 = 5;

// ---- xen_version (public/version.h) ----
export const XENVER_version: i32 = 0;
export const XENVER_extraversion: i32 = 1;
export const XENVER_compile_info: i32 = 2;
export const XENVER_capabilities: i32 = 3;
export const XENVER_changeset: i32 = 4;
export const XENVER_platform_parameters: i32 = 5;
export const XENVER_get_features: i32 = 6;
export const XENVER_pagesize: i32 = 7;
export const XENVER_guest_handle: i32 = 8;
export const XENVER_commandline: i32 = 9;
export const XENVER_build_id: i32 = 10;

export const XEN_MAJOR: i32 = 4;
export const XEN_MINOR: i32 = 19;

// ---- features (public/features.h) ----
export const XENFEAT_writable_page_tables: i32 = 0;
export const XENFEAT_writable_descriptor_tables: i32 = 1;
export const XENFEAT_auto_translated_physmap: i32 = 2;
export const XENFEAT_supervisor_mode_kernel: i32 = 3;
export const XENFEAT_pae_pgdir_above_4gb: i32 = 4;
export const XENFEAT_mmu_pt_update_preserve_ad: i32 = 5;
export const XENFEAT_highmem_assist: i32 = 6;
export const XENFEAT_gnttab_map_avail_bits: i32 = 7;

// ---- address space (arch-x86/xen-x86_64.h) ----
export const HYPERVISOR_VIRT_START: u64 = 0xffff800000000000;
export const HYPERVISOR_VIRT_END: u64 = 0xffff880000000000;
export const MACH2PHYS_VIRT_START: u64 = 0xffff800000000000;
export const MACH2PHYS_VIRT_END: u64 = 0xffff804000000000;

// ---- selectors (arch-x86/xen-x86_64.h) ----
export const FLAT_KERNEL_CS64: u16 = 0xe033;
export const FLAT_KERNEL_DS64: u16 = 0xe02b;
export const FLAT_KERNEL_SS64: u16 = 0xe02b;
export const FLAT_USER_CS64: u16 = 0xe033;
export const FLAT_USER_DS64: u16 = 0xe02b;
export const FLAT_USER_SS64: u16 = 0xe02b;
export const FLAT_USER_CS32: u16 = 0xe023;

// ---- domain ids (public/xen.h) ----
export const DOMID_SELF: u32 = 0x7ff0;
export const DOMID_IO: u32 = 0x7ff1;
export const DOMID_XEN: u32 = 0x7ff2;
export const DOMID_COW: u32 = 0x7ff3;
export const DOMID_INVALID: u32 = 0x7ff4;
export const DOMID_ANY: u32 = 0x7ff5;
export const DOMID_IDLE: u32 = 0x7fff;
