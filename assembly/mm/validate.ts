// Page types and reference counts (after Xen's get_page/get_page_type in xen/arch/x86/mm.c).
//
// Every frame has a general count (FT_COUNT: mappings, pins, base pointers, transient holds)
// and a type_info word: the frame's current use and how many holders rely on that use. A frame
// changes use only when its type count is zero, and a page-table use (L1..L4) is validated the
// moment the count leaves zero: every present entry is checked and takes references on what it
// points to, recursively and on demand. When the count drops back to zero the table is
// de-validated and those references are released. So a page-table frame can never be mapped
// writable (that needs the writable type) and a writable-mapped frame can never become a table.
//
// type_info layout (our own packing of Xen's fields):
//   63:61 type   59 pinned   58 validated   57:48 holds   47:32 linear_pt_count (i16)
//   31:0 type count
// holds: references taken with holdPage by the hypervisor itself (a frame it writes into),
// counted apart so the invariant checker can account for them.
// linear_pt_count > 0: this table holds that many linear (same-level) entries;
// linear_pt_count < 0: this table is mapped by that many linear entries elsewhere.
import { ftEntry, FT_TYPE, FT_COUNT, FT_OWNER, FT_FLAGS, FTF_ALLOCATED, nrFrames, frameAddr } from "./frames";
import { EINVAL, EBUSY, EPERM, DOMID_IO } from "../abi/xen";
import { charge, COST_PTE_VALIDATE } from "../time/clock";
import { releaseIfUnused } from "./domheap";

export const PGT_none: u64 = 0;
export const PGT_l1_page_table: u64 = 1;
export const PGT_l2_page_table: u64 = 2;
export const PGT_l3_page_table: u64 = 3;
export const PGT_l4_page_table: u64 = 4;
export const PGT_seg_desc_page: u64 = 5;
export const PGT_shared_page: u64 = 6;
export const PGT_writable_page: u64 = 7;
export const PGT_TYPE_SHIFT: u64 = 61;
export const PGT_type_mask: u64 = <u64>7 << 61;
export const PGT_pinned: u64 = <u64>1 << 59;
export const PGT_validated: u64 = <u64>1 << 58;
export const PGT_LINEAR_SHIFT: u64 = 32;
export const PGT_linear_mask: u64 = <u64>0xffff << 32;
export const PGT_count_mask: u64 = 0xffffffff;
export const PGT_HOLDS_SHIFT: u64 = 48;
export const PGT_holds_mask: u64 = <u64>0x3ff << 48;

// ---- PTE bits (Xen keeps 12 low and 12 high flag bits; address bits 51:12) ----
export const _PAGE_PRESENT: u64 = 0x001;
export const _PAGE_RW: u64 = 0x002;
export const _PAGE_USER: u64 = 0x004;
export const _PAGE_PWT: u64 = 0x008;
export const _PAGE_PCD: u64 = 0x010;
export const _PAGE_ACCESSED: u64 = 0x020;
export const _PAGE_DIRTY: u64 = 0x040;
export const _PAGE_PSE: u64 = 0x080; // PAT in an L1 entry
export const _PAGE_GLOBAL: u64 = 0x100;
export const _PAGE_AVAIL: u64 = 0xe00;
export const _PAGE_GUEST_KERNEL: u64 = <u64>1 << 52;
export const _PAGE_AVAIL_HIGH: u64 = <u64>0x7ff << 52;
export const _PAGE_NX: u64 = <u64>1 << 63;
export const PTE_MFN_MASK: u64 = 0x000ffffffffff000;
// The MFN that stands for "no frame" (PADDR_MASK >> PAGE_SHIFT).
export const INVALID_PTE_MFN: u64 = 0xffffffffff;

// Flags a guest may set in any present entry (base_disallow_mask is everything else): L2-L4
// refuse PWT PCD PSE and G; L1 accepts G. Cache-attribute bits (PWT PCD PAT) would need I/O
// privilege, which no domain has here. Release Xen defines _PAGE_GNTTAB as 0, so bit 62 is a
// plain available bit.
const BASE_ALLOWED: u64 = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY |
  _PAGE_AVAIL | _PAGE_AVAIL_HIGH | _PAGE_NX;
