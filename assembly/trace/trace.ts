// The trace: a ring of fixed-size records the host reads, and a running hash of every record
// ever written (so two runs can be compared even after the ring wrapped).
// Record (32 bytes): u64 cycles, u8 type, u8 pcpu, u16 domid, u16 vcpu id, u16 pad, u64 a, u64 b.
import { TRACE_RING, TRACE_REC, TRACE_RECORDS } from "../layout";

export const TR_SCHED_IN: u32 = 1;
export const TR_SCHED_OUT: u32 = 2;
export const TR_BLOCK: u32 = 3;
export const TR_WAKE: u32 = 4;
export const TR_SEND: u32 = 5; // a = port, b = remote domid << 16 | remote port
export const TR_DELIVER: u32 = 6; // upcall into the guest's event callback
export const TR_HYPERCALL: u32 = 7; // a = number, b = first argument
export const TR_FAULT: u32 = 8; // a = vector, b = error code
export const TR_TIMER: u32 = 9; // a = 0 single-shot, 1 periodic, 2 poll timeout, 3 watchdog
export const TR_IDLE: u32 = 10; // a = cycles skipped
export const TR_SHUTDOWN: u32 = 11; // a = reason
export const TR_POLL: u32 = 12;
export const TR_VCPU_UP: u32 = 13;
export const TR_VCPU_DOWN: u32 = 14;
export const TR_DESTROY: u32 = 15; // the host destroyed the domain (domain/destroy.ts)
export const TR_RELEASED: u32 = 16; // a destroyed domain's last frame went: its slot is free

export let traceOn: bool = true;
export let traceCount: u64 = 0; // records written since reset
export let traceHash: u64 = 0xcbf29ce484222325;

export function traceReset(): void {
  traceCount = 0;
  traceHash = 0xcbf29ce484222325;
}

export function setTraceOn(on: bool): void {
  traceOn = on;
}

@inline function mix(h: u64, v: u64): u64 {
  h ^= v;
  h *= 0x100000001b3;
  h ^= h >> 29;
  return h;
}

export function trace(type: u32, cycles: u64, pcpu: u32, domid: u32, vcpu: u32, a: u64, b: u64): void {
  if (!traceOn) return;
  const r = TRACE_RING + (<u32>traceCount & (TRACE_RECORDS - 1)) * TRACE_REC;
  const w1: u64 = <u64>(type & 0xff) | (<u64>(pcpu & 0xff) << 8) | (<u64>(domid & 0xffff) << 16) | (<u64>(vcpu & 0xffff) << 32);
  store<u64>(r, cycles);
  store<u64>(r + 8, w1);
  store<u64>(r + 16, a);
  store<u64>(r + 24, b);
  traceCount++;
  let h = mix(traceHash, cycles);
  h = mix(h, w1);
  h = mix(h, a);
  traceHash = mix(h, b);
}
