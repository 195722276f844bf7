// Frame-table checks for suites that share memory between domains (grants, destruction).
import assert from "node:assert/strict";
import { Hypervisor } from "../../host/index.ts";
import { readCString } from "../../host/core.ts";
import { grantExports } from "../../host/backends/grants.ts";

// The MMU and grant invariants hold (mm/invariants.ts, grant/refs.ts).
export function assertFrameTableClean(hv: Hypervisor): void {
  const n = grantExports(hv.core).gntCheckInvariants();
  const why = n === 0 ? "" : readCString(hv.core, hv.core.exports.messageAddr(), 1024);
  assert.equal(n, 0, `${n} violation(s): ${why}`);
}

// The debug core, checking the frame table after every grant_table_op.
export function checkedHypervisor(): Hypervisor {
  const hv = new Hypervisor({ memoryMiB: 64, core: "debug" });
  grantExports(hv.core).gntSetChecks(1);
  return hv;
}