const FLAGS_MASK: u64 = ~PTE_MFN_MASK;
export const L1_DISALLOW_MASK: u64 = FLAGS_MASK & ~(BASE_ALLOWED | _PAGE_GLOBAL);
export const LN_DISALLOW_MASK: u64 = FLAGS_MASK & ~BASE_ALLOWED;
// Bits that may change without re-validating an entry (FASTPATH_FLAG_WHITELIST); a change to
// anything else (frame, P, RW, cache bits, PSE) takes the full path.
const FASTPATH_CHECKED: u64 = PTE_MFN_MASK | _PAGE_PRESENT | _PAGE_RW | _PAGE_PWT | _PAGE_PCD | _PAGE_PSE;

// The hypervisor's L4 slots (HYPERVISOR_VIRT_START..END): never guest entries.
export const L4_FIRST_XEN_SLOT: u32 = 256;
export const L4_LAST_XEN_SLOT: u32 = 271;

@inline export function isGuestL4Slot(i: u32): bool {
  return i < L4_FIRST_XEN_SLOT || i > L4_LAST_XEN_SLOT;
}

@inline export function pteMfn(e: u64): u64 {
  return (e & PTE_MFN_MASK) >> 12;
}

@inline export function entryChanged(o: u64, n: u64): bool {
  return ((o ^ n) & FASTPATH_CHECKED) != 0;
}

// ---- type_info accessors ----
@inline export function typeInfo(mfn: u64): u64 {
  return load<u64>(ftEntry(mfn) + FT_TYPE);
}

@inline function setTypeInfo(mfn: u64, v: u64): void {
  store<u64>(ftEntry(mfn) + FT_TYPE, v);
}

@inline export function pageType(mfn: u64): u64 {
  return typeInfo(mfn) >> PGT_TYPE_SHIFT;
}

@inline export function typeCount(mfn: u64): u64 {
  return typeInfo(mfn) & PGT_count_mask;
}

@inline export function generalCount(mfn: u64): u32 {
  return load<u32>(ftEntry(mfn) + FT_COUNT);
}

@inline export function linearCount(t: u64): i32 {
  return <i32>(<i16>(<u16>((t & PGT_linear_mask) >> PGT_LINEAR_SHIFT)));
}

@inline function withLinear(t: u64, lc: i32): u64 {
  return (t & ~PGT_linear_mask) | (<u64>(<u16>lc) << PGT_LINEAR_SHIFT);
}

@inline export function isPageTableType(type: u64): bool {
  return type >= PGT_l1_page_table && type <= PGT_l4_page_table;
}

export function isValidatedL4(mfn: u64): bool {
  const t = typeInfo(mfn);
  return (t >> PGT_TYPE_SHIFT) == PGT_l4_page_table && (t & PGT_validated) != 0 && (t & PGT_count_mask) != 0;
}

// page_lock's precondition: a validated use that somebody holds.
export function typeInUse(mfn: u64): bool {
  const t = typeInfo(mfn);
  return (t & PGT_validated) != 0 && (t & PGT_count_mask) != 0;
}

// ---- general references ----

// Frame owned by domain d (and allocated): take a general reference. get_page().
export function getPage(mfn: u64, d: u32): bool {
  if (mfn >= <u64>nrFrames) return false;
  const e = ftEntry(mfn);
  if ((load<u16>(e + FT_FLAGS) & FTF_ALLOCATED) == 0 || <u32>load<u16>(e + FT_OWNER) != d) return false;
  const c = load<u32>(e + FT_COUNT);
  if (c >= 0xfffffffe) return false; // would wrap: refused, as Xen reserves the top values
  store<u32>(e + FT_COUNT, c + 1);
  return true;
}

export function putPage(mfn: u64): void {
  const e = ftEntry(mfn);
  const c = load<u32>(e + FT_COUNT);
  assert(c != 0, "put_page on a frame with no references");
  store<u32>(e + FT_COUNT, c - 1);
  // The last reference to a frame its domain already gave back frees it (Xen's put_page).
  if (c == 1 && (load<u16>(e + FT_FLAGS) & FTF_ALLOCATED) == 0) releaseIfUnused(mfn);
}

// ---- type references ----

