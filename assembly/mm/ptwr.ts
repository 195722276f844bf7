// Writable page tables (xen/arch/x86/pv/ro-page-fault.c, "ptwr"), after
// vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables): a guest-kernel write that
// faults on a read-only mapping of one of its own live L1 tables is carried out by the
// hypervisor as if it were an mmu_update of that entry: the new entry is validated, adjusted
// and written, the old one's references dropped, and the guest continues after the
// instruction. A new entry Xen would refuse turns into the #PF the guest would have had.
//
// The instruction is emulated by running it again with writes to the faulting page sent to a
// shadow copy of the table (cpu/mem.ts walk), so every store form the CPU knows (mov, xchg,
// cmpxchg, or, ...) behaves exactly as it does elsewhere. The entry that differs afterwards
// is the one written. Anything else (a write touching two entries, a second fault) restores
// the registers and reports a fault, as Xen's emulator gives up on such writes.
import { CPU, CPU_SIZE, RIP, DEC } from "../layout";
import {
  excError, excAddr, faulted, clearFault, fetchPtr, setPtwrWindow, tlbFlushAll,
} from "../cpu/mem";
import { decode, D_LEN } from "../cpu/decode";
import { execute } from "../cpu/exec";
import { setNrip, nrip } from "../cpu/regs";
import { codeWritten } from "../cpu/dcache";
import { curDom } from "../domain/domain";
import { inKernel } from "../domain/traps";
import { frameAddr } from "./frames";
import { getPageFromL1e, putPageFromL1e, adjustL1e, pteMfn, _PAGE_PRESENT, _PAGE_RW } from "./validate";
import { mapGuestL1e, isLiveL1 } from "./pv_mmu";
import { vmAssist, VMASST_TYPE_writable_pagetables } from "../hypercalls/vm_assist";
import { mmuOpDone } from "./invariants";

const PFEC_WRITE: i32 = 2;
const PFEC_RSVD: i32 = 8;
const PFEC_INSN: i32 = 16;

const SHADOW: u32 = <u32>memory.data(4096, 16);
const ORIG: u32 = <u32>memory.data(4096, 16);
const SAVED_CPU: u32 = <u32>memory.data(CPU_SIZE, 16);

export let ptwrEmulations: u64 = 0;

// Called with a #PF pending (vector in excVector) before it is delivered. True when the
// write was emulated and the guest continues; false to deliver the fault now recorded (the
// original one, or a fault the re-executed instruction raised).
export function ptwrFault(): bool {
  if ((excError & (PFEC_WRITE | PFEC_RSVD | PFEC_INSN)) != PFEC_WRITE) return false;
  if (!vmAssist(curDom, VMASST_TYPE_writable_pagetables) || !inKernel()) return false;
  const va = excAddr;
  const p = mapGuestL1e(va);
  if (p == 0) return false;
  const pte = load<u64>(p);
  if ((pte & (_PAGE_PRESENT | _PAGE_RW)) != _PAGE_PRESENT) return false;
  const l1 = pteMfn(pte);
  if (!isLiveL1(l1, curDom)) return false;

  // Run the instruction again with the table page writable through a shadow copy.
  const table = frameAddr(l1);
  memory.copy(SAVED_CPU, CPU, CPU_SIZE);
  memory.copy(ORIG, table, 4096);
  memory.copy(SHADOW, table, 4096);
  const rip = load<u64>(RIP);
  setPtwrWindow(va >> 12, SHADOW);
  const f = fetchPtr(rip);
  if (f != 0 && decode(f)) {
    setNrip(rip + <u64>load<u8>(DEC + D_LEN));
    execute();
  }
  setPtwrWindow(0, 0);
  if (faulted) {
    // The instruction faulted elsewhere: that fault is the guest's.
    clearFault();
    memory.copy(CPU, SAVED_CPU, CPU_SIZE);
    return false;
  }
  let changed: i32 = -1;
  for (let i: u32 = 0; i < 512; i++) {
    if (load<u64>(SHADOW + (i << 3)) == load<u64>(ORIG + (i << 3))) continue;
    if (changed >= 0) return giveUp();
    changed = <i32>i;
  }
  if (changed >= 0) {
    const slot = table + (<u32>changed << 3);
    const n = load<u64>(SHADOW + (<u32>changed << 3));
    const o = load<u64>(slot);
    if ((n & _PAGE_PRESENT) != 0 && getPageFromL1e(n, curDom, curDom) != 0) return giveUp();
    const a = adjustL1e(n);
    store<u64>(slot, a);
    codeWritten(<u32>l1);
    putPageFromL1e(o);
    if ((o & _PAGE_PRESENT) != 0 && o != a) tlbFlushAll(); // as writeEntry (pv_mmu.ts): not charged
  }
  store<u64>(RIP, nrip);
  ptwrEmulations++;
  mmuOpDone();
  return true;
}

// The write cannot be emulated: the registers go back and the guest gets the page fault it
// took (the pending fault record still describes it: the re-run raised nothing).
function giveUp(): bool {
  memory.copy(CPU, SAVED_CPU, CPU_SIZE);
  return false;
}
