// The run loop: executes the loaded vCPU instruction by instruction until its budget is
// spent or the hypervisor needs the host (shutdown, console output to drain, idle).
import {
  RIP, INSNS, DEC, EXIT_INFO, BLOCK_HDR, REC_SIZE, BLOCK_LINK_VA, BLOCK_LINK_BLK, BLOCK_LINK_TAG, BLOCK_LINK_EPOCH,
} from "../layout";
import {
  fetchPtr, fetchHost, faulted, clearFault, excVector, excError, excAddr, mapEpoch, bumpEpoch, EXC_PF,
} from "../cpu/mem";
import { blockAt, buildBlock, loadRecord } from "../cpu/dcache";
import { setBatchInsns } from "../time/clock";
import { decode, D_LEN, D_HANDLER } from "../cpu/decode";
import { execFast } from "../cpu/fast";
import { execute } from "../cpu/exec";
import { setNrip, nrip } from "../cpu/regs";
import { deliverException } from "../domain/traps";
import { deliverEvents } from "../evtchn/deliver";
import { trace, TR_FAULT } from "../trace/trace";
import { curPcpu } from "./pcpu";
import { curDom, vc, VC_ID } from "../domain/domain";
import { nowCycles, charge, COST_BOUNCE } from "../time/clock";
import { ptwrFault } from "../mm/ptwr";

export const EXIT_NONE: u32 = 0;
export const EXIT_BUDGET: u32 = 1; // budget used up
export const EXIT_SHUTDOWN: u32 = 2; // the domain shut down (reason in its control block)
export const EXIT_CONSOLE: u32 = 3; // console_io output waiting for the host
export const EXIT_IDLE: u32 = 4; // nothing runnable
export const EXIT_EXCEPTION: u32 = 5; // trap-to-host mode: an exception stopped the vCPU
export const EXIT_BLOCKED: u32 = 6; // the vCPU blocked, polled or went down: schedule another
export const EXIT_YIELD: u32 = 7; // SCHEDOP_yield: end the slice
export const EXIT_HOST_EVENT: u32 = 8; // a host (dom0) port was raised: the backends have work
export const EXIT_EVENTS: u32 = 9; // not an exit: check for an event upcall, then go on
export const EXIT_TIME: u32 = 10; // runMachine reached the time it was asked to run to

// Exception record for EXIT_EXCEPTION (in EXIT_INFO): u32 vector, i32 error code, u64 CR2.
export const EXC_INFO_VECTOR: u32 = EXIT_INFO;
export const EXC_INFO_ERROR: u32 = EXIT_INFO + 4;
export const EXC_INFO_CR2: u32 = EXIT_INFO + 8;

// Trap-to-host mode (CPU tests): exceptions stop the run instead of entering the guest.
export let trapToHost: bool = false;
export function setTrapToHost(on: bool): void {
  trapToHost = on;
}

export let exitReason: u32 = EXIT_NONE;

// A real exit overrides a pending event check; the first real exit wins.
export function requestExit(r: u32): void {
  if (exitReason == EXIT_NONE || exitReason == EXIT_EVENTS) exitReason = r;
  bumpEpoch(); // leave the current block at once
}

// Returning to the guest from the hypervisor (hypercall, exception): check for an event upcall
// at the next block boundary (Xen's test_guest_events).
export function requestEventCheck(): void {
  if (exitReason == EXIT_NONE) {
    exitReason = EXIT_EVENTS;
    bumpEpoch();
  }
}

// Deliver (or, in trap-to-host mode, report) the exception the last instruction raised.
function takeFault(): void {
  clearFault();
  if (trapToHost) {
    store<u32>(EXC_INFO_VECTOR, excVector);
    store<i32>(EXC_INFO_ERROR, excError);
    store<u64>(EXC_INFO_CR2, excAddr);
    requestExit(EXIT_EXCEPTION);
    return;
  }
  // A kernel write to a read-only mapping of a live L1 table may be an emulated PTE write.
  if (excVector == EXC_PF && ptwrFault()) return;
  trace(TR_FAULT, nowCycles(), curPcpu, curDom, load<u32>(vc() + VC_ID), <u64>excVector, <u64>excError);
  deliverException(excVector, excError);
  charge(COST_BOUNCE);
  requestEventCheck();
}

