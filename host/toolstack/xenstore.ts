// The toolstack's XenStore duties for one Hypervisor (what libxl and xenstored do together on
// Xen): one daemon for the host, dom0's keys at start, and for every domain that has a store
// page: its keys (wiring.ts: name, domid, vm, memory, cpu, console, control and the platform
// keys, with libxl's permissions), its store event channel bound to the host, and the ring
// introduced. A domain that shuts down is announced to @releaseDomain watchers; a destroyed one
// has its tree removed. The host asks a guest to stop by writing control/shutdown.
import { XenStored, writeDom0Keys, writeDomainKeys, releaseDomain, type XenStoredOptions } from "../backends/xenstore/index.ts";
import type { Domain, Hypervisor } from "../index.ts";

const PAGE = 4096;

/** How a guest is asked to stop (control/shutdown values libxl writes). */
export type ShutdownRequest = "poweroff" | "reboot" | "suspend" | "halt";

interface Wired {
  domain: Domain;
  hostPort: number;
  released: boolean;
}

export class XenstoreToolstack {
  readonly xs: XenStored;
  private readonly hv: Hypervisor;
  private readonly wired = new Map<number, Wired>();

  constructor(hv: Hypervisor, opts: XenStoredOptions = {}) {
    this.hv = hv;
    this.xs = new XenStored({ domainExists: (d) => this.wired.has(d) && !this.wired.get(d)!.released, ...opts });
    writeDom0Keys(this.xs);
  }

  /** A domain was built (not yet running): write its keys, bind its store port, introduce its ring. */
  domainCreated(d: Domain): void {
    const b = d.built;
    if (b.storeMfn === undefined || b.storeEvtchn === undefined || b.storeEvtchn <= 0) return;
    const x = this.hv.core.exports;
    const mfn = b.storeMfn;
    // Like xenstored's writable mapping of the ring: the guest cannot turn it into a page table.
    if (x.holdWritable(mfn, d.id) !== 0) throw new Error(`${d.name}: store ring frame ${mfn} is not a writable page`);
    const pages = d.built.p2m.length;
    const console = b.consoleMfn !== undefined && b.consoleEvtchn !== undefined && b.consoleEvtchn > 0 ? { ringRef: b.consoleMfn, port: b.consoleEvtchn } : undefined;
    writeDomainKeys(this.xs, d.id, {
      name: d.name,
      memoryKiB: pages * 4,
      vcpus: d.vcpuCount,
      store: { ringRef: mfn, port: b.storeEvtchn },
      console,
      startTime: (this.hv.nowNs / 1e9).toFixed(2),
    });
    const w: Wired = { domain: d, hostPort: -1, released: false };
    this.wired.set(d.id, w);
    // The page is re-taken on each access: the core's memory may grow and move.
    const page = () => new DataView(this.hv.core.memory.buffer, x.frameAddr(mfn), PAGE);
    const notify = () => {
      if (w.hostPort >= 0 && !w.released) this.hv.notify(w.hostPort);
    };
    this.xs.introduceDomain(d.id, page, notify);
    w.hostPort = this.hv.bindBackend(d, b.storeEvtchn, () => {
      if (!w.released) this.xs.serviceDomain(d.id);
    });
  }

  /** Whether the domain has a store connection. */
  has(d: Domain): boolean {
    const w = this.wired.get(d.id);
    return !!w && !w.released;
  }

  /** Ask the guest to stop, as `xl shutdown` does: control/shutdown = reason. */
  requestShutdown(d: Domain, reason: ShutdownRequest = "poweroff"): boolean {
    if (!this.has(d)) return false;
    this.xs.host.write(`/local/domain/${d.id}/control/shutdown`, reason);
    return true;
  }

  /** The domain shut down (the core says so): @releaseDomain watchers look. */
  domainShutdown(d: Domain): void {
    if (this.has(d)) this.xs.domainShutdown(d.id);
  }

  /**
   * The domain is destroyed: its tree goes, @releaseDomain watchers are told, and the store's
   * hold on the ring and its host port go.
   */
  domainDestroyed(d: Domain): void {
    const w = this.wired.get(d.id);
    if (!w || w.released) return;
    w.released = true;
    releaseDomain(this.xs, d.id);
    this.hv.unbindBackend(w.hostPort);
    this.hv.core.exports.releaseWritable(d.built.storeMfn!);
    this.wired.delete(d.id);
  }
}
