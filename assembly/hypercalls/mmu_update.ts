// mmu_update (xen/arch/x86/mm.c do_mmu_update): a batch of {ptr, val} requests. ptr & 7 is
// the command: 0 MMU_NORMAL_PT_UPDATE / 2 PRESERVE_AD / 3 NO_TRANSLATE write val into the entry
// at machine address ptr (validated by the level of the table it lies in; a plain writable
// frame just takes the write), 1 MMU_MACHPHYS_UPDATE sets M2P[ptr >> 12] = val. The batch stops
// at the first error; *done counts the requests processed. Long batches are continued.
import { EINVAL, EPERM, ESRCH, EFAULT, ENOSYS, DOMID_SELF, DOMID_IO, DOMID_XEN } from "../abi/xen";
import { HV_SCRATCH } from "../layout";
import { curDom, dom, domValid, DOM_PRIVILEGED } from "../domain/domain";
import { copyFromGuest, getGuestU32, putGuestU32, guestOk } from "../mm/guest";
import { frameAddr, m2pSet } from "../mm/frames";
import {
  getPage, putPage, getPageType, putPageType, pageType, typeInUse,
  PGT_l1_page_table, PGT_l2_page_table, PGT_l4_page_table, PGT_writable_page,
} from "../mm/validate";
import { modL1Entry, modLnEntry, addrOk } from "../mm/pv_mmu";
import { createContinuation, setArg1, setArg2 } from "./args";
import { mmuOpDone } from "../mm/invariants";
import { codeWritten } from "../cpu/dcache";

export const MMU_NORMAL_PT_UPDATE: u32 = 0;
export const MMU_MACHPHYS_UPDATE: u32 = 1;
export const MMU_PT_UPDATE_PRESERVE_AD: u32 = 2;
export const MMU_PT_UPDATE_NO_TRANSLATE: u32 = 3;

// The top bit of the count marks a continued call (Xen's MMU_UPDATE_PREEMPTED).
export const MMU_UPDATE_PREEMPTED: u32 = 0x80000000;
// Internal: a batch stopped to be continued (Xen's ERESTART).
export const ERESTART: i64 = 85;
// Requests handled per invocation before the call is continued (Xen preempts when work is
// pending; a fixed batch keeps runs deterministic and a huge count from holding the CPU).
export const MMU_BATCH: u32 = 512;

// Owner "no domain" from getPgOwner.
export const NO_OWNER: i32 = -1;

// get_pg_owner: the domain whose frames a request may name. DOMID_SELF is the caller; naming
// the caller by its own id is refused; DOMID_IO and DOMID_XEN stand for themselves.
export function getPgOwner(domid: u32): i32 {
  if (domid == DOMID_SELF) return <i32>curDom;
  if (domid == curDom) return NO_OWNER;
  if (domid == DOMID_IO || domid == DOMID_XEN) return <i32>domid;
  if (domValid(domid)) return <i32>domid;
  return NO_OWNER;
}

// XSM's default policy for XSM_TARGET: a domain acts on itself; only a privileged one on others.
export function xsmTarget(target: u32): bool {
  return target == curDom || load<u32>(dom(curDom) + DOM_PRIVILEGED) != 0;
}

// A continued batch (count | MMU_UPDATE_PREEMPTED) goes on from the guest's done counter.
export function resumedDone(count: u32, pdone: u64): u32 {
  if ((count & MMU_UPDATE_PREEMPTED) == 0 || pdone == 0 || !addrOk(pdone)) return 0;
  const v = getGuestU32(pdone);
  return guestOk ? v : 0;
}

export function do_mmu_update(ureqs: u64, count: u64, pdone: u64, foreigndom: u64): i64 {
  const rc = mmuUpdate(ureqs, <u32>count, pdone, <u32>foreigndom);
  mmuOpDone();
  return rc;
}