// An instruction that may cross into the next page: decoded every time, never cached.
function stepUncached(rip: u64): bool {
  const p = fetchPtr(rip);
  if (p == 0 || !decode(p)) {
    takeFault();
    return false;
  }
  setNrip(rip + <u64>load<u8>(DEC + D_LEN));
  execute();
  if (faulted) {
    takeFault();
    return false;
  }
  store<u64>(RIP, nrip);
  return true;
}

// Run up to budget instructions. Returns the exit reason.
// Instructions run in decoded blocks; a block is left early when an instruction transfers
// control, faults, changes mappings or cached code (mapEpoch), or needs the host.
export function runVcpu(budget: u32): u32 {
  exitReason = EXIT_NONE;
  let n: u32 = 0;
  let prevBlk: u32 = 0; // the block that ran last, for its link to the next one
  while (n < budget) {
    if (exitReason != EXIT_NONE) {
      if (exitReason != EXIT_EVENTS) break;
      exitReason = EXIT_NONE;
      if (!trapToHost) deliverEvents();
      continue;
    }
    let rip = load<u64>(RIP);
    if ((<u32>rip & 0xfff) > 4096 - 16) {
      setBatchInsns(<u64>n);
      if (stepUncached(rip)) n++;
      continue;
    }
    let blk: u32 = 0;
    // The block that followed the previous one last time, while no mapping has changed since.
    if (prevBlk != 0 && load<u64>(prevBlk + BLOCK_LINK_VA) == rip && load<u32>(prevBlk + BLOCK_LINK_EPOCH) == mapEpoch) {
      const b = load<u32>(prevBlk + BLOCK_LINK_BLK);
      if (load<u32>(b) == load<u32>(prevBlk + BLOCK_LINK_TAG)) blk = b;
    }
    if (blk == 0) {
      const h = fetchHost(rip);
      if (h == 0) {
        prevBlk = 0;
        takeFault();
        continue;
      }
      blk = blockAt(h);
      if (load<u32>(blk) != h) {
        blk = buildBlock(h);
        if (blk == 0) {
          prevBlk = 0;
          takeFault();
          continue;
        }
      }
      if (prevBlk != 0) {
        store<u64>(prevBlk + BLOCK_LINK_VA, rip);
        store<u32>(prevBlk + BLOCK_LINK_BLK, blk);
        store<u32>(prevBlk + BLOCK_LINK_TAG, h);
        store<u32>(prevBlk + BLOCK_LINK_EPOCH, mapEpoch);
      }
    }
    prevBlk = blk;
    const blockLen = load<u32>(blk + 4);
    let count = min<u32>(blockLen, budget - n);
    const epoch = mapEpoch;
    const start = rip;
    let rec = blk + BLOCK_HDR;
    let k: u32 = 0;
    while (true) {
      const h = <u32>load<u8>(rec + D_HANDLER);
      const next = rip + <u64>load<u8>(rec + D_LEN);
      let to: u64;
      if (h != 0) {
        // Specialised handler: reads the cached record in place; RIP is stored lazily. A fault
        // moves mapEpoch (raise), so the common case needs one check.
        to = execFast(rec, h, next);
        k++;
        if (to == next && k < count && mapEpoch == epoch) {
          n++;
          rip = to;
          rec += REC_SIZE;
          continue;
        }
        if (faulted) {
          store<u64>(RIP, rip);
          takeFault();
          break;
        }
        k--;
      } else {
        store<u64>(RIP, rip);
        loadRecord(rec);
        setNrip(next);
        setBatchInsns(<u64>n);
        execute();
        if (faulted) {
          takeFault();
          break;
        }
        to = nrip;
      }
      n++;
      rip = to;
      k++;
      // mapEpoch also moves when an exit is requested (requestExit).
      if (to == next && k < count && mapEpoch == epoch) {
        rec += REC_SIZE;
        continue;
      }
      if (n >= budget || mapEpoch != epoch) {
        store<u64>(RIP, rip);
        break;
      }
      if (to == start) {
        // A loop back to this block's start: run it again without a lookup.
        rec = blk + BLOCK_HDR;
        k = 0;
        count = min<u32>(blockLen, budget - n);
        continue;
      }
      store<u64>(RIP, rip);
      break;
    }
  }
  store<u64>(INSNS, load<u64>(INSNS) + <u64>n);
  setBatchInsns(0);
  if (exitReason == EXIT_EVENTS) exitReason = EXIT_NONE; // checked again when the vCPU next runs
  return exitReason == EXIT_NONE ? EXIT_BUDGET : exitReason;
}