// _get_page_type: take a type reference for `type`, changing the frame's use if nobody holds
// the current one and validating a page table on its first reference. 0 or -errno.
export function getPageType(mfn: u64, type: u64): i64 {
  let x = typeInfo(mfn);
  const cnt = x & PGT_count_mask;
  if (cnt == PGT_count_mask) return -EINVAL;
  if (cnt == 0) {
    if ((x >> PGT_TYPE_SHIFT) != type) {
      // Xen flushes here for TLBs still holding old mappings of the frame; ours never do (every
      // change to a present entry flushes at once), so a change of use needs no flush.
      x = (x & ~(PGT_type_mask | PGT_validated | PGT_linear_mask)) | (type << PGT_TYPE_SHIFT);
      if (type == PGT_writable_page || type == PGT_shared_page) x |= PGT_validated;
    }
  } else if ((x >> PGT_TYPE_SHIFT) != type) {
    return -EINVAL;
  } else if ((x & PGT_validated) == 0) {
    // Only a table in the middle of its own validation is in this state, and validation
    // never asks for a table of its own level through the normal path.
    return -EINVAL;
  }
  x += 1;
  if ((x & PGT_validated) != 0) {
    setTypeInfo(mfn, x);
    return 0;
  }
  setTypeInfo(mfn, x & ~PGT_linear_mask);
  const rc = promote(mfn, type);
  if (rc != 0) {
    // Failed validation leaves the frame with no use (Xen: type_info = 0).
    setTypeInfo(mfn, 0);
    return rc;
  }
  setTypeInfo(mfn, typeInfo(mfn) | PGT_validated);
  return 0;
}

// _put_page_type: drop a type reference. ptpg is the table whose entry held it (-1 if none):
// a reference between two tables of the same level is a linear one and is accounted as such.
export function putPageType(mfn: u64, ptpg: i64): void {
  const x = typeInfo(mfn);
  assert((x & PGT_count_mask) != 0, "put_page_type on a frame with no type references");
  const type = x >> PGT_TYPE_SHIFT;
  const linear = ptpg >= 0 && pageType(<u64>ptpg) == type;
  if ((x & PGT_count_mask) == 1 && isPageTableType(type) && (x & PGT_validated) != 0) {
    // Last holder of a page table: de-validate it, releasing what its entries hold.
    setTypeInfo(mfn, x & ~PGT_validated);
    demote(mfn, type);
    if (linear) {
      decLinearUses(mfn);
      decLinearEntries(<u64>ptpg);
    }
    setTypeInfo(mfn, typeInfo(mfn) - 1);
    return;
  }
  setTypeInfo(mfn, x - 1);
  if (linear) {
    decLinearUses(mfn);
    decLinearEntries(<u64>ptpg);
  }
}

// relinquish_memory's forced invalidation of a page table of a dying domain: a validated table
// of type `type` loses its validation and releases what its entries hold, whatever still holds
// type references to it (those are dropped later without de-validating again). This breaks the
// cycles linear page tables can make. True if the frame was such a table.
export function forceDevalidate(mfn: u64, type: u64): bool {
  const x = typeInfo(mfn);
  if ((x >> PGT_TYPE_SHIFT) != type || (x & PGT_validated) == 0 || (x & PGT_count_mask) == 0) return false;
  setTypeInfo(mfn, x & ~PGT_validated);
  demote(mfn, type);
  return true;
}

// get_page_and_type_from_mfn: general + type reference for a frame of domain d. 0 or -errno.
export function getPageAndType(mfn: u64, d: u32, type: u64): i64 {
  if (!getPage(mfn, d)) return -EINVAL;
  const rc = getPageType(mfn, type);
  if (rc != 0) putPage(mfn);
  return rc;
}

export function putPageAndType(mfn: u64): void {
  putPageType(mfn, -1);
  putPage(mfn);
}

// A general and a type reference the hypervisor keeps on a frame of domain d that it writes
// into (shared_info, a registered vcpu_info, a backend's ring): while held, the frame cannot
// change use, so it can never become a page table. 0 or -errno.
export function holdPage(mfn: u64, d: u32, type: u64): i64 {
  const rc = getPageAndType(mfn, d, type);
  if (rc != 0) return rc;
  const t = typeInfo(mfn);
  if ((t & PGT_holds_mask) == PGT_holds_mask) {
    putPageAndType(mfn);
    return -EBUSY;
  }
  setTypeInfo(mfn, t + (<u64>1 << PGT_HOLDS_SHIFT));
  return 0;
}

export function releaseHold(mfn: u64): void {
  const t = typeInfo(mfn);
  assert((t & PGT_holds_mask) != 0, "release of a frame nobody holds");
  setTypeInfo(mfn, t - (<u64>1 << PGT_HOLDS_SHIFT));
  putPageAndType(mfn);
}

