// The run loop: executes the loaded vCPU instruction by instruction until its budget is
// spent or the hypervisor needs the host (shutdown, console output to drain, idle).
import {
  RIP, INSNS, DEC, EXIT_INFO, BLOCK_HDR, REC_SIZE, BLOCK_LINK_FALL, BLOCK_LINK_TAKEN, LINK_VA, LINK_BLK, LINK_TAG, LINK_EPOCH,
} from "../layout";
import {
  fetchPtr, fetchHost, faulted, clearFault, excVector, excError, excAddr, mapEpoch, bumpEpoch, EXC_PF,
  EXC_GP, EXC_SS, nonCanonicalData, setFaultVector,
} from "../cpu/mem";
import { blockAt, buildBlock, loadRecord } from "../cpu/dcache";
import { setBatchInsns } from "../time/clock";
import { decode, D_LEN, D_HANDLER } from "../cpu/decode";
import { fastRun, fastRec, fastStop, STOP_GENERIC, STOP_TAKEN } from "../cpu/fast";
import { execute, stackSegmentFault } from "../cpu/exec";
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
  // DEC holds the faulting instruction when a data access raised the fault.
  if (nonCanonicalData && excVector == EXC_GP && stackSegmentFault()) setFaultVector(EXC_SS);
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

// The block that follows block blk when control goes to rip through link slot (BLOCK_LINK_FALL
// or BLOCK_LINK_TAKEN), or 0 when the link is stale: made under other mappings (mapEpoch), for
// another address, or to a block whose cache slot has since been reused.
@inline function linked(blk: u32, slot: u32, rip: u64): u32 {
  const l = blk + slot;
  if (load<u64>(l + LINK_VA) != rip || load<u32>(l + LINK_EPOCH) != mapEpoch) return 0;
  const b = load<u32>(l + LINK_BLK);
  return load<u32>(b) == load<u32>(l + LINK_TAG) ? b : 0;
}

// Run up to budget instructions. Returns the exit reason.
// Instructions run in decoded blocks; a block is left early when an instruction transfers
// control, faults, changes mappings or cached code (mapEpoch), or needs the host. A block
// goes on to the next through its links while no mapping changes, without a lookup.
export function runVcpu(budget: u32): u32 {
  exitReason = EXIT_NONE;
  let n: u32 = 0;
  let prevBlk: u32 = 0; // the block that ran last, whose link prevSlot is to be (re)made
  let prevSlot: u32 = 0;
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
      prevBlk = 0;
      continue;
    }
    let blk: u32 = prevBlk != 0 ? linked(prevBlk, prevSlot, rip) : 0;
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
        const l = prevBlk + prevSlot;
        store<u64>(l + LINK_VA, rip);
        store<u32>(l + LINK_BLK, blk);
        store<u32>(l + LINK_TAG, h);
        store<u32>(l + LINK_EPOCH, mapEpoch);
      }
    }
    prevBlk = 0;
    const epoch = mapEpoch;
    let rec = blk + BLOCK_HDR;
    let end = rec + min<u32>(load<u32>(blk + 4), budget - n) * REC_SIZE;
    while (true) {
      let fell: bool;
      if (load<u8>(rec + D_HANDLER) != 0) {
        // Specialised handlers read the cached records in place; RIP is stored lazily.
        const first = rec;
        rip = fastRun(rec, rip, end, epoch);
        rec = fastRec;
        n += (rec - first) / REC_SIZE;
        if (faulted) {
          store<u64>(RIP, rip);
          if (nonCanonicalData) {
            loadRecord(rec); // for stackSegmentFault
            setNrip(rip + <u64>load<u8>(rec + D_LEN));
          }
          takeFault();
          break;
        }
        const stop = fastStop;
        if (stop == STOP_GENERIC) continue;
        fell = stop != STOP_TAKEN;
      } else {
        const next = rip + <u64>load<u8>(rec + D_LEN);
        store<u64>(RIP, rip);
        loadRecord(rec);
        setNrip(next);
        setBatchInsns(<u64>n);
        execute();
        if (faulted) {
          takeFault();
          break;
        }
        rip = nrip;
        n++;
        rec += REC_SIZE;
        fell = rip == next;
        // mapEpoch also moves when an exit is requested (requestExit).
        if (fell && rec < end && mapEpoch == epoch) continue;
      }
      if (n >= budget || mapEpoch != epoch) {
        store<u64>(RIP, rip);
        break;
      }
      // The end of the block: on to the block that followed it last time.
      const slot = fell ? BLOCK_LINK_FALL : BLOCK_LINK_TAKEN;
      const b = linked(blk, slot, rip);
      if (b == 0) {
        store<u64>(RIP, rip);
        prevBlk = blk;
        prevSlot = slot;
        break;
      }
      blk = b;
      rec = blk + BLOCK_HDR;
      end = rec + min<u32>(load<u32>(blk + 4), budget - n) * REC_SIZE;
    }
  }
  store<u64>(INSNS, load<u64>(INSNS) + <u64>n);
  setBatchInsns(0);
  if (exitReason == EXIT_EVENTS) exitReason = EXIT_NONE; // checked again when the vCPU next runs
  return exitReason == EXIT_NONE ? EXIT_BUDGET : exitReason;
}
