// xen_version (public/version.h; xen/common/kernel.c).
import { HV_SCRATCH } from "../layout";
import {
  XENVER_version, XENVER_extraversion, XENVER_compile_info, XENVER_capabilities, XENVER_changeset,
  XENVER_platform_parameters, XENVER_get_features, XENVER_pagesize, XENVER_guest_handle,
  XENVER_commandline, XENVER_build_id, XEN_MAJOR, XEN_MINOR, HYPERVISOR_VIRT_START, EFAULT, EINVAL, ENOSYS,
} from "../abi/xen";
import { copyToGuest, getGuestU32, guestOk } from "../mm/guest";
import { featureSubmap } from "./features";

const ENODATA: i64 = 61;

function putString(va: u64, s: string, size: u32): i64 {
  memory.fill(HV_SCRATCH, 0, size);
  for (let i = 0; i < s.length && <u32>i < size - 1; i++) store<u8>(HV_SCRATCH + i, <u8>s.charCodeAt(i));
  return copyToGuest(va, HV_SCRATCH, size) ? 0 : -EFAULT;
}

export function do_xen_version(cmd: u64, arg: u64): i64 {
  switch (<i32>cmd) {
    case XENVER_version:
      return (<i64>XEN_MAJOR << 16) | <i64>XEN_MINOR;
    case XENVER_extraversion:
      return putString(arg, ".0-xenwasm", 16);
    case XENVER_compile_info: {
      // compiler[64], compile_by[16], compile_domain[32], compile_date[32]
      memory.fill(HV_SCRATCH, 0, 144);
      const parts: StaticArray<string> = ["AssemblyScript", "xenwasm", "xenwasm", "deterministic"];
      const offs: StaticArray<u32> = [0, 64, 80, 112];
      for (let p = 0; p < 4; p++) {
        const s = parts[p];
        for (let i = 0; i < s.length; i++) store<u8>(HV_SCRATCH + offs[p] + i, <u8>s.charCodeAt(i));
      }
      return copyToGuest(arg, HV_SCRATCH, 144) ? 0 : -EFAULT;
    }
    case XENVER_capabilities:
      return putString(arg, "xen-3.0-x86_64", 1024);
    case XENVER_changeset:
      return putString(arg, "xenwasm", 64);
    case XENVER_platform_parameters:
      store<u64>(HV_SCRATCH, HYPERVISOR_VIRT_START);
      return copyToGuest(arg, HV_SCRATCH, 8) ? 0 : -EFAULT;
    case XENVER_get_features: {
      const idx = getGuestU32(arg);
      if (!guestOk) return -EFAULT;
      store<u32>(HV_SCRATCH, idx);
      store<u32>(HV_SCRATCH + 4, featureSubmap(idx));
      if (idx >= 1) return -EINVAL;
      return copyToGuest(arg, HV_SCRATCH, 8) ? 0 : -EFAULT;
    }
    case XENVER_pagesize:
      return 4096;
    case XENVER_guest_handle:
      memory.fill(HV_SCRATCH, 0, 16);
      return copyToGuest(arg, HV_SCRATCH, 16) ? 0 : -EFAULT;
    case XENVER_commandline:
      return putString(arg, "", 1024);
    case XENVER_build_id:
      return -ENODATA;
    default:
      return -ENOSYS;
  }
}
