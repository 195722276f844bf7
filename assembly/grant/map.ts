// map_grant_ref / unmap_grant_ref / unmap_and_replace (xen/common/grant_table.c): a domain ld
// maps a grant that domain rd wrote for it. The first pin of a grant checks the entry (type
// permit_access, grantee ld, not read-only for a writable map) and sets GTF_reading and, for a
// writable map, GTF_writing; every map takes the frame references Xen takes and records them
// in a maptrack entry of ld, and every unmap gives back exactly what that entry still holds.
//
// References per map (frame pg of rd): a general one for the first of device/host; a device
// writable map adds the writable type; a host map adds a second general reference when a
// device map took the first, and the writable type unless read-only. A host map's references
// are the ones its PTE stands for, so the guest's L1 holds them as any entry would.
import { nrFrames } from "../mm/frames";
import { getPage, putPage, getPageType, putPageType, PGT_writable_page } from "../mm/validate";
import { domValid, domExists } from "../domain/domain";
import {
  gtReady, nrEntries, gtVersion, sharedEntry, statusWord, activeEntry, clearFlags,
  getMaptrackHandle, putMaptrackHandle, maptrackEntry, maptrackLimit, MT_NONE, MT_REF, MT_FLAGS, MT_DOMID,
  ACT_PIN, ACT_DOMID, ACT_SUB, ACT_MFN, ACT_START, ACT_LENGTH,
  GNTMAP_device_map, GNTMAP_host_map, GNTMAP_readonly,
  GNTPIN_hstr_inc, GNTPIN_hstw_inc, GNTPIN_devr_inc, GNTPIN_devw_inc, GNTPIN_hstw_mask, GNTPIN_devw_mask,
  GTF_type_mask, GTF_permit_access, GTF_readonly, GTF_reading, GTF_writing, GTF_sub_page,
  GNTST_okay, GNTST_general_error, GNTST_bad_domain, GNTST_bad_gntref, GNTST_bad_handle,
  GNTST_no_device_space, GNTST_bad_page,
} from "./table";
import { createHostMapping, replaceHostMapping } from "./pte";

// A domain that can hold grants: a live guest (the host, dom0, grants nothing).
export function grantDomain(d: u32): bool {
  return d != 0 && domValid(d);
}

// _set_status: check the entry for a new pin by ld and mark it in use. mapflag refuses
// sub-page grants (they can only be copied).
export function setStatus(rd: u32, ref: u32, act: u32, readonly: bool, mapflag: bool, ld: u32): i32 {
  const sh = sharedEntry(rd, ref);
  const flags = <u32>load<u16>(sh);
  const domid = <u32>load<u16>(sh + 2);
  let mask = GTF_type_mask;
  if (mapflag) mask |= GTF_sub_page;
  const pinned = load<u32>(act + ACT_PIN) != 0;
  // Transitive grants are not offered (as with Xen's transitive=false), so v2 accepts only
  // permit_access too.
  if (!pinned && ((flags & mask) != GTF_permit_access || domid != ld)) return GNTST_general_error;
  if (!readonly && (flags & GTF_readonly) != 0) return GNTST_general_error;
  const st = statusWord(rd, ref);
  store<u16>(st, load<u16>(st) | <u16>(GTF_reading | (readonly ? 0 : GTF_writing)));
  return GNTST_okay;
}

// get_paged_frame for a PV domain: the frame number is an MFN, which rd must own. A general
// reference is taken.
export function getPagedFrame(gfn: u64, rd: u32): i32 {
  if (gfn >= <u64>nrFrames || !getPage(gfn, rd)) return GNTST_bad_page;
  return GNTST_okay;
}

// Results of the last mapGrant.
export let mapHandle: u32 = 0;
export let mapBusAddr: u64 = 0;

// map_grant_ref for domain ld. ld 0 is the host, which has no page tables: device maps only.
export function mapGrant(ld: u32, hostAddr: u64, flags: u32, ref: u32, rdom: u32): i32 {
  if ((flags & (GNTMAP_device_map | GNTMAP_host_map)) == 0) return GNTST_bad_gntref;
  if (!grantDomain(rdom)) return GNTST_bad_domain;
  if (!gtReady(ld) || !gtReady(rdom)) return GNTST_general_error;
  const handle = getMaptrackHandle(ld);
  if (handle == MT_NONE) return GNTST_no_device_space;
  const rc = mapWithHandle(ld, hostAddr, flags, ref, rdom, handle);
  if (rc != GNTST_okay) {
    putMaptrackHandle(ld, handle);
    return rc;
  }
  return GNTST_okay;
}