// ---- linear page tables (define_get_linear_pagetable) ----

function incLinearEntries(pg: u64): bool {
  const t = typeInfo(pg);
  const lc = linearCount(t);
  if (lc < 0 || lc >= 0x7fff) return false;
  setTypeInfo(pg, withLinear(t, lc + 1));
  return true;
}

function decLinearEntries(pg: u64): void {
  const t = typeInfo(pg);
  const lc = linearCount(t);
  assert(lc > 0, "linear entry count underflow");
  setTypeInfo(pg, withLinear(t, lc - 1));
}

function incLinearUses(pg: u64): bool {
  const t = typeInfo(pg);
  const lc = linearCount(t);
  if (lc > 0 || lc <= -0x8000) return false;
  setTypeInfo(pg, withLinear(t, lc - 1));
  return true;
}

function decLinearUses(pg: u64): void {
  const t = typeInfo(pg);
  const lc = linearCount(t);
  assert(lc < 0, "linear use count underflow");
  setTypeInfo(pg, withLinear(t, lc + 1));
}

// An Ln entry of table ptMfn that maps an Ln table: allowed read-only, and only to a table
// already validated (a table mapping itself takes no reference at all).
function getLinearPagetable(e: u64, ptMfn: u64, d: u32, level: u64): bool {
  if ((e & _PAGE_RW) != 0) return false;
  const mfn = pteMfn(e);
  if (mfn == ptMfn) return true;
  if (<u32>load<u16>(ftEntry(ptMfn) + FT_OWNER) != d) return false;
  if (!getPage(mfn, d)) return false;
  if (!incLinearEntries(ptMfn)) {
    putPage(mfn);
    return false;
  }
  if (!incLinearUses(mfn)) {
    decLinearEntries(ptMfn);
    putPage(mfn);
    return false;
  }
  const x = typeInfo(mfn);
  if ((x & PGT_count_mask) == PGT_count_mask || (x >> PGT_TYPE_SHIFT) != level || (x & PGT_validated) == 0) {
    decLinearUses(mfn);
    decLinearEntries(ptMfn);
    putPage(mfn);
    return false;
  }
  setTypeInfo(mfn, x + 1);
  return true;
}

// ---- references held by entries ----

// get_page_from_l1e for a present entry of a table of l1eOwner: a general reference, plus the
// writable type if RW. pgOwner is the domain whose frames may be mapped. 0 or -errno.
export function getPageFromL1e(e: u64, l1eOwner: u32, pgOwner: u32): i64 {
  charge(COST_PTE_VALIDATE);
  if ((e & L1_DISALLOW_MASK) != 0) return -EINVAL;
  const mfn = pteMfn(e);
  if (mfn >= <u64>nrFrames) {
    // Not RAM: MMIO, which needs I/O-memory permission no domain has here.
    return mfn == INVALID_PTE_MFN ? -EINVAL : -EPERM;
  }
  // RAM must belong to pgOwner: another domain's or a free frame is refused, and DOMID_IO
  // (which owns no RAM) names only MMIO.
  if (pgOwner == DOMID_IO || !getPage(mfn, pgOwner)) return -EBUSY;
  if ((e & _PAGE_RW) != 0 && getPageType(mfn, PGT_writable_page) != 0) {
    putPage(mfn);
    return -EBUSY;
  }
  return 0;
}

export function putPageFromL1e(e: u64): void {
  if ((e & _PAGE_PRESENT) == 0) return;
  const mfn = pteMfn(e);
  if (mfn >= <u64>nrFrames) return;
  if ((e & _PAGE_RW) != 0) putPageAndType(mfn);
  else putPage(mfn);
}

// get_page_from_l{2,3,4}e for a present entry of table ptMfn (level 2..4). 0 or -errno.
export function getPageFromLne(e: u64, ptMfn: u64, d: u32, level: u64): i64 {
  charge(COST_PTE_VALIDATE);
  if ((e & LN_DISALLOW_MASK) != 0) return -EINVAL;
  let rc = getPageAndType(pteMfn(e), d, level - 1);
  if (rc == -EINVAL && getLinearPagetable(e, ptMfn, d, level)) rc = 0;
  return rc;
}

