// What the guest reads about time: vcpu_time_info in its vcpu_info (Xen's version protocol:
// odd while being written) and the boot wallclock in shared_info.
import { VI_time, SH_wc_version, SH_wc_sec, SH_wc_nsec, SH_wc_sec_hi } from "../abi/structs";
import { vcpuCtl, VC_VCPU_INFO } from "../domain/domain";
import { cyclesToNs, tscMul, tscShift } from "./clock";

// Wallclock at system time 0, in seconds since the epoch (configuration, never the host clock).
export let bootEpochSec: u64 = 946684800; // 2000-01-01T00:00:00Z

export function setBootEpoch(sec: u64): void {
  bootEpochSec = sec;
}

const XEN_PVCLOCK_TSC_STABLE_BIT: u8 = 1;

export function updateTimeInfo(v: u32, cycles: u64): void {
  const vi = load<u32>(vcpuCtl(v) + VC_VCPU_INFO);
  if (vi == 0) return;
  const t = vi + VI_time;
  const odd = (load<u32>(t) + 1) | 1;
  store<u32>(t, odd); // odd: being updated
  store<u64>(t + 8, cycles);
  store<u64>(t + 16, cyclesToNs(cycles));
  store<u32>(t + 24, tscMul);
  store<i8>(t + 28, <i8>tscShift);
  store<u8>(t + 29, XEN_PVCLOCK_TSC_STABLE_BIT);
  store<u32>(t, odd + 1); // even: consistent
}

export function writeWallclock(sharedInfo: u32): void {
  const ver = load<u32>(sharedInfo + SH_wc_version);
  store<u32>(sharedInfo + SH_wc_version, (ver + 1) | 1);
  store<u32>(sharedInfo + SH_wc_sec, <u32>bootEpochSec);
  store<u32>(sharedInfo + SH_wc_nsec, 0);
  store<u32>(sharedInfo + SH_wc_sec_hi, <u32>(bootEpochSec >> 32));
  store<u32>(sharedInfo + SH_wc_version, load<u32>(sharedInfo + SH_wc_version) + 1);
}