function mapWithHandle(ld: u32, hostAddr: u64, flags: u32, ref: u32, rd: u32, handle: u32): i32 {
  if (ref >= nrEntries(rd)) return GNTST_bad_gntref;
  const act = activeEntry(rd, ref);
  const ro = (flags & GNTMAP_readonly) != 0;
  let pin = load<u32>(act + ACT_PIN);
  if (pin != 0 && (<u32>load<u16>(act + ACT_DOMID) != ld || (pin & 0x80808080) != 0 || load<u16>(act + ACT_SUB) != 0)) {
    return GNTST_general_error;
  }
  let refcnt: u32 = 0;
  let typecnt: u32 = 0;
  if (pin == 0 || (!ro && (pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)) == 0)) {
    let rc = setStatus(rd, ref, act, ro, true, ld);
    if (rc != GNTST_okay) return rc;
    if (pin == 0) {
      const sh = sharedEntry(rd, ref);
      const gfn: u64 = gtVersion(rd) == 1 ? <u64>load<u32>(sh + 4) : load<u64>(sh + 8);
      rc = getPagedFrame(gfn, rd);
      if (rc != GNTST_okay) {
        clearAfterFailure(rd, ref, act, ro);
        return rc;
      }
      refcnt = 1;
      store<u16>(act + ACT_DOMID, <u16>ld);
      store<u32>(act + ACT_MFN, <u32>gfn);
      store<u16>(act + ACT_START, 0);
      store<u16>(act + ACT_LENGTH, 4096);
      store<u16>(act + ACT_SUB, 0);
    }
  }
  const inc = pinIncrement(flags);
  pin += inc;
  store<u32>(act + ACT_PIN, pin);
  const mfn = <u64>load<u32>(act + ACT_MFN);
  // The reference page_get_owner_and_reference takes when get_paged_frame did not.
  let ok = true;
  if (refcnt == 0) {
    if (getPage(mfn, rd)) refcnt = 1;
    else ok = false;
  }
  if (ok && (flags & GNTMAP_device_map) != 0 && !ro) {
    if (getPageType(mfn, PGT_writable_page) == 0) typecnt++;
    else ok = false;
  }
  let rc = ok ? GNTST_okay : GNTST_general_error;
  let hostMapped = false;
  if (ok && (flags & GNTMAP_host_map) != 0) {
    if ((flags & GNTMAP_device_map) != 0) {
      if (getPage(mfn, rd)) refcnt++;
      else ok = false;
    }
    if (ok && !ro) {
      if (getPageType(mfn, PGT_writable_page) == 0) typecnt++;
      else ok = false;
    }
    rc = ok ? GNTST_okay : GNTST_general_error;
    if (ok) {
      rc = ld == 0 ? GNTST_general_error : createHostMapping(hostAddr, mfn, flags);
      hostMapped = rc == GNTST_okay;
    }
  }
  if (rc != GNTST_okay) {
    // undo_out: everything this map took, in reverse.
    if (hostMapped) replaceHostMapping(hostAddr, mfn, 0, flags);
    while (typecnt > 0) {
      putPageType(mfn, -1);
      typecnt--;
    }
    while (refcnt > 0) {
      putPage(mfn);
      refcnt--;
    }
    store<u32>(act + ACT_PIN, load<u32>(act + ACT_PIN) - inc);
    clearAfterFailure(rd, ref, act, ro);
    return rc;
  }
  const mt = maptrackEntry(ld, handle);
  store<u32>(mt + MT_REF, ref);
  store<u16>(mt + MT_DOMID, <u16>rd);
  store<u16>(mt + MT_FLAGS, <u16>flags);
  mapHandle = handle;
  mapBusAddr = mfn << 12;
  return GNTST_okay;
}

function pinIncrement(flags: u32): u32 {
  const ro = (flags & GNTMAP_readonly) != 0;
  let inc: u32 = 0;
  if ((flags & GNTMAP_device_map) != 0) inc += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
  if ((flags & GNTMAP_host_map) != 0) inc += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
  return inc;
}

