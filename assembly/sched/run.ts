// The run loop: executes the loaded vCPU instruction by instruction until its budget is
// spent or the hypervisor needs the host (shutdown, console output to drain, idle).
import { RIP, INSNS, DEC, EXIT_INFO, BLOCK_HDR, REC_SIZE } from "../layout";
import { fetchPtr, fetchHost, faulted, clearFault, excVector, excError, excAddr, mapEpoch } from "../cpu/mem";
import { blockAt, buildBlock, loadRecord } from "../cpu/dcache";
import { setBatchInsns } from "../time/clock";
import { decode, D_LEN, D_HANDLER } from "../cpu/decode";
import { execFast } from "../cpu/fast";
import { execute } from "../cpu/exec";
import { setNrip, nrip } from "../cpu/regs";
import { deliverException } from "../domain/traps";

export const EXIT_NONE: u32 = 0;
export const EXIT_BUDGET: u32 = 1; // budget used up
export const EXIT_SHUTDOWN: u32 = 2; // the domain shut down (reason in its control block)
export const EXIT_CONSOLE: u32 = 3; // console_io output waiting for the host
export const EXIT_IDLE: u32 = 4; // nothing runnable
export const EXIT_EXCEPTION: u32 = 5; // trap-to-host mode: an exception stopped the vCPU

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

export function requestExit(r: u32): void {
  if (exitReason == EXIT_NONE) exitReason = r;
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
  deliverException(excVector, excError);
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
  while (n < budget && exitReason == EXIT_NONE) {
    let rip = load<u64>(RIP);
    if ((<u32>rip & 0xfff) > 4096 - 16) {
      setBatchInsns(<u64>n);
      if (stepUncached(rip)) n++;
      continue;
    }
    const h = fetchHost(rip);
    if (h == 0) {
      takeFault();
      continue;
    }
    let blk = blockAt(h);
    if (load<u32>(blk) != h) {
      blk = buildBlock(h);
      if (blk == 0) {
        takeFault();
        continue;
      }
    }
    const count = load<u32>(blk + 4);
    const epoch = mapEpoch;
    let rec = blk + BLOCK_HDR;
    let k: u32 = 0;
    while (true) {
      const h = <u32>load<u8>(rec + D_HANDLER);
      const next = rip + <u64>load<u8>(rec + D_LEN);
      let to: u64;
      if (h != 0) {
        // Specialised handler: reads the cached record in place; RIP is stored lazily.
        to = execFast(rec, h, next);
        if (faulted) {
          store<u64>(RIP, rip);
          takeFault();
          break;
        }
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
      if (to != next || k >= count || mapEpoch != epoch || exitReason != EXIT_NONE || n >= budget) {
        store<u64>(RIP, rip);
        break;
      }
      rec += REC_SIZE;
    }
  }
  store<u64>(INSNS, load<u64>(INSNS) + <u64>n);
  setBatchInsns(0);
  return exitReason == EXIT_NONE ? EXIT_BUDGET : exitReason;
}
