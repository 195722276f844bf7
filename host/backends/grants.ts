// The host's (dom0's) grant-table API, as Linux's gntdev and grant-copy users see it: map a
// guest's grant into the host's view of memory (read-only or read-write), read and write it,
// unmap it, and copy between grants. Every call goes through the core's grant table with the
// checks a guest gets; errors are Xen's GNTST_* values (negative), named in GNTST_NAMES.
import type { Core } from "../core.ts";

/** The grant-table exports of the core (assembly/grant/host.ts). */
export interface GrantExports {
  gntSetLimits(domid: number, maxFrames: number, maxMaptrackFrames: number): number;
  gntHostMap(domid: number, ref: number, readonly: number): number;
  gntHostMapAddr(): number;
  gntHostUnmap(handle: number, hostAddr: number): number;
  gntHostCopy(srcDom: number, srcRef: number, srcOff: number, dstDom: number, dstRef: number, dstOff: number, len: number): number;
  gntCheckInvariants(): number;
  /** Run that check after every grant_table_op, aborting the core on a violation. */
  gntSetChecks(on: number): void;
}

export const GNTST_NAMES: Record<number, string> = {
  0: "okay", [-1]: "general_error", [-2]: "bad_domain", [-3]: "bad_gntref", [-4]: "bad_handle",
  [-5]: "bad_virt_addr", [-6]: "bad_dev_addr", [-7]: "no_device_space", [-8]: "permission_denied",
  [-9]: "bad_page", [-10]: "bad_copy_arg", [-11]: "address_too_big", [-12]: "eagain", [-13]: "no_space",
};

export class GrantError extends Error {
  readonly status: number;
  constructor(status: number, what: string) {
    super(`${what}: GNTST_${GNTST_NAMES[status] ?? status}`);
    this.status = status;
  }
}

/** One page of a guest the host has mapped. */
export interface GrantMapping {
  readonly domid: number;
  readonly ref: number;
  readonly handle: number;
  /** Where the page is in the core's linear memory. */
  readonly addr: number;
  readonly readonly: boolean;
}

export function grantExports(core: Core): GrantExports {
  return core.exports as unknown as GrantExports;
}

export class GrantBackend {
  private core: Core;
  private x: GrantExports;
  constructor(core: Core) {
    this.core = core;
    this.x = grantExports(core);
  }

  /**
   * Per-domain limits (Xen's max_grant_frames, max_maptrack_frames; defaults 64 and 1024), set
   * after createDomain and before the domain's first grant operation.
   */
  setLimits(domid: number, maxGrantFrames: number, maxMaptrackFrames: number): void {
    if (this.x.gntSetLimits(domid, maxGrantFrames, maxMaptrackFrames) !== 0) {
      throw new RangeError(`d${domid}: grant limits ${maxGrantFrames}/${maxMaptrackFrames} refused (1..64 frames, 0..1024 maptrack frames, before first use)`);
    }
  }

  /** Map grant `ref` of `domid`; throws GrantError with Xen's status when refused. */
  map(domid: number, ref: number, readonly = false): GrantMapping {
    const h = this.x.gntHostMap(domid, ref, readonly ? 1 : 0);
    if (h < 0) throw new GrantError(h, `map d${domid} ref ${ref}`);
    return { domid, ref, handle: h, addr: this.x.gntHostMapAddr(), readonly };
  }

  /** The mapped page's bytes (a read-only mapping must not be written: the guest said so). */
  bytes(m: GrantMapping): Uint8Array {
    return this.core.u8().subarray(m.addr, m.addr + 4096);
  }

  /** A string at offset of the page, up to its first NUL. */
  readString(m: GrantMapping, offset = 0): string {
    const b = this.bytes(m);
    let end = offset;
    while (end < 4096 && b[end] !== 0) end++;
    return Buffer.from(b.subarray(offset, end)).toString("latin1");
  }

  writeString(m: GrantMapping, offset: number, s: string): void {
    if (m.readonly) throw new Error("write through a read-only grant mapping");
    const b = this.bytes(m);
    const bytes = Buffer.from(s + "\0", "latin1");
    if (offset + bytes.length > 4096) throw new RangeError("write beyond the granted page");
    b.set(bytes, offset);
    this.core.exports.frameWritten((m.addr - this.core.exports.frameAddr(0)) >>> 12);
  }

  /** Unmap: GNTST_okay (0) or Xen's error (a stale or doubled handle is GNTST_bad_handle). */
  unmap(m: GrantMapping): number {
    return this.x.gntHostUnmap(m.handle, m.addr);
  }

  /** Copy len bytes between two grants made to the host: GNTST_*. */
  copy(src: { domid: number; ref: number; offset: number }, dst: { domid: number; ref: number; offset: number }, len: number): number {
    return this.x.gntHostCopy(src.domid, src.ref, src.offset, dst.domid, dst.ref, dst.offset, len);
  }
}
