// XENMEM_exchange (xen/common/memory.c memory_exchange): trade frames of the domain for new
// ones, chunk by chunk. A chunk is the smallest amount where input and output sizes match
// (2^max(in.order, out.order) pages). Input frames must be the domain's and unreferenced
// (steal_page: no mapping, pin, base pointer or descriptor-table use); they are freed and the
// new frames take their place without tot_pages moving (MEMF_no_refcount). For a PV domain the
// input list holds MFNs and the output list GPFNs in, MFNs out (the M2P is set). On failure
// the chunk is undone and nr_exchanged says how many input extents were traded.
import { EINVAL, EFAULT, ESRCH, EPERM, ENOMEM } from "../abi/xen";
import { HV_SCRATCH } from "../layout";
import { ftEntry, FT_COUNT, FT_OWNER, FT_FLAGS, FTF_ALLOCATED, freeFrame, m2pSet, mfnValid } from "../mm/frames";
import { copyFromGuest, copyToGuest, getGuestU64, putGuestU64, guestOk } from "../mm/guest";
import { addrOk } from "../mm/pv_mmu";
import { allocRawExtent, clearAllocated, restoreAllocated, freeDomFrame, hypervisorUses } from "../mm/domheap";
import { xsmTarget } from "./mmu_update";
import { createContinuation } from "./args";
import { domainByAnyId, subrangeOk, addressLimit, MAX_ORDER, MEMOP_BATCH_PAGES } from "./memory_op";

// xen_memory_exchange (72 bytes): in @0, out @32 (xen_memory_reservation each), nr_exchanged @64.
const EXCH: u32 = HV_SCRATCH + 0x100;
// The chunk's stolen input frames and new output extents (at most 512 each), u32 MFNs.
const IN_MFNS: u32 = HV_SCRATCH + 0x200;
const OUT_MFNS: u32 = HV_SCRATCH + 0xa00;

let nIn: u32 = 0;
let nOut: u32 = 0;

// steal_page: the domain's frame, allocated, and held by nobody; it loses its allocation
// (which also makes a second mention of it in the same chunk fail).
function stealPage(d: u32, mfn: u64): bool {
  if (!mfnValid(mfn)) return false;
  const e = ftEntry(mfn);
  if (<u32>load<u16>(e + FT_OWNER) != d || (load<u16>(e + FT_FLAGS) & FTF_ALLOCATED) == 0) return false;
  if (load<u32>(e + FT_COUNT) != 0 || hypervisorUses(mfn, d)) return false;
  clearAllocated(mfn);
  return true;
}

// nr_exchanged back to the guest (__copy_field_to_guest); rc, or -EFAULT if that fails.
function finish(arg: u64, nrExchanged: u64, rc: i64): i64 {
  store<u64>(EXCH + 64, nrExchanged);
  if (!copyToGuest(arg + 64, EXCH + 64, 8)) return -EFAULT;
  return rc;
}

// Give back what a failed chunk took.
function undoChunk(outOrder: u32): void {
  for (let j: u32 = 0; j < nIn; j++) restoreAllocated(<u64>load<u32>(IN_MFNS + (j << 2)));
  for (let j: u32 = 0; j < nOut; j++) {
    const m = load<u32>(OUT_MFNS + (j << 2));
    for (let k: u32 = 0; k < (<u32>1 << outOrder); k++) freeFrame(m + k);
  }
  nIn = 0;
  nOut = 0;
}

