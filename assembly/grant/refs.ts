// The references grant tables hold outside page tables, for the MMU invariant checker: the
// hypervisor's own reference on every shared and status frame, and every device mapping
// (the host's backends map that way). Host mappings of guests are PTEs, which the checker
// already counts from the L1 tables.
//
// The invariant checker (mm/invariants.ts) takes them into account through grantRefs.
import { MAX_DOMAINS } from "../layout";
import { ftEntry, FT_COUNT, FT_TYPE } from "../mm/frames";
import { checkInvariants } from "../mm/invariants";
import { msgLength } from "../domain/domain";
import { MESSAGE_BUF } from "../layout";
import {
  gtInited, nrGrantFrames, nrStatusFrames, sharedFrame, statusFrame, maptrackLimit, maptrackEntry, activeEntry,
  MT_FLAGS, MT_DOMID, MT_REF, ACT_MFN, GNTMAP_device_map, GNTMAP_readonly,
} from "./table";

function adjust(mfn: u64, delta: i32, typed: bool): void {
  const e = ftEntry(mfn);
  store<u32>(e + FT_COUNT, load<u32>(e + FT_COUNT) + <u32>delta);
  if (typed) {
    const t = load<u64>(e + FT_TYPE);
    store<u64>(e + FT_TYPE, (t & ~<u64>0xffffffff) | ((t + <u64><i64>delta) & 0xffffffff));
  }
}

// Apply (delta +1 or -1) every reference grant tables hold without a PTE.
export function grantRefs(delta: i32): void {
  for (let d: u32 = 0; d < MAX_DOMAINS; d++) {
    if (!gtInited(d)) continue;
    for (let i: u32 = 0; i < nrGrantFrames(d); i++) adjust(sharedFrame(d, i), delta, false);
    for (let i: u32 = 0; i < nrStatusFrames(d); i++) adjust(statusFrame(d, i), delta, false);
    const limit = maptrackLimit(d);
    for (let h: u32 = 0; h < limit; h++) {
      const mt = maptrackEntry(d, h);
      const flags = <u32>load<u16>(mt + MT_FLAGS);
      if ((flags & GNTMAP_device_map) == 0) continue;
      const rd = <u32>load<u16>(mt + MT_DOMID);
      const mfn = <u64>load<u32>(activeEntry(rd, load<u32>(mt + MT_REF)) + ACT_MFN);
      adjust(mfn, delta, (flags & GNTMAP_readonly) == 0);
    }
  }
}

export function checkWithGrants(): u32 {
  return checkInvariants(); // the checker counts grant references itself (otherHolders)
}

// Run the checker after every grant_table_op (tests), aborting the core on a violation.
let grantChecks = false;

export function setGrantChecks(on: bool): void {
  grantChecks = on;
}

export function grantOpDone(): void {
  if (!grantChecks) return;
  if (checkWithGrants() != 0) abort(String.UTF8.decodeUnsafe(MESSAGE_BUF, msgLength()));
}
