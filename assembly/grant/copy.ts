// GNTTABOP_copy (xen/common/grant_table.c gnttab_copy): copy bytes between two frames, each
// named by a grant reference of some domain or, for the caller's own memory only, by frame
// number. A grant is pinned for the copy like a host mapping (GTF_reading, and GTF_writing for
// the destination), the frames are held by a general reference and the destination by the
// writable type, and everything is given back when the copy is done.
import { frameAddr } from "../mm/frames";
import { putPage, getPage, getPageType, putPageType, PGT_writable_page } from "../mm/validate";
import { codeWritten } from "../cpu/dcache";
import { DOMID_SELF } from "../abi/xen";
import {
  gtReady, nrEntries, gtVersion, sharedEntry, activeEntry, clearFlags,
  ACT_PIN, ACT_DOMID, ACT_SUB, ACT_MFN, ACT_START, ACT_LENGTH,
  GNTPIN_hstr_inc, GNTPIN_hstw_inc, GNTPIN_hstw_mask, GNTPIN_devw_mask, GTF_sub_page, GTF_reading, GTF_writing,
  GNTST_okay, GNTST_general_error, GNTST_bad_domain, GNTST_bad_gntref, GNTST_permission_denied,
  GNTST_bad_copy_arg,
} from "./table";
import { grantDomain, setStatus, getPagedFrame } from "./map";

export const GNTCOPY_source_gref: u32 = 1;
export const GNTCOPY_dest_gref: u32 = 2;

// What acquireForCopy found.
let acqMfn: u64 = 0;
let acqOff: u32 = 0;
let acqLen: u32 = 0;

// acquire_grant_for_copy: pin rd's grant ref for domain ldom; a general reference on the frame
// is taken. GNTST_*.
function acquireForCopy(rd: u32, ref: u32, ldom: u32, ro: bool): i32 {
  if (!gtReady(rd) || ref >= nrEntries(rd)) return GNTST_bad_gntref;
  const act = activeEntry(rd, ref);
  const oldPin = load<u32>(act + ACT_PIN);
  if (oldPin != 0 && (<u32>load<u16>(act + ACT_DOMID) != ldom || (oldPin & 0x80808080) != 0)) {
    return GNTST_general_error;
  }
  if (oldPin == 0 || (!ro && (oldPin & (GNTPIN_devw_mask | GNTPIN_hstw_mask)) == 0)) {
    let rc = setStatus(rd, ref, act, ro, false, ldom);
    if (rc != GNTST_okay) return rc;
    const sh = sharedEntry(rd, ref);
    let frame: u64;
    let off: u32 = 0;
    let len: u32 = 4096;
    let sub = false;
    if (gtVersion(rd) == 1) {
      frame = <u64>load<u32>(sh + 4);
    } else {
      frame = load<u64>(sh + 8);
      if ((<u32>load<u16>(sh) & GTF_sub_page) != 0) {
        sub = true;
        off = <u32>load<u16>(sh + 4);
        len = <u32>load<u16>(sh + 6);
      }
    }
    rc = getPagedFrame(frame, rd);
    if (rc != GNTST_okay) {
      clearForPin(rd, ref, act, ro);
      return rc;
    }
    if (oldPin == 0) {
      store<u16>(act + ACT_DOMID, <u16>ldom);
      store<u16>(act + ACT_SUB, sub ? 1 : 0);
      store<u16>(act + ACT_START, <u16>off);
      store<u16>(act + ACT_LENGTH, <u16>len);
      store<u32>(act + ACT_MFN, <u32>frame);
    }
  } else if (!getPage(<u64>load<u32>(act + ACT_MFN), rd)) {
    // The pinned frame is no longer rd's.
    clearForPin(rd, ref, act, ro);
    return GNTST_bad_domain;
  }
  store<u32>(act + ACT_PIN, load<u32>(act + ACT_PIN) + (ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc));
  acqMfn = <u64>load<u32>(act + ACT_MFN);
  acqOff = <u32>load<u16>(act + ACT_START);
  acqLen = <u32>load<u16>(act + ACT_LENGTH);
  return GNTST_okay;
}

