// The PTE side of a PV grant host mapping (xen/arch/x86/pv/grant_table.c): writing the granted
// frame into an L1 entry of the caller (found by linear address, or named by machine address
// with GNTMAP_contains_pte) and taking it out again. The references the entry stands for are
// taken and dropped by map.ts, not by the usual L1 rules; what the entry replaces loses its
// own references as a normal L1 update would.
import { frameAddr, nrFrames, poolBase } from "../mm/frames";
import {
  getPage, putPage, pageType, typeInUse, putPageFromL1e, adjustL1e, pteMfn,
  PGT_l1_page_table, _PAGE_PRESENT, _PAGE_RW, _PAGE_USER, _PAGE_ACCESSED, _PAGE_DIRTY, _PAGE_NX,
  _PAGE_GLOBAL, _PAGE_GUEST_KERNEL,
} from "../mm/validate";
import { mapGuestL1e, mappedL1Mfn } from "../mm/pv_mmu";
import { mmuFlushAll } from "../mm/flush";
import { codeWritten } from "../cpu/dcache";
import { curDom } from "../domain/domain";
import {
  GNTMAP_application_map, GNTMAP_readonly, GNTMAP_contains_pte, GNTST_okay, GNTST_general_error,
} from "./table";

// grant_to_pte_flags: present, accessed, dirty, never executable; user with application_map,
// writable unless read-only; the guest's three available bits from flags 18:16.
function pteFlags(flags: u32): u64 {
  let f: u64 = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_NX;
  if ((flags & GNTMAP_application_map) != 0) f |= _PAGE_USER;
  if ((flags & GNTMAP_readonly) == 0) f |= _PAGE_RW;
  f |= <u64>((flags >> 16) & 7) << 9;
  return f;
}

// The L1 entry (host address) named by addr, with the L1 frame held by a general reference
// (released by the caller), or 0. Sets l1Mfn.
let l1Mfn: u64 = 0;

function locateL1e(addr: u64, flags: u32): u32 {
  if ((flags & GNTMAP_contains_pte) != 0) {
    // The machine address of an entry: it must be aligned, or adjacent entries would be hit.
    if ((addr & 7) != 0) return 0;
    l1Mfn = addr >> 12;
    if (l1Mfn >= <u64>nrFrames || !getPage(l1Mfn, curDom)) return 0;
    return frameAddr(l1Mfn) + (<u32>addr & 0xfff);
  }
  const p = mapGuestL1e(addr);
  if (p == 0) return 0;
  l1Mfn = mappedL1Mfn;
  if (!getPage(l1Mfn, curDom)) return 0;
  return p;
}

// page_lock and the type check: the entry lies in a live L1 table.
function liveL1(): bool {
  return pageType(l1Mfn) == PGT_l1_page_table && typeInUse(l1Mfn);
}

function writeL1e(p: u32, n: u64): void {
  const o = load<u64>(p);
  store<u64>(p, n);
  codeWritten((p - poolBase) >> 12);
  if ((o & _PAGE_PRESENT) != 0) mmuFlushAll();
}

// create_grant_pv_mapping. GNTST_okay or GNTST_general_error.
export function createHostMapping(addr: u64, mfn: u64, flags: u32): i32 {
  const n = adjustL1e((mfn << 12) | pteFlags(flags));
  const p = locateL1e(addr, flags);
  if (p == 0) return GNTST_general_error;
  if (!liveL1()) {
    putPage(l1Mfn);
    return GNTST_general_error;
  }
  const o = load<u64>(p);
  writeL1e(p, n);
  putPage(l1Mfn);
  putPageFromL1e(o);
  return GNTST_okay;
}

// steal_linear_address: zap the entry mapping va and hand back what it held (the caller owns
// its references); stealOk says whether it worked.
let stealOk = false;

function stealLinear(va: u64): u64 {
  stealOk = false;
  const p = locateL1e(va, 0);
  if (p == 0) return 0;
  if (!liveL1()) {
    putPage(l1Mfn);
    return 0;
  }
  const o = load<u64>(p);
  writeL1e(p, 0);
  putPage(l1Mfn);
  stealOk = true;
  return o;
}

// replace_grant_pv_mapping: the entry at addr must map frame mfn present with the grant's
// write permission; it is cleared, or with newAddr receives the entry stolen from newAddr.
export function replaceHostMapping(addr: u64, mfn: u64, newAddr: u64, flags: u32): i32 {
  let gf = pteFlags(flags);
  gf |= (gf & _PAGE_USER) != 0 ? _PAGE_GLOBAL : _PAGE_GUEST_KERNEL | _PAGE_USER;
  let nl1e: u64 = 0;
  if ((flags & GNTMAP_contains_pte) != 0) {
    if (newAddr != 0) return GNTST_general_error;
  } else if (newAddr != 0) {
    nl1e = stealLinear(newAddr);
    if (!stealOk) return GNTST_general_error;
  }
  let rc = GNTST_general_error;
  const p = locateL1e(addr, flags);
  if (p != 0) {
    if (liveL1()) {
      const o = load<u64>(p);
      if (pteMfn(o) == mfn && ((o ^ gf) & (_PAGE_PRESENT | _PAGE_RW)) == 0) {
        writeL1e(p, nl1e);
        rc = GNTST_okay;
      }
    }
    putPage(l1Mfn);
  }
  // On failure the stolen entry's references are still ours to drop.
  if (rc != GNTST_okay) putPageFromL1e(nl1e);
  return rc;
}
