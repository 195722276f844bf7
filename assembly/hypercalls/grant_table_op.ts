// grant_table_op(cmd, uop, count) (xen/common/grant_table.c do_grant_table_op): a batch of
// grant operations. Per-operation errors are GNTST_* values in each element's status; the call
// itself returns 0 or -errno (-EFAULT for an unreadable element, which stops the batch). Long
// batches are continued: uop and count are advanced past the elements done and the call is
// re-issued. cache_flush keeps its search position in cmd's upper bits (Xen's opaque argument).
import { EINVAL, EFAULT, ENOSYS, EBUSY, ENOMEM, ESRCH, EPERM, EOPNOTSUPP, DOMID_SELF } from "../abi/xen";
import { HV_SCRATCH } from "../layout";
import { curDom } from "../domain/domain";
import { copyFromGuest, copyToGuest, putGuestU64 } from "../mm/guest";
import { addrOk } from "../mm/pv_mmu";
import { nrFrames, frameOwner } from "../mm/frames";
import { xsmTarget } from "./mmu_update";
import { createContinuation, setArg1, setArg2, setArg3 } from "./args";
import { grantOpDone } from "../grant/refs";
import {
  gtReady, gtVersion, nrGrantFrames, maxGrantFrames, nrStatusFrames, sharedFrame, statusFrame, growTable,
  nrEntries, activeEntry, sharedEntry, statusWord, statusFramesFor, populateStatus, unpopulateStatus,
  setVersionField, clearShared, ACT_PIN, ACT_MFN, GNTTAB_NR_RESERVED_ENTRIES, GTF_type_mask, GTF_permit_access,
  GTF_reading, GTF_writing, GNTST_okay, GNTST_general_error, GNTST_bad_domain, GNTST_bad_gntref,
  GNTST_permission_denied, GNTST_bad_virt_addr, GNTST_eagain,
} from "../grant/table";
import { mapGrant, unmapGrant, grantDomain, mapHandle, mapBusAddr } from "../grant/map";
import { copyOne } from "../grant/copy";
import { transferOne } from "../grant/transfer";

export const GNTTABOP_map_grant_ref: u32 = 0;
export const GNTTABOP_unmap_grant_ref: u32 = 1;
export const GNTTABOP_setup_table: u32 = 2;
export const GNTTABOP_dump_table: u32 = 3;
export const GNTTABOP_transfer: u32 = 4;
export const GNTTABOP_copy: u32 = 5;
export const GNTTABOP_query_size: u32 = 6;
export const GNTTABOP_unmap_and_replace: u32 = 7;
export const GNTTABOP_set_version: u32 = 8;
export const GNTTABOP_get_status_frames: u32 = 9;
export const GNTTABOP_get_version: u32 = 10;
export const GNTTABOP_swap_grant_ref: u32 = 11;
export const GNTTABOP_cache_flush: u32 = 12;
const GNTTABOP_CMD_MASK: u32 = 0xfff;

const ERANGE: i64 = 34;
const EILSEQ: i64 = 84;

// Elements handled per invocation before the call is continued (Xen preempts when work is
// pending; a fixed batch keeps runs deterministic).
export const GNT_BATCH: u32 = 128;

// The element being worked on.
const OP: u32 = HV_SCRATCH + 0x100;

// Continuation state of the batch being run.
let batchDone: u32 = 0;
let opaqueOut: u32 = 0;

export function do_grant_table_op(cmd64: u64, uop: u64, count64: u64): i64 {
  const rc = grantTableOp(<u32>cmd64, uop, <u32>count64);
  grantOpDone();
  return rc;
}

function grantTableOp(cmdIn: u32, uop: u64, count: u32): i64 {
  if (<i32>count < 0) return -EINVAL;
  const opaqueIn = cmdIn & ~GNTTABOP_CMD_MASK;
  const cmd = cmdIn & GNTTABOP_CMD_MASK;
  if (cmd != GNTTABOP_cache_flush && opaqueIn != 0) return -EINVAL;
  batchDone = 0;
  opaqueOut = 0;
  let rc: i64;
  switch (cmd) {
    case GNTTABOP_map_grant_ref: rc = batch(cmd, uop, count, 32); break;
    case GNTTABOP_unmap_grant_ref: rc = batch(cmd, uop, count, 24); break;
    case GNTTABOP_unmap_and_replace: rc = batch(cmd, uop, count, 24); break;
    case GNTTABOP_transfer: rc = batch(cmd, uop, count, 24); break;
    case GNTTABOP_copy: rc = batch(cmd, uop, count, 40); break;
    case GNTTABOP_swap_grant_ref: rc = batch(cmd, uop, count, 12); break;
    case GNTTABOP_cache_flush: rc = cacheFlushBatch(uop, count, opaqueIn); break;
    case GNTTABOP_setup_table: rc = setupTable(uop, count); break;
    case GNTTABOP_query_size: rc = querySize(uop, count); break;
    case GNTTABOP_set_version: rc = setVersion(uop); break;
    case GNTTABOP_get_status_frames: rc = getStatusFrames(uop, count); break;
    case GNTTABOP_get_version: rc = getVersion(uop); break;
    default: rc = -ENOSYS; break;
  }
  return rc;
}

