// GNTTABOP_transfer (xen/common/grant_table.c gnttab_transfer): a domain gives one of its
// frames to another domain that offered a grant entry of type accept_transfer. The frame must
// be unused (steal_page: nothing but its allocation holds it); it leaves the giver at once, and
// if the receiver cannot take it the frame is freed, as Xen does.
import { nrFrames, ftEntry, FT_COUNT, FT_OWNER, FT_FLAGS, FT_TYPE, FTF_ALLOCATED, m2pSet, M2P_INVALID } from "../mm/frames";
import { freeDomFrame, hypervisorUses } from "../mm/domheap";
import { dom, DOM_TOT_PAGES, DOM_MAX_PAGES } from "../domain/domain";
import {
  gtReady, gtVersion, nrEntries, sharedEntry, GTF_accept_transfer, GTF_transfer_committed, GTF_transfer_completed,
  GNTST_okay, GNTST_general_error, GNTST_bad_domain, GNTST_bad_page,
} from "./table";
import { grantDomain } from "./map";

function adjustTot(d: u32, delta: i32): void {
  const p = dom(d) + DOM_TOT_PAGES;
  store<u32>(p, load<u32>(p) + <u32>delta);
}

// steal_page: mfn must be d's, allocated, and held by nothing else (no mapping, no type use).
function stealPage(d: u32, mfn: u64): bool {
  const e = ftEntry(mfn);
  if (<u32>load<u16>(e + FT_OWNER) != d || (load<u16>(e + FT_FLAGS) & FTF_ALLOCATED) == 0) return false;
  if (load<u32>(e + FT_COUNT) != 0 || (load<u64>(e + FT_TYPE) & 0xffffffff) != 0) return false;
  // shared_info and vcpu_info frames are written by the hypervisor without a reference.
  if (hypervisorUses(mfn, d)) return false;
  adjustTot(d, -1);
  // Xen clears the page's owner and allocation; the frame is in limbo until assigned or freed.
  store<u16>(e + FT_FLAGS, load<u16>(e + FT_FLAGS) & ~FTF_ALLOCATED);
  store<u64>(e + FT_TYPE, 0);
  m2pSet(mfn, M2P_INVALID);
  return true;
}

// gnttab_prepare_for_transfer: e's entry ref must accept a transfer from d; it is committed.
function prepare(e: u32, d: u32, ref: u32): bool {
  if (!gtReady(e) || ref >= nrEntries(e)) return false;
  const sh = sharedEntry(e, ref);
  if (<u32>load<u16>(sh) != GTF_accept_transfer || <u32>load<u16>(sh + 2) != d) return false;
  store<u16>(sh, <u16>(GTF_accept_transfer | GTF_transfer_committed));
  return true;
}

export function transferOne(d: u32, gmfn: u64, domid: u32, ref: u32): i32 {
  if (gmfn >= <u64>nrFrames) return GNTST_bad_page;
  if (!stealPage(d, gmfn)) return GNTST_bad_page;
  const fe = ftEntry(gmfn);
  if (!grantDomain(domid)) {
    freeDomFrame(gmfn);
    return GNTST_bad_domain;
  }
  const p = dom(domid);
  if (load<u32>(p + DOM_TOT_PAGES) >= load<u32>(p + DOM_MAX_PAGES) || !prepare(domid, d, ref)) {
    freeDomFrame(gmfn);
    return GNTST_general_error;
  }
  store<u16>(fe + FT_OWNER, <u16>domid);
  store<u16>(fe + FT_FLAGS, load<u16>(fe + FT_FLAGS) | FTF_ALLOCATED);
  adjustTot(domid, 1);
  const sh = sharedEntry(domid, ref);
  if (gtVersion(domid) == 1) store<u32>(sh + 4, <u32>gmfn);
  else store<u64>(sh + 8, gmfn);
  store<u16>(sh, load<u16>(sh) | <u16>GTF_transfer_completed);
  return GNTST_okay;
}