function mmuUpdate(ureqs: u64, count: u32, pdone: u64, foreigndom: u32): i64 {
  if (count == MMU_UPDATE_PREEMPTED && ureqs == 0) return <i64><i32>foreigndom;
  let done = resumedDone(count, pdone);
  count &= ~MMU_UPDATE_PREEMPTED;
  if (!addrOk(ureqs)) return -EFAULT;

  // foreigndom[31:16] = page-table owner + 1 (0: the caller); [15:0] = owner of mapped frames.
  const d = curDom;
  let ptOwner = d;
  const ptDom = foreigndom >> 16;
  if (ptDom != 0) {
    if (ptDom - 1 != d && !domValid(ptDom - 1)) return -ESRCH;
    ptOwner = ptDom - 1;
  }
  let rc: i64 = 0;
  let i: u32 = 0;
  const pg = getPgOwner(foreigndom & 0xffff);
  if (pg == NO_OWNER) {
    rc = -ESRCH;
  } else {
    const pgOwner = <u32>pg;
    for (; i < count; i++) {
      if (i >= MMU_BATCH) {
        rc = -ERESTART;
        break;
      }
      if (!copyFromGuest(HV_SCRATCH, ureqs + <u64>i * 16, 16)) {
        rc = -EFAULT;
        break;
      }
      const ptr = load<u64>(HV_SCRATCH);
      const val = load<u64>(HV_SCRATCH + 8);
      const cmd = <u32>ptr & 7;
      if (cmd == MMU_NORMAL_PT_UPDATE || cmd == MMU_PT_UPDATE_PRESERVE_AD || cmd == MMU_PT_UPDATE_NO_TRANSLATE) {
        if ((pgOwner != DOMID_IO && !xsmTarget(pgOwner)) || !xsmTarget(ptOwner)) rc = -EPERM;
        else rc = ptUpdate(ptr - <u64>cmd, val, cmd == MMU_PT_UPDATE_PRESERVE_AD, ptOwner, pgOwner);
      } else if (cmd == MMU_MACHPHYS_UPDATE) {
        if (d != ptOwner || (pgOwner != DOMID_IO && !xsmTarget(pgOwner))) rc = -EPERM;
        else rc = machphysUpdate(ptr >> 12, val, pgOwner);
      } else {
        rc = -ENOSYS;
      }
      if (rc != 0) break;
    }
  }
  if (rc == -ERESTART) {
    setArg1(ureqs + <u64>i * 16);
    setArg2(<u64>((count - i) | MMU_UPDATE_PREEMPTED));
    createContinuation();
  }
  if (pdone != 0 && addrOk(pdone)) putGuestU32(pdone, done + i);
  return rc;
}

// One MMU_NORMAL_PT_UPDATE: ma is the 8-byte aligned machine address of the entry.
function ptUpdate(ma: u64, val: u64, preserveAd: bool, ptOwner: u32, pgOwner: u32): i64 {
  const mfn = ma >> 12;
  if (!getPage(mfn, ptOwner)) return -EINVAL;
  const p = frameAddr(mfn) + (<u32>ma & 0xff8);
  let rc: i64 = -EINVAL;
  if (typeInUse(mfn)) {
    const type = pageType(mfn);
    if (type == PGT_l1_page_table) {
      rc = modL1Entry(p, val, mfn, preserveAd, ptOwner, pgOwner);
    } else if (type >= PGT_l2_page_table && type <= PGT_l4_page_table) {
      if (pgOwner == ptOwner) rc = modLnEntry(p, val, mfn, type, preserveAd, ptOwner);
    } else if (type == PGT_writable_page) {
      rawWrite(mfn, p, val);
      rc = 0;
    }
  } else if (getPageType(mfn, PGT_writable_page) == 0) {
    // A frame nobody uses as anything: becomes writable for the write.
    rawWrite(mfn, p, val);
    putPageType(mfn, -1);
    rc = 0;
  }
  putPage(mfn);
  return rc;
}

// A plain write into an ordinary frame (which may hold code the CPU has decoded).
function rawWrite(mfn: u64, p: u32, val: u64): void {
  store<u64>(p, val);
  codeWritten(<u32>mfn);
}

// MMU_MACHPHYS_UPDATE: keep the M2P in step with the guest's own p2m.
function machphysUpdate(mfn: u64, pfn: u64, pgOwner: u32): i64 {
  if (!getPage(mfn, pgOwner)) return -EINVAL;
  m2pSet(mfn, pfn);
  putPage(mfn);
  return 0;
}
