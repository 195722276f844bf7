// The host's (dom0's) use of grants, exported to the host: its backends map a guest's grant
// into their view of memory and copy through grants, with the checks a guest gets. The host
// has no page tables, so its mappings are device mappings (the frame's machine address is
// what it gets back); they hold the references a device mapping holds.
import { reapDomains } from "../domain/destroy";
import { frameAddr } from "../mm/frames";
import { mapGrant, unmapGrant, mapHandle, mapBusAddr } from "./map";
import { copyOne, GNTCOPY_source_gref, GNTCOPY_dest_gref } from "./copy";
import { setLimits, GNTMAP_device_map, GNTMAP_readonly, GNTST_okay } from "./table";
import { checkWithGrants, setGrantChecks } from "./refs";

let lastAddr: u32 = 0;

// Per-domain limits (before the domain's first grant operation): 0 or -EINVAL.
export function gntSetLimits(d: u32, maxFrames: u32, maxMaptrackFrames: u32): i32 {
  return setLimits(d, maxFrames, maxMaptrackFrames);
}

// Map grant ref of domain rd: a handle (>= 0) or a GNTST_* error; gntHostMapAddr() is then the
// host address of the frame.
export function gntHostMap(rd: u32, ref: u32, readonly: bool): i32 {
  const st = mapGrant(0, 0, GNTMAP_device_map | (readonly ? GNTMAP_readonly : 0), ref, rd);
  if (st != GNTST_okay) return st;
  lastAddr = frameAddr(mapBusAddr >> 12);
  return <i32>mapHandle;
}

export function gntHostMapAddr(): u32 {
  return lastAddr;
}

// Unmap a handle of gntHostMap: GNTST_*. busAddr 0 leaves the mapping (as a device unmap
// without an address does); the host passes the frame's address back.
export function gntHostUnmap(handle: u32, hostAddr: u32): i32 {
  const bus: u64 = hostAddr == 0 ? 0 : (<u64>((hostAddr - frameAddr(0)) >> 12)) << 12;
  const rc = unmapGrant(0, 0, bus, handle, 0);
  reapDomains(); // the host may have held the last frame of a destroyed domain
  return rc;
}

// Copy len bytes from (srcDom, srcRef, srcOff) to (dstDom, dstRef, dstOff), both grants to the
// host. GNTST_*.
export function gntHostCopy(srcDom: u32, srcRef: u32, srcOff: u32, dstDom: u32, dstRef: u32, dstOff: u32, len: u32): i32 {
  return copyOne(0, <u64>srcRef, srcDom, srcOff, <u64>dstRef, dstDom, dstOff, len, GNTCOPY_source_gref | GNTCOPY_dest_gref);
}

// The MMU invariant checker with the grant tables' own references accounted for.
export function gntCheckInvariants(): u32 {
  return checkWithGrants();
}

// Check the frame table after every grant_table_op (aborting the core on a violation).
export function gntSetChecks(on: bool): void {
  setGrantChecks(on);
}
