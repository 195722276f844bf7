// Running domains the way `xl` looks after them: the machine runs in short slices so the host can
// act between them (signals, the xenstore socket), and a domain is asked to stop through
// XenStore (control/shutdown = poweroff, what `xl shutdown` writes). A domain that does not shut
// down within the grace period (virtual time) is destroyed (its memory freed, its XenStore tree
// released), as is one that powered off; the machine stops with the last domain.
import type { Domain, Hypervisor, RunResult } from "../index.ts";

export type LifeResult = RunResult | { kind: "destroyed"; message: string };

export interface LifecycleOptions {
  /** Ask every domain to power off at this virtual second (machine time since boot). */
  shutdownAfter?: number;
  /** Virtual seconds a domain has to shut down once asked (default 10). */
  graceSeconds?: number;
  /** Give up after this much host time (every unfinished domain: timeout). */
  maxSeconds?: number;
  realtime?: boolean;
  slice?: number;
  /** Host time per slice before yielding to the event loop, ms (default 50). */
  sliceMs?: number;
}

interface Pending {
  /** Virtual ns the request was made at, or undefined before. */
  askedAt?: number;
}

export class Lifecycle {
  private readonly hv: Hypervisor;
  private readonly doms: Domain[];
  private readonly opts: LifecycleOptions;
  private readonly results = new Map<Domain, LifeResult>();
  private readonly pending = new Map<Domain, Pending>();
  private destroyAll = false;
  private stopNow = false;

  constructor(hv: Hypervisor, doms: Domain[], opts: LifecycleOptions = {}) {
    this.hv = hv;
    this.doms = doms;
    this.opts = opts;
    for (const d of doms) this.pending.set(d, {});
  }

  private get graceNs(): number {
    return (this.opts.graceSeconds ?? 10) * 1e9;
  }

  /** Ask every running domain to power off now (first Ctrl-C). */
  requestShutdown(): void {
    this.stopNow = true;
  }

  /** Destroy every domain still running (second Ctrl-C). */
  destroy(): void {
    this.destroyAll = true;
  }

  private ask(d: Domain): void {
    const p = this.pending.get(d)!;
    if (p.askedAt !== undefined) return;
    p.askedAt = this.hv.nowNs;
    this.hv.xenstore?.requestShutdown(d, "poweroff");
  }

  private kill(d: Domain, message: string): void {
    if (this.results.has(d)) return;
    this.results.set(d, { kind: "destroyed", message });
    this.hv.destroyDomain(d);
  }

  private live(): Domain[] {
    return this.doms.filter((d) => !this.results.has(d));
  }

  /** Run until every domain has shut down, been destroyed or timed out. */
  async run(): Promise<Map<Domain, LifeResult>> {
    const wallStart = Date.now();
    const deadline = this.opts.maxSeconds !== undefined ? wallStart + this.opts.maxSeconds * 1000 : Infinity;
    const sliceMs = this.opts.sliceMs ?? 50;
    while (this.live().length) {
      const now = this.hv.nowNs;
      if (this.destroyAll) for (const d of this.live()) this.kill(d, "destroyed (second interrupt)");
      const due = this.opts.shutdownAfter !== undefined && now >= this.opts.shutdownAfter * 1e9;
      if (this.stopNow || due) for (const d of this.live()) this.ask(d);
      for (const d of this.live()) {
        const at = this.pending.get(d)!.askedAt;
        if (at !== undefined && now - at >= this.graceNs) this.kill(d, `did not shut down within ${this.graceNs / 1e9} s of being asked; destroyed`);
      }
      if (!this.live().length) break;
      // Run to the next moment the host must act (the shutdown time, a grace deadline).
      let nextNs = Infinity;
      if (this.opts.shutdownAfter !== undefined && now < this.opts.shutdownAfter * 1e9) nextNs = this.opts.shutdownAfter * 1e9;
      for (const d of this.live()) {
        const at = this.pending.get(d)!.askedAt;
        if (at !== undefined) nextNs = Math.min(nextNs, at + this.graceNs);
      }
      const wallLeft = Math.max(0, Math.min(sliceMs, deadline - Date.now())) / 1000;
      const r = this.hv.run({
        maxSeconds: wallLeft,
        maxVirtualSeconds: nextNs === Infinity ? undefined : Math.max(0, nextNs - now) / 1e9,
        realtime: this.opts.realtime,
        slice: this.opts.slice,
      });
      for (const d of this.live()) {
        const res = r.get(d);
        if (!res || res.kind === "timeout") continue;
        if (res.kind === "shutdown") {
          // As xl does after a guest's poweroff: the domain is destroyed and its tree released.
          this.results.set(d, res);
          this.hv.destroyDomain(d);
          continue;
        }
        // Stuck: blocked with nothing that could wake it. The host's requests are what could.
        const p = this.pending.get(d)!;
        if (p.askedAt === undefined && (this.opts.shutdownAfter !== undefined || this.stopNow) && this.hv.xenstore?.has(d)) this.ask(d);
        else if (p.askedAt !== undefined && this.hv.nowNs === now) this.kill(d, "blocked for good after being asked to shut down; destroyed");
        else if (p.askedAt === undefined) this.results.set(d, res);
      }
      if (Date.now() >= deadline) for (const d of this.live()) this.results.set(d, { kind: "timeout" });
      // Let signals and socket clients in.
      await new Promise<void>((res) => setImmediate(res));
    }
    return this.results;
  }
}
