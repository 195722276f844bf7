// set_gdt(frame_list, entries) and update_descriptor(maddr, desc) (xen/arch/x86/pv/
// descriptor-tables.c). A GDT frame is one of the caller's frames that takes the seg_desc page
// type, which needs every descriptor in it to pass check_descriptor and no writable mapping
// of it to exist (a writable mapping holds the writable type); the vCPU holds a general and a
// type reference on each frame while it is installed. update_descriptor writes one checked
// descriptor into a descriptor page or an ordinary frame of the caller, never a page table.
import { EINVAL, EFAULT } from "../abi/xen";
import { HV_SCRATCH } from "../layout";
import { curDom, curVcpu } from "../domain/domain";
import { copyFromGuest } from "../mm/guest";
import { ftEntry, frameAddr, FT_TYPE } from "../mm/frames";
import { addrOk } from "../mm/pv_mmu";
import { tlbFlushAll } from "../cpu/mem";
import { codeWritten } from "../cpu/dcache";
import {
  getPage, putPage, getPageType, putPageType, putPageAndType, typeInfo,
  PGT_seg_desc_page, PGT_writable_page, PGT_TYPE_SHIFT, PGT_type_mask, PGT_count_mask, PGT_validated,
} from "../mm/validate";
import {
  checkDescriptor, descOk, validateSegDescPage, FIRST_RESERVED_GDT_ENTRY, GDT_ENTRIES_PER_FRAME,
} from "../mm/segdesc";
import { gdtFrameCount, gdtFrame, gdtInstall } from "../mm/gdt";
import { mmuOpDone } from "../mm/invariants";
import { hypervisorUses } from "../mm/domheap";

// The new frames (u32 MFNs), after the guest's u64 list.
const FRAMES: u32 = HV_SCRATCH + 0x200;

// get_page_type(PGT_seg_desc_page). A frame nobody uses takes the type after its descriptors
// pass (validate_segdesc_page); the validated flag then stays with the type while it is
// unused, as Xen keeps it, since no write can reach the frame without changing its type.
function getSegDescType(mfn: u64): i64 {
  const t = typeInfo(mfn);
  const isSegDesc = (t >> PGT_TYPE_SHIFT) == PGT_seg_desc_page && (t & PGT_validated) != 0;
  if (!isSegDesc && (t & PGT_count_mask) == 0) {
    const rc = validateSegDescPage(mfn);
    if (rc != 0) return rc;
    // A frame changing use must not stay reachable through a stale translation.
    tlbFlushAll();
    store<u64>(ftEntry(mfn) + FT_TYPE, (t & ~(PGT_type_mask | PGT_validated)) | (PGT_seg_desc_page << PGT_TYPE_SHIFT) | PGT_validated);
  }
  return getPageType(mfn, PGT_seg_desc_page);
}

export function do_set_gdt(frameList: u64, entries: u64): i64 {
  // entries is an unsigned int in Xen's prototype.
  const rc = setGdt(frameList, entries & 0xffffffff);
  mmuOpDone();
  return rc;
}

function setGdt(frameList: u64, entries: u64): i64 {
  if (entries > <u64>FIRST_RESERVED_GDT_ENTRY) return -EINVAL;
  const n = (<u32>entries + GDT_ENTRIES_PER_FRAME - 1) / GDT_ENTRIES_PER_FRAME;
  if (n > 0) {
    const end = frameList + <u64>n * 8 - 1;
    if (end < frameList || !addrOk(frameList) || !addrOk(end)) return -EFAULT;
    if (!copyFromGuest(HV_SCRATCH, frameList, n * 8)) return -EFAULT;
  }
  const d = curDom;
  let i: u32 = 0;
  for (; i < n; i++) {
    const mfn = load<u64>(HV_SCRATCH + (i << 3));
    if (!getPage(mfn, d)) break;
    // shared_info and vcpu_info frames are the hypervisor's to write (Xen: a permanent
    // writable type), never descriptor pages.
    if (hypervisorUses(mfn, d) || getSegDescType(mfn) != 0) {
      putPage(mfn);
      break;
    }
    store<u32>(FRAMES + (i << 2), <u32>mfn);
  }
  if (i < n) {
    while (i > 0) {
      i--;
      putPageAndType(<u64>load<u32>(FRAMES + (i << 2)));
    }
    return -EINVAL;
  }
  // The new frames hold their references; the old ones let go.
  const v = curVcpu;
  const old = gdtFrameCount(v);
  for (let k: u32 = 0; k < old; k++) putPageAndType(gdtFrame(v, k));
  gdtInstall(v, FRAMES, n, <u32>entries);
  tlbFlushAll();
  return 0;
}

export function do_update_descriptor(ma: u64, desc: u64): i64 {
  const rc = updateDescriptor(ma, desc);
  mmuOpDone();
  return rc;
}

function updateDescriptor(ma: u64, desc: u64): i64 {
  // Misaligned, it would straddle two descriptors.
  if ((ma & 7) != 0) return -EINVAL;
  const d = checkDescriptor(desc);
  if (!descOk) return -EINVAL;
  const mfn = ma >> 12;
  if (!getPage(mfn, curDom)) return -EINVAL;
  // A descriptor page stays one; anything else must be an ordinary (writable-type) frame.
  const type = typeInfo(mfn) >> PGT_TYPE_SHIFT;
  const rc = type == PGT_seg_desc_page ? getSegDescType(mfn) : getPageType(mfn, PGT_writable_page);
  if (rc != 0) {
    putPage(mfn);
    return -EINVAL;
  }
  store<u64>(frameAddr(mfn) + (<u32>ma & 0xff8), d);
  codeWritten(<u32>mfn);
  putPageType(mfn, -1);
  putPage(mfn);
  return 0;
}