// put_page_from_l{2,3,4}e: a self-map holds nothing; anything else a general + type reference.
export function putPageFromLne(e: u64, ptMfn: u64): void {
  if ((e & _PAGE_PRESENT) == 0) return;
  const mfn = pteMfn(e);
  if (mfn == ptMfn) return;
  putPageType(mfn, <i64>ptMfn);
  putPage(mfn);
}

// ---- what Xen writes back into accepted entries (pv/mm.h adjust_guest_l*e) ----
// The PV kernel runs in ring 3, so every level carries US; kernel leaf mappings are told apart
// by _PAGE_GUEST_KERNEL and user ones are made global.
export function adjustL1e(e: u64): u64 {
  if ((e & _PAGE_PRESENT) == 0) return e;
  if ((e & _PAGE_USER) == 0) e |= _PAGE_GUEST_KERNEL | _PAGE_USER;
  if ((e & _PAGE_GUEST_KERNEL) == 0) e |= _PAGE_GLOBAL | _PAGE_USER;
  return e;
}

export function adjustLne(e: u64, level: u64): u64 {
  if ((e & _PAGE_PRESENT) == 0) return e;
  return level == 4 ? e | _PAGE_USER | _PAGE_ACCESSED : e | _PAGE_USER;
}

// ---- promotion and demotion of whole tables ----

function promote(mfn: u64, type: u64): i64 {
  if (type == PGT_l1_page_table) return promoteL1(mfn);
  if (type >= PGT_l2_page_table && type <= PGT_l4_page_table) return promoteLn(mfn, type);
  // Descriptor pages are validated by their own subsystem before taking this type.
  return -EINVAL;
}

function demote(mfn: u64, type: u64): void {
  if (type == PGT_l1_page_table) demoteL1(mfn);
  else demoteLn(mfn, type);
}

// promote_l1_table: every present entry takes its references; on failure the ones taken so
// far are released and the table stays unvalidated.
function promoteL1(mfn: u64): i64 {
  const d = <u32>load<u16>(ftEntry(mfn) + FT_OWNER);
  const base = frameAddr(mfn);
  for (let i: u32 = 0; i < 512; i++) {
    const p = base + (i << 3);
    const e = load<u64>(p);
    if ((e & _PAGE_PRESENT) == 0) continue;
    const rc = getPageFromL1e(e, d, d);
    if (rc != 0) {
      while (i > 0) {
        i--;
        putPageFromL1e(load<u64>(base + (i << 3)));
      }
      return rc;
    }
    store<u64>(p, adjustL1e(e));
  }
  return 0;
}

function demoteL1(mfn: u64): void {
  const base = frameAddr(mfn);
  for (let i: u32 = 0; i < 512; i++) putPageFromL1e(load<u64>(base + (i << 3)));
}

// promote_l{2,3,4}_table. An L4's hypervisor slots are not the guest's: they are skipped and,
// once the table is accepted, cleared (Xen overwrites them with its own entries; here the CPU's
// walk supplies the hypervisor area itself, so the slots are simply empty).
function promoteLn(mfn: u64, level: u64): i64 {
  const d = <u32>load<u16>(ftEntry(mfn) + FT_OWNER);
  const base = frameAddr(mfn);
  for (let i: u32 = 0; i < 512; i++) {
    if (level == PGT_l4_page_table && !isGuestL4Slot(i)) continue;
    const p = base + (i << 3);
    const e = load<u64>(p);
    if ((e & _PAGE_PRESENT) == 0) continue;
    const rc = getPageFromLne(e, mfn, d, level);
    if (rc != 0) {
      while (i > 0) {
        i--;
        if (level == PGT_l4_page_table && !isGuestL4Slot(i)) continue;
        putPageFromLne(load<u64>(base + (i << 3)), mfn);
      }
      return rc;
    }
    store<u64>(p, adjustLne(e, level));
  }
  if (level == PGT_l4_page_table) {
    memory.fill(base + (L4_FIRST_XEN_SLOT << 3), 0, (L4_LAST_XEN_SLOT - L4_FIRST_XEN_SLOT + 1) << 3);
  }
  return 0;
}

function demoteLn(mfn: u64, level: u64): void {
  const base = frameAddr(mfn);
  for (let i: i32 = 511; i >= 0; i--) {
    if (level == PGT_l4_page_table && !isGuestL4Slot(<u32>i)) continue;
    putPageFromLne(load<u64>(base + (<u32>i << 3)), mfn);
  }
}