// guest_handle_okay: the array must start at an address a guest may pass.
@inline function handleOk(uop: u64): bool {
  return addrOk(uop);
}

function continueAt(cmd: u32, uop: u64, count: u32, done: u32, size: u32): i64 {
  setArg1(<u64>(cmd | opaqueOut));
  setArg2(uop + <u64>done * size);
  setArg3(<u64>(count - done));
  createContinuation();
  return 0;
}

// The per-element batches: each element is read, done, and its outputs written back.
function batch(cmd: u32, uop: u64, count: u32, size: u32): i64 {
  if (!handleOk(uop)) return -EFAULT;
  for (let i: u32 = 0; i < count; i++) {
    if (i == GNT_BATCH) return continueAt(cmd, uop, count, i, size);
    const p = uop + <u64>i * size;
    if (!copyFromGuest(OP, p, size)) return -EFAULT;
    if (!one(cmd, p)) return -EFAULT;
  }
  return 0;
}

// One element at OP (guest address p). False when its result cannot be written.
function one(cmd: u32, p: u64): bool {
  const ld = curDom;
  if (cmd == GNTTABOP_map_grant_ref) {
    const st = mapGrant(ld, load<u64>(OP), load<u32>(OP + 8), load<u32>(OP + 12), <u32>load<u16>(OP + 16));
    store<i16>(OP + 18, <i16>st);
    if (st == GNTST_okay) {
      store<u32>(OP + 20, mapHandle);
      store<u64>(OP + 24, mapBusAddr);
    }
    return copyToGuest(p, OP, 32);
  }
  if (cmd == GNTTABOP_unmap_grant_ref) {
    const st = unmapGrant(ld, load<u64>(OP), load<u64>(OP + 8), load<u32>(OP + 16), 0);
    store<i16>(OP + 20, <i16>st);
    return copyToGuest(p + 20, OP + 20, 2);
  }
  if (cmd == GNTTABOP_unmap_and_replace) {
    const st = unmapGrant(ld, load<u64>(OP), 0, load<u32>(OP + 16), load<u64>(OP + 8));
    store<i16>(OP + 20, <i16>st);
    return copyToGuest(p + 20, OP + 20, 2);
  }
  if (cmd == GNTTABOP_copy) {
    const st = copyOne(
      ld, load<u64>(OP), <u32>load<u16>(OP + 8), <u32>load<u16>(OP + 10),
      load<u64>(OP + 16), <u32>load<u16>(OP + 24), <u32>load<u16>(OP + 26),
      <u32>load<u16>(OP + 32), <u32>load<u16>(OP + 34),
    );
    store<i16>(OP + 36, <i16>st);
    return copyToGuest(p + 36, OP + 36, 2);
  }
  if (cmd == GNTTABOP_transfer) {
    const st = transferOne(ld, load<u64>(OP), <u32>load<u16>(OP + 8), load<u32>(OP + 12));
    store<i16>(OP + 16, <i16>st);
    return copyToGuest(p + 16, OP + 16, 2);
  }
  // swap_grant_ref
  store<i16>(OP + 8, <i16>swapGrantRef(ld, load<u32>(OP), load<u32>(OP + 4)));
  return copyToGuest(p + 8, OP + 8, 2);
}

// rcu_lock_domain_by_any_id + the XSM_TARGET check: the domain, or a negative GNTST_*.
function targetDomain(domid: u32): i32 {
  const d = domid == DOMID_SELF ? curDom : domid;
  if (!grantDomain(d)) return GNTST_bad_domain;
  if (!xsmTarget(d)) return GNTST_permission_denied;
  if (!gtReady(d)) return GNTST_general_error;
  return <i32>d;
}

// ---- setup_table, query_size, get_status_frames (count must be 1) ----