export function memoryExchange(arg: u64): i64 {
  if (!addrOk(arg) || !copyFromGuest(EXCH, arg, 72)) return -EFAULT;
  const inList = load<u64>(EXCH);
  const inNr = load<u64>(EXCH + 8);
  const inOrder = load<u32>(EXCH + 16);
  const inDomid = <u32>load<u16>(EXCH + 24);
  const outList = load<u64>(EXCH + 32);
  const outNr = load<u64>(EXCH + 40);
  const outOrder = load<u32>(EXCH + 48);
  const outFlags = load<u32>(EXCH + 52);
  const outDomid = <u32>load<u16>(EXCH + 56);
  const nrExchanged = load<u64>(EXCH + 64);

  if (max<u32>(inOrder, outOrder) > MAX_ORDER) return finish(arg, nrExchanged, -EPERM);
  // The lists must describe the same amount of memory, and their sizes fit a long.
  if (nrExchanged > inNr || inDomid != outDomid ||
      (<u64>-1 >> inOrder) < inNr || (<u64>-1 >> outOrder) < outNr ||
      (inNr << inOrder) != (outNr << outOrder)) {
    return finish(arg, nrExchanged, -EINVAL);
  }
  if (!subrangeOk(inList, nrExchanged, inNr - 1)) return finish(arg, nrExchanged, -EFAULT);
  let inCO: u32 = 0;
  let outCO: u32 = 0;
  if (inOrder <= outOrder) {
    inCO = outOrder - inOrder;
    if (!subrangeOk(outList, nrExchanged >> inCO, outNr - 1)) return finish(arg, nrExchanged, -EFAULT);
  } else {
    outCO = inOrder - outOrder;
    if (!subrangeOk(outList, nrExchanged << outCO, outNr - 1)) return finish(arg, nrExchanged, -EFAULT);
  }
  const target = domainByAnyId(inDomid);
  if (target < 0) return finish(arg, nrExchanged, -ESRCH);
  const d = <u32>target;
  if (!xsmTarget(d)) return finish(arg, nrExchanged, -EPERM);
  const limit = addressLimit(outFlags);

  const first = nrExchanged >> inCO;
  const chunks = inNr >> inCO;
  const chunkPages: u32 = 1 << max<u32>(inOrder, outOrder);
  let work: u32 = 0;
  let rc: i64 = 0;
  nIn = 0;
  nOut = 0;
  let i = first;
  for (; i < chunks; i++) {
    if (i != first && work >= MEMOP_BATCH_PAGES) {
      // Continued: the guest's nr_exchanged says where to resume.
      const r = finish(arg, i << inCO, 0);
      if (r != 0) return r;
      createContinuation();
      return 0;
    }
    work += chunkPages;
    // Steal a chunk's worth of input frames.
    for (let j: u64 = 0; j < (<u64>1 << inCO) && rc == 0; j++) {
      const gmfn = getGuestU64(inList + (((i << inCO) + j) << 3));
      if (!guestOk) {
        rc = -EFAULT;
        break;
      }
      for (let k: u64 = 0; k < (<u64>1 << inOrder); k++) {
        if (!stealPage(d, gmfn + k)) {
          rc = -EINVAL;
          break;
        }
        store<u32>(IN_MFNS + (nIn << 2), <u32>(gmfn + k));
        nIn++;
      }
    }
    // A chunk's worth of new extents.
    for (let j: u64 = 0; j < (<u64>1 << outCO) && rc == 0; j++) {
      const mfn = limit >= 0 ? allocRawExtent(d, outOrder, <u64>limit) : -1;
      if (mfn < 0) {
        rc = -ENOMEM;
        break;
      }
      store<u32>(OUT_MFNS + (nOut << 2), <u32>mfn);
      nOut++;
    }
    if (rc != 0) break;
    // Past this point the chunk cannot fail: the input frames go, the new ones are the domain's.
    for (let j: u32 = 0; j < nIn; j++) freeDomFrame(<u64>load<u32>(IN_MFNS + (j << 2)));
    nIn = 0;
    for (let j: u32 = 0; j < nOut; j++) {
      const mfn = <u64>load<u32>(OUT_MFNS + (j << 2));
      const at = outList + (((i << outCO) + <u64>j) << 3);
      const gpfn = getGuestU64(at);
      if (!guestOk) {
        rc = -EFAULT;
        continue;
      }
      for (let k: u64 = 0; k < (<u64>1 << outOrder); k++) m2pSet(mfn + k, gpfn + k);
      if (!putGuestU64(at, mfn)) rc = -EFAULT;
    }
    nOut = 0;
    if (rc != 0) break;
  }
  if (rc != 0) {
    undoChunk(outOrder);
    return finish(arg, i << inCO, rc);
  }
  return finish(arg, inNr, 0);
}