// unlock_out_clear: the in-use flags follow the pins that are left.
function clearAfterFailure(rd: u32, ref: u32, act: u32, ro: bool): void {
  const pin = load<u32>(act + ACT_PIN);
  let clear: u32 = 0;
  if (!ro && (pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)) == 0) clear |= GTF_writing;
  if (pin == 0) clear |= GTF_reading;
  if (clear != 0) clearFlags(rd, ref, clear);
}

// unmap_common + unmap_common_complete for domain ld's handle. A host mapping goes only when
// hostAddr is given, a device mapping only when devBusAddr is; whatever the handle still holds
// after that stays mapped.
export function unmapGrant(ld: u32, hostAddr: u64, devBusAddr: u64, handle: u32, newAddr: u64): i32 {
  if (!gtReady(ld) || handle >= maptrackLimit(ld)) return GNTST_bad_handle;
  const mt = maptrackEntry(ld, handle);
  const flags = <u32>load<u16>(mt + MT_FLAGS);
  if (flags == 0) return GNTST_bad_handle;
  const rd = <u32>load<u16>(mt + MT_DOMID);
  const ref = load<u32>(mt + MT_REF);
  // A dying granting domain keeps its table until every mapping of its frames is gone.
  if (rd == 0 || !domExists(rd) || ref >= nrEntries(rd)) return GNTST_bad_handle;
  const act = activeEntry(rd, ref);
  const mfn = <u64>load<u32>(act + ACT_MFN);
  if (devBusAddr != 0 && devBusAddr != (mfn << 12)) return GNTST_general_error;
  let done: u32 = 0;
  let left = flags;
  if (hostAddr != 0 && (flags & GNTMAP_host_map) != 0) {
    const rc = ld == 0 ? GNTST_general_error : replaceHostMapping(hostAddr, mfn, newAddr, flags);
    if (rc != GNTST_okay) return rc;
    left &= ~GNTMAP_host_map;
    done |= GNTMAP_host_map | (flags & GNTMAP_readonly);
  }
  if (devBusAddr != 0 && (flags & GNTMAP_device_map) != 0) {
    left &= ~GNTMAP_device_map;
    done |= GNTMAP_device_map | (flags & GNTMAP_readonly);
  }
  if ((left & (GNTMAP_device_map | GNTMAP_host_map)) == 0) {
    putMaptrackHandle(ld, handle);
  } else {
    store<u16>(mt + MT_FLAGS, <u16>left);
  }
  if (done != 0) completeUnmap(rd, ref, act, mfn, done, true);
  return GNTST_okay;
}

// gnttab_release_mappings for one handle of a dying domain ld: the pins go and the device
// mapping's references are given back; a host mapping's references belong to its PTE, which
// goes with ld's page tables.
export function releaseMapping(ld: u32, handle: u32): void {
  const mt = maptrackEntry(ld, handle);
  const flags = <u32>load<u16>(mt + MT_FLAGS);
  if (flags == 0) return;
  const rd = <u32>load<u16>(mt + MT_DOMID);
  const ref = load<u32>(mt + MT_REF);
  putMaptrackHandle(ld, handle);
  const act = activeEntry(rd, ref);
  completeUnmap(rd, ref, act, <u64>load<u32>(act + ACT_MFN), flags & (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly), false);
}

// unmap_common_complete: give back the references of what was unmapped (a host mapping's only
// when hostRefs), drop its pins and the in-use flags nobody needs any more.
function completeUnmap(rd: u32, ref: u32, act: u32, mfn: u64, done: u32, hostRefs: bool): void {
  const ro = (done & GNTMAP_readonly) != 0;
  let pin = load<u32>(act + ACT_PIN);
  if ((done & GNTMAP_device_map) != 0) {
    if (ro) putPage(mfn);
    else {
      putPageType(mfn, -1);
      putPage(mfn);
    }
    pin -= ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
  }
  if ((done & GNTMAP_host_map) != 0) {
    if (hostRefs) {
      if (!ro) putPageType(mfn, -1);
      putPage(mfn);
    }
    pin -= ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
  }
  store<u32>(act + ACT_PIN, pin);
  let clear: u32 = 0;
  if ((pin & (GNTPIN_devw_mask | GNTPIN_hstw_mask)) == 0 && !ro) clear |= GTF_writing;
  if (pin == 0) clear |= GTF_reading;
  if (clear != 0) clearFlags(rd, ref, clear);
}