function clearForPin(rd: u32, ref: u32, act: u32, ro: bool): void {
  const pin = load<u32>(act + ACT_PIN);
  let clear: u32 = 0;
  if (!ro && (pin & (GNTPIN_hstw_mask | GNTPIN_devw_mask)) == 0) clear |= GTF_writing;
  if (pin == 0) clear |= GTF_reading;
  if (clear != 0) clearFlags(rd, ref, clear);
}

// release_grant_for_copy: the pin goes (frame references are the caller's).
function releaseForCopy(rd: u32, ref: u32, ro: bool): void {
  const act = activeEntry(rd, ref);
  store<u32>(act + ACT_PIN, load<u32>(act + ACT_PIN) - (ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc));
  clearForPin(rd, ref, act, ro);
}

// One side of a copy, claimed.
class Buf {
  dom: u32 = 0;
  ref: u32 = 0;
  mfn: u64 = 0;
  off: u32 = 0;
  len: u32 = 0;
  grant: bool = false;
  typed: bool = false;
  held: bool = false;
}

const SRC = new Buf();
const DST = new Buf();

function release(b: Buf, ro: bool): void {
  if (b.grant) releaseForCopy(b.dom, b.ref, ro);
  if (b.typed) putPageType(b.mfn, -1);
  if (b.held) putPage(b.mfn);
  b.grant = false;
  b.typed = false;
  b.held = false;
}

// gnttab_copy_lock_domain: only the caller's own frames may be named by number.
function lockDomain(ld: u32, domid: u32, isGref: bool): i32 {
  if (domid != DOMID_SELF && !isGref) return GNTST_permission_denied;
  const d = domid == DOMID_SELF ? ld : domid;
  if (!grantDomain(d)) return GNTST_bad_domain;
  return <i32>d;
}

// gnttab_copy_claim_buf
function claim(b: Buf, ld: u32, ptr: u64, ro: bool, isGref: bool): i32 {
  if (isGref) {
    const rc = acquireForCopy(b.dom, <u32>ptr, ld, ro);
    if (rc != GNTST_okay) return rc;
    b.grant = true;
    b.held = true;
    b.ref = <u32>ptr;
    b.mfn = acqMfn;
    b.off = acqOff;
    b.len = acqLen;
  } else {
    const rc = getPagedFrame(ptr, b.dom);
    if (rc != GNTST_okay) return rc;
    b.held = true;
    b.mfn = ptr;
    b.off = 0;
    b.len = 4096;
  }
  if (!ro) {
    if (getPageType(b.mfn, PGT_writable_page) != 0) return GNTST_general_error;
    b.typed = true;
  }
  return GNTST_okay;
}

// One copy for domain ld. GNTST_*.
export function copyOne(
  ld: u32, srcPtr: u64, srcDom: u32, srcOff: u32, dstPtr: u64, dstDom: u32, dstOff: u32, len: u32, flags: u32,
): i32 {
  const srcGref = (flags & GNTCOPY_source_gref) != 0;
  const dstGref = (flags & GNTCOPY_dest_gref) != 0;
  let rc = lockDomain(ld, srcDom, srcGref);
  if (rc < 0) return rc;
  SRC.dom = <u32>rc;
  rc = lockDomain(ld, dstDom, dstGref);
  if (rc < 0) return rc;
  DST.dom = <u32>rc;
  rc = claim(SRC, ld, srcPtr, true, srcGref);
  if (rc == GNTST_okay) rc = claim(DST, ld, dstPtr, false, dstGref);
  if (rc == GNTST_okay) {
    if (srcOff + len > 4096 || dstOff + len > 4096) rc = GNTST_bad_copy_arg;
    else if (srcOff < SRC.off || srcOff + len > SRC.off + SRC.len) rc = GNTST_general_error;
    else if (dstOff < DST.off || dstOff + len > DST.off + DST.len) rc = GNTST_general_error;
    else {
      codeWritten(<u32>DST.mfn);
      memory.copy(frameAddr(DST.mfn) + dstOff, frameAddr(SRC.mfn) + srcOff, len);
    }
  }
  release(SRC, true);
  release(DST, false);
  return rc;
}
