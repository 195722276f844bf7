// Struct layouts of the x86-64 PV ABI (public/xen.h, arch-x86/xen.h): byte offsets.
// The single source of these numbers for the core; test/abi.test.ts checks them against
// the C structs of guests/lib.

// start_info (1168 bytes)
export const START_INFO_SIZE: u32 = 1168;
export const SI_magic: u32 = 0;
export const SI_nr_pages: u32 = 32;
export const SI_shared_info: u32 = 40;
export const SI_flags: u32 = 48;
export const SI_store_mfn: u32 = 56;
export const SI_store_evtchn: u32 = 64;
export const SI_console_mfn: u32 = 72;
export const SI_console_evtchn: u32 = 80;
export const SI_pt_base: u32 = 88;
export const SI_nr_pt_frames: u32 = 96;
export const SI_mfn_list: u32 = 104;
export const SI_mod_start: u32 = 112;
export const SI_mod_len: u32 = 120;
export const SI_cmd_line: u32 = 128;
export const SI_first_p2m_pfn: u32 = 1152;
export const SI_nr_p2m_frames: u32 = 1160;

// vcpu_info (64 bytes) inside shared_info
export const VCPU_INFO_SIZE: u32 = 64;
export const VI_evtchn_upcall_pending: u32 = 0;
export const VI_evtchn_upcall_mask: u32 = 1;
export const VI_evtchn_pending_sel: u32 = 8;
export const VI_arch_cr2: u32 = 16;
export const VI_time: u32 = 32;

// shared_info
export const XEN_LEGACY_MAX_VCPUS: u32 = 32;
export const SH_vcpu_info: u32 = 0;
export const SH_evtchn_pending: u32 = 2048;
export const SH_evtchn_mask: u32 = 2560;
export const SH_wc_version: u32 = 3072;
export const SH_wc_sec: u32 = 3076;
export const SH_wc_nsec: u32 = 3080;
export const SH_wc_sec_hi: u32 = 3084;
export const SH_arch_max_pfn: u32 = 3088;

// trap_info (16 bytes)
export const TRAP_INFO_SIZE: u32 = 16;
