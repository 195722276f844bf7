// Checked access to the running guest's memory from hypercall handlers: every address goes
// through the guest's own page tables with the guest's permissions; failures are -EFAULT.
import { translateQuiet, ACC_R, ACC_W } from "../cpu/mem";
import { HV_SCRATCH, HV_SCRATCH_SIZE } from "../layout";
import { poolBase } from "./frames";
import { codeWritten } from "../cpu/dcache";

const HV_SCRATCH_END: u32 = HV_SCRATCH + HV_SCRATCH_SIZE;

// Copy len bytes from guest va to host address dst. False if any byte is not readable.
export function copyFromGuest(dst: u32, va: u64, len: u32): bool {
  while (len > 0) {
    const h = translateQuiet(va, ACC_R);
    if (h == 0) return false;
    const chunk = min<u32>(len, 4096 - (<u32>va & 0xfff));
    memory.copy(dst, h, chunk);
    dst += chunk;
    va += <u64>chunk;
    len -= chunk;
  }
  return true;
}

// Copy len bytes from host address src to guest va. Checks every page before writing any.
export function copyToGuest(va: u64, src: u32, len: u32): bool {
  let v = va;
  let n = len;
  while (n > 0) {
    if (translateQuiet(v, ACC_W) == 0) return false;
    const chunk = min<u32>(n, 4096 - (<u32>v & 0xfff));
    v += <u64>chunk;
    n -= chunk;
  }
  while (len > 0) {
    const h = translateQuiet(va, ACC_W);
    const chunk = min<u32>(len, 4096 - (<u32>va & 0xfff));
    if (h >= poolBase) codeWritten((h - poolBase) >> 12);
    memory.copy(h, src, chunk);
    src += chunk;
    va += <u64>chunk;
    len -= chunk;
  }
  return true;
}

// Aligned scalar access; `guestOk` reports whether the last one succeeded.
export let guestOk: bool = true;

export function getGuestU64(va: u64): u64 {
  if ((va & 7) == 0) {
    const h = translateQuiet(va, ACC_R);
    guestOk = h != 0;
    return guestOk ? load<u64>(h) : 0;
  }
  let v: u64 = 0;
  guestOk = copyFromGuest(scratch8(), va, 8);
  if (guestOk) v = load<u64>(scratch8());
  return v;
}

export function getGuestU32(va: u64): u32 {
  if ((va & 3) == 0) {
    const h = translateQuiet(va, ACC_R);
    guestOk = h != 0;
    return guestOk ? load<u32>(h) : 0;
  }
  guestOk = copyFromGuest(scratch8(), va, 4);
  return guestOk ? load<u32>(scratch8()) : 0;
}

export function putGuestU64(va: u64, v: u64): bool {
  if ((va & 7) == 0) {
    const h = translateQuiet(va, ACC_W);
    if (h == 0) return false;
    if (h >= poolBase) codeWritten((h - poolBase) >> 12);
    store<u64>(h, v);
    return true;
  }
  store<u64>(scratch8(), v);
  return copyToGuest(va, scratch8(), 8);
}

export function putGuestU32(va: u64, v: u32): bool {
  store<u32>(scratch8(), v);
  return copyToGuest(va, scratch8(), 4);
}

// 8 bytes of private scratch (the last bytes of the hypercall scratch area).
@inline function scratch8(): u32 {
  return HV_SCRATCH_END - 8;
}
