// Page-type tracking (after Xen's type_info): which frames are validated page tables.
import { ftEntry, FT_TYPE } from "./frames";

export const PGT_none: u64 = 0;
export const PGT_l1_page_table: u64 = 1;
export const PGT_l2_page_table: u64 = 2;
export const PGT_l3_page_table: u64 = 3;
export const PGT_l4_page_table: u64 = 4;
export const PGT_seg_desc_page: u64 = 5;
export const PGT_writable_page: u64 = 7;
export const PGT_TYPE_SHIFT: u64 = 61;
export const PGT_pinned: u64 = <u64>1 << 59;
export const PGT_validated: u64 = <u64>1 << 58;
export const PGT_count_mask: u64 = (<u64>1 << 55) - 1;

@inline export function pageType(mfn: u64): u64 {
  return load<u64>(ftEntry(mfn) + FT_TYPE) >> PGT_TYPE_SHIFT;
}

export function isValidatedL4(mfn: u64): bool {
  const t = load<u64>(ftEntry(mfn) + FT_TYPE);
  return (t >> PGT_TYPE_SHIFT) == PGT_l4_page_table && (t & PGT_validated) != 0;
}