function setupTable(uop: u64, count: u32): i64 {
  if (count != 1) return -EINVAL;
  if (!copyFromGuest(OP, uop, 24)) return -EFAULT;
  const nr = load<u32>(OP + 4);
  const list = load<u64>(OP + 16);
  if (!handleOk(list)) return -EFAULT;
  let st: i32 = GNTST_okay;
  const t = targetDomain(<u32>load<u16>(OP));
  if (t < 0) st = t;
  else {
    const d = <u32>t;
    if (nr > maxGrantFrames(d)) st = GNTST_general_error;
    else if ((nr > nrGrantFrames(d) || (gtVersion(d) == 2 && statusFramesFor(nr) > nrStatusFrames(d))) &&
      !growTable(d, max<u32>(nr, nrGrantFrames(d)))) {
      st = GNTST_general_error;
    } else {
      for (let i: u32 = 0; i < nr; i++) {
        if (!putGuestU64(list + (<u64>i << 3), <u64>sharedFrame(d, i))) st = GNTST_bad_virt_addr;
      }
    }
  }
  store<i16>(OP + 8, <i16>st);
  return copyToGuest(uop + 8, OP + 8, 2) ? 0 : -EFAULT;
}

function querySize(uop: u64, count: u32): i64 {
  if (count != 1) return -EINVAL;
  if (!copyFromGuest(OP, uop, 16)) return -EFAULT;
  const t = targetDomain(<u32>load<u16>(OP));
  if (t < 0) store<i16>(OP + 12, <i16>t);
  else {
    store<u32>(OP + 4, nrGrantFrames(<u32>t));
    store<u32>(OP + 8, maxGrantFrames(<u32>t));
    store<i16>(OP + 12, <i16>GNTST_okay);
  }
  return copyToGuest(uop, OP, 16) ? 0 : -EFAULT;
}

function getStatusFrames(uop: u64, count: u32): i64 {
  if (count != 1) return -EINVAL;
  if (!copyFromGuest(OP, uop, 16)) return -EFAULT;
  const nr = load<u32>(OP);
  const list = load<u64>(OP + 8);
  let st: i32 = GNTST_okay;
  const t = targetDomain(<u32>load<u16>(OP + 4));
  if (t < 0) st = t;
  else if (nr > nrStatusFrames(<u32>t)) st = GNTST_general_error;
  else {
    for (let i: u32 = 0; i < nr; i++) {
      if (!addrOk(list) || !putGuestU64(list + (<u64>i << 3), <u64>statusFrame(<u32>t, i))) st = GNTST_bad_virt_addr;
    }
  }
  store<i16>(OP + 6, <i16>st);
  return copyToGuest(uop + 6, OP + 6, 2) ? 0 : -EFAULT;
}

function getVersion(uop: u64): i64 {
  if (!copyFromGuest(OP, uop, 8)) return -EFAULT;
  const domid = <u32>load<u16>(OP);
  const d = domid == DOMID_SELF ? curDom : domid;
  if (!grantDomain(d)) return -ESRCH;
  if (!xsmTarget(d)) return -EPERM;
  if (!gtReady(d)) return -ENOMEM;
  store<u32>(OP + 4, gtVersion(d));
  return copyToGuest(uop + 4, OP + 4, 4) ? 0 : -EFAULT;
}

// ---- set_version ----

// The first 8 entries (the toolstack's: console, xenstore) survive a switch, as v1 entries.
const RESERVED: u32 = HV_SCRATCH + 0x200;

function setVersion(uop: u64): i64 {
  if (!copyFromGuest(OP, uop, 4)) return -EFAULT;
  const want = load<u32>(OP);
  const d = curDom;
  let res: i64 = 0;
  if (!gtReady(d)) res = -ENOMEM;
  else if (want != 1 && want != 2) res = -EINVAL;
  else if (want != gtVersion(d)) res = switchVersion(d, want);
  store<u32>(OP, gtReady(d) ? gtVersion(d) : 1);
  if (!copyToGuest(uop, OP, 4)) res = -EFAULT;
  return res;
}

