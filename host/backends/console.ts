// The PV console backend (public/io/console.h), the host's side of each domain's console ring.
// It runs only when the guest notifies its console event channel: it copies what the guest
// wrote to `out`, frees the space (out_cons) and notifies back so a guest waiting for room
// wakes up. Input (`in`) is written by the host and signalled the same way.
import type { Core } from "../core.ts";

const IN = 0;
const IN_SIZE = 1024;
const OUT = 1024;
const OUT_SIZE = 2048;
const IN_CONS = 3072;
const IN_PROD = 3076;
const OUT_CONS = 3080;
const OUT_PROD = 3084;

export class ConsoleBackend {
  /** Host port bound to the guest's console port. */
  readonly port: number;
  private core: Core;
  private ringAddr: number;
  /** Times the backend ran (one per notification). */
  notifications = 0;
  bytes = 0;

  private ringMfn: number;
  private closed = false;

  constructor(core: Core, domid: number, ringMfn: number, guestPort: number) {
    this.core = core;
    this.ringMfn = ringMfn;
    this.ringAddr = core.exports.frameAddr(ringMfn);
    // Like a backend's writable mapping: the guest cannot make the ring a page table meanwhile.
    if (core.exports.holdWritable(ringMfn, domid) !== 0) throw new Error(`domain ${domid}: console ring frame ${ringMfn} is not a writable page`);
    const p = core.exports.hostBindInterdomain(domid, guestPort);
    if (p < 0) throw new Error(`domain ${domid}: cannot bind its console port ${guestPort} (error ${p})`);
    this.port = p;
  }

  /** Stop serving the ring (the domain is being destroyed): the hold and the host port go. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.exports.hostClose(this.port);
    this.core.exports.releaseWritable(this.ringMfn);
  }

  /** Drain the guest's output; returns the text (latin1). */
  service(): string {
    this.notifications++;
    const dv = this.core.dv();
    const u8 = this.core.u8();
    const a = this.ringAddr;
    let cons = dv.getUint32(a + OUT_CONS, true);
    const prod = dv.getUint32(a + OUT_PROD, true);
    let n = (prod - cons) >>> 0;
    // A guest that claims more than the ring holds gets what the ring holds.
    if (n > OUT_SIZE) {
      cons = (prod - OUT_SIZE) >>> 0;
      n = OUT_SIZE;
    }
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = u8[a + OUT + ((cons + i) & (OUT_SIZE - 1))]!;
    dv.setUint32(a + OUT_CONS, prod, true);
    this.bytes += n;
    this.core.exports.hostSend(this.port);
    return Buffer.from(bytes).toString("latin1");
  }

  /** Queue input for the guest; returns how many bytes fit. */
  write(text: string): number {
    const dv = this.core.dv();
    const u8 = this.core.u8();
    const a = this.ringAddr;
    const data = Buffer.from(text, "latin1");
    const cons = dv.getUint32(a + IN_CONS, true);
    let prod = dv.getUint32(a + IN_PROD, true);
    let i = 0;
    while (i < data.length && ((prod - cons) >>> 0) < IN_SIZE) {
      u8[a + IN + (prod & (IN_SIZE - 1))] = data[i++]!;
      prod = (prod + 1) >>> 0;
    }
    dv.setUint32(a + IN_PROD, prod, true);
    if (i > 0) this.core.exports.hostSend(this.port);
    return i;
  }
}
