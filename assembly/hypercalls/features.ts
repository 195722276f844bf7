import { XENFEAT_mmu_pt_update_preserve_ad } from "../abi/xen";

// XENVER_get_features: the XENFEAT_* bits this hypervisor really provides (public/features.h).
// A bit is added here only together with the feature.
export function featureSubmap(idx: u32): u32 {
  if (idx != 0) return 0;
  // mmu_update honours MMU_PT_UPDATE_PRESERVE_AD (hypercalls/mmu_update.ts). Xen reports
  // writable_page_tables only to translated guests; a PV guest asks for the assist instead.
  return 1 << XENFEAT_mmu_pt_update_preserve_ad;
}