function switchVersion(d: u32, want: u32): i64 {
  const n = nrEntries(d);
  for (let r = GNTTAB_NR_RESERVED_ENTRIES; r < n; r++) {
    if (load<u32>(activeEntry(d, r) + ACT_PIN) != 0) return -EBUSY;
  }
  const cur = gtVersion(d);
  if (cur == 1) {
    if (!populateStatus(d, nrGrantFrames(d))) return -ENOMEM;
  } else {
    for (let r: u32 = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++) {
      const e = sharedEntry(d, r);
      const type = <u32>load<u16>(e) & GTF_type_mask;
      if (type == 3 || (type == GTF_permit_access && (load<u64>(e + 8) >> 32) != 0)) return -ERANGE;
    }
  }
  // Save the reserved entries in v1 form.
  for (let r: u32 = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++) {
    const e = sharedEntry(d, r);
    const o = RESERVED + (r << 3);
    if (cur == 1) {
      store<u64>(o, load<u64>(e));
    } else if ((<u32>load<u16>(e) & GTF_type_mask) == GTF_permit_access) {
      store<u16>(o, load<u16>(e) | load<u16>(statusWord(d, r)));
      store<u16>(o + 2, load<u16>(e + 2));
      store<u32>(o + 4, <u32>load<u64>(e + 8));
    } else {
      store<u64>(o, 0);
    }
  }
  if (want == 1 && cur == 2 && !unpopulateStatus(d)) return -EBUSY;
  clearShared(d);
  setVersionField(d, want);
  for (let r: u32 = 0; r < GNTTAB_NR_RESERVED_ENTRIES; r++) {
    const o = RESERVED + (r << 3);
    const e = sharedEntry(d, r);
    if (want == 1) {
      store<u64>(e, load<u64>(o));
    } else {
      const f = load<u16>(o);
      store<u16>(statusWord(d, r), f & <u16>(GTF_reading | GTF_writing));
      store<u16>(e, f & ~<u16>(GTF_reading | GTF_writing));
      store<u16>(e + 2, load<u16>(o + 2));
      store<u64>(e + 8, <u64>load<u32>(o + 4));
    }
  }
  return 0;
}

// ---- swap_grant_ref ----

function swapGrantRef(d: u32, a: u32, b: u32): i32 {
  if (!gtReady(d)) return GNTST_general_error;
  const n = nrEntries(d);
  if (a >= n || b >= n) return GNTST_bad_gntref;
  if (a == b) return GNTST_okay;
  if (load<u32>(activeEntry(d, a) + ACT_PIN) != 0) return GNTST_eagain;
  if (load<u32>(activeEntry(d, b) + ACT_PIN) != 0) return GNTST_eagain;
  const ea = sharedEntry(d, a);
  const eb = sharedEntry(d, b);
  const t0 = load<u64>(ea);
  store<u64>(ea, load<u64>(eb));
  store<u64>(eb, t0);
  if (gtVersion(d) == 2) {
    const t1 = load<u64>(ea + 8);
    store<u64>(ea + 8, load<u64>(eb + 8));
    store<u64>(eb + 8, t1);
    const sa = statusWord(d, a);
    const sb = statusWord(d, b);
    const s = load<u16>(sa);
    store<u16>(sa, load<u16>(sb));
    store<u16>(sb, s);
  }
  return GNTST_okay;
}

// ---- cache_flush ----
const GNTTAB_CACHE_CLEAN: u32 = 1;
const GNTTAB_CACHE_INVAL: u32 = 2;

function cacheFlushBatch(uop: u64, count: u32, opaqueIn: u32): i64 {
  if (!handleOk(uop)) return -EFAULT;
  let curRef = opaqueIn;
  for (let i: u32 = 0; i < count; i++) {
    if (i == GNT_BATCH) {
      opaqueOut = 0;
      return continueAt(GNTTABOP_cache_flush, uop, count, i, 16);
    }
    if (!copyFromGuest(OP, uop + <u64>i * 16, 16)) return -EFAULT;
    const ret = cacheFlush(curRef);
    if (ret < 0) return ret;
    curRef = 0;
  }
  return 0;
}

// cache_flush for the element at OP: the frame must be the caller's or granted to it (found by
// a search of the owner's active entries from curRef). x86 cleans (flushes) caches but cannot
// only invalidate them.
function cacheFlush(curRef: u32): i64 {
  const busAddr = load<u64>(OP);
  const offset = <u32>load<u16>(OP + 8);
  const length = <u32>load<u16>(OP + 10);
  const op = load<u32>(OP + 12);
  if (offset >= 4096 || length > 4096 || offset + length > 4096 || (op & ~(GNTTAB_CACHE_INVAL | GNTTAB_CACHE_CLEAN)) != 0) {
    return -EINVAL;
  }
  if (length == 0 || op == 0) return curRef == 0 ? 0 : -EILSEQ;
  const mfn = busAddr >> 12;
  if (mfn >= <u64>nrFrames) return -EINVAL;
  const owner = frameOwner(mfn);
  if (!grantDomain(owner) || !gtReady(owner)) return -EPERM;
  if (owner != curDom) {
    const n = nrEntries(owner);
    let found = false;
    for (let r = curRef; r < n; r++) {
      const act = activeEntry(owner, r);
      if (load<u32>(act + ACT_PIN) != 0 && <u64>load<u32>(act + ACT_MFN) == mfn &&
        <u32>load<u16>(act + 4) == curDom) {
        found = true;
        break;
      }
    }
    if (!found) return -EINVAL;
  }
  if ((op & GNTTAB_CACHE_CLEAN) == 0) return -EOPNOTSUPP;
  return 0;
}
