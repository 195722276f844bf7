// xenstored in the host: one store for the whole host, shared by every domain's ring
// connection and by host code (dom0). Behaviour follows C xenstored (tools/xenstored).
//
// A connection is a domain's ring (introduceDomain) or a direct connection for code
// in this process (connect): a direct connection gets its reply back from handle()
// and its watch events from takeOutput() or an onEvent callback. A ring connection's
// replies and watch events share one queue, written out in order as the guest makes
// room, exactly as they would reach it from C xenstored.
//
// Every public entry point runs to completion and then flushes: rings that got output
// are written and their guests notified, direct listeners hear their events. So a
// watch callback may call back into the daemon freely.

import { HostClient } from "./client.ts";
import { Conn, type ConnOwner, type DomainRec, type RequestRef, type RingBinding } from "./connection.ts";
import * as ops from "./ops.ts";
import { childPath, parentOf } from "./paths.ts";
import { adjustPerms, permFor, XS_PERM_NONE, XS_PERM_READ, type Perm } from "./permissions.ts";
import * as P from "./protocol.ts";
import { XsError, type XsMessage } from "./protocol.ts";
import { Quotas, type Account, type QuotaLimits } from "./quota.ts";
import { resolvePage, RingTransport, RING_PAGE_MIN, type PageSource } from "./ring.ts";
import { HANDLERS, NO_TXID, PRIV_ONLY, type Daemon, type Reply } from "./requests.ts";
import { Store, type Ctx } from "./store.ts";
import type { Transaction } from "./transactions.ts";
import type { Node } from "./tree.ts";
import { eventPath, eventPayload, watchFires, type WatchMatch } from "./watches.ts";

export type { RingBinding } from "./connection.ts";

/** Features we offer in the ring page's server_features. */
export const SERVER_FEATURES = P.XENSTORE_SERVER_FEATURE_RECONNECTION | P.XENSTORE_SERVER_FEATURE_ERROR | P.XENSTORE_SERVER_FEATURE_WATCHDEPTH;

export interface XenStoredOptions {
  quotas?: Partial<QuotaLimits>;
  /** Whether the hypervisor has this domain (permission entries for others are ignored). */
  domainExists?: (domid: number) => boolean;
  /** Map the ring of a domain introduced by an XS_INTRODUCE message; null refuses (EINVAL). */
  mapRing?: (domid: number, gfn: string, port: number) => RingBinding | null;
  log?: (line: string) => void;
}

export interface ConnectOptions {
  domid: number;
  /** Default: domid 0. */
  privileged?: boolean;
  /** Deliver watch events here instead of queueing them for takeOutput(). */
  onEvent?: (path: string, token: string) => void;
}

export class XenStored implements ConnOwner {
  readonly store: Store;
  /** dom0's own client: privileged, for host code. */
  readonly host: HostClient;
  /** What the node requests (ops.ts) need from the daemon. */
  readonly opEnv: ops.OpEnv;
  /** Unexpected exceptions caught while serving a request (a bug; the request got EIO). */
  internalErrors = 0;
  private readonly conns = new Map<number, Conn>();
  private readonly domains = new Map<number, DomainRec>();
  private readonly opts: XenStoredOptions;
  private nextConnId = 1;
  private depth = 0;
  private readonly dirty = new Set<Conn>();
  /** What the request handlers (requests.ts) may use. */
  private readonly core: Daemon;
  /** The request running now, so watch events it causes count against it. */
  private currentRef: RequestRef | null = null;

  constructor(opts: XenStoredOptions = {}) {
    this.opts = opts;
    this.store = new Store(new Quotas(opts.quotas), (d) => this.domains.get(d)?.generation ?? null);
    this.opEnv = {
      store: this.store,
      fire: (ctx, name, node, match, oldPerms) => {
        if (ctx.tx) ctx.tx.queueWatch(name, match);
        else this.fireWatches(this.currentRef, name, node, match, oldPerms);
      },
      domainExists: (d) => this.domainExists(d),
    };
    this.core = {
      store: this.store,
      opEnv: this.opEnv,
      currentRef: () => this.currentRef,
      sendEvent: (c, path, token, ref) => this.sendEvent(c, path, token, ref),
      fireWatches: (ref, name, node, match, oldPerms) => this.fireWatches(ref, name, node, match, oldPerms),
      isIntroduced: (d) => this.isIntroduced(d),
      domain: (d) => this.domains.get(d),
      introduce: (d, ring) => this.introduce(d, ring),
      release: (d) => this.release(d),
      mapRing: (d, gfn, port) => (this.opts.mapRing ? this.opts.mapRing(d, gfn, port) : undefined),
      dropWatchesAndTransactions: (c) => this.dropWatchesAndTransactions(c),
      verify: () => this.verify(),
      log: (l) => this.log(l),
    };
    this.domains.set(0, { domid: 0, generation: 0, conn: null, shutdown: false });
    // The nodes C xenstored starts with (setup_structure), all owned by dom0, no access for others.
    const root = (children: string[]): Node => ({ perms: [{ id: 0, perms: XS_PERM_NONE }], value: new Uint8Array(0), children, generation: 0 });
    const ctx = this.internalCtx();
    this.store.write(ctx, "/", root(["tool"]));
    this.store.write(ctx, "/tool", root(["xenstored"]));
    this.store.write(ctx, "/tool/xenstored", root([]));
    this.store.write(ctx, "@releaseDomain", root([]));
    this.store.write(ctx, "@introduceDomain", root([]));
    this.host = new HostClient(this);
  }

  log(line: string): void {
    this.opts.log?.(`xenstored: ${line}`);
  }

  // ---- connections -------------------------------------------------------------------

  /** A direct connection for code in this process. */
  connect(o: ConnectOptions): number {
    const c = this.newConn(o.domid >>> 0, o.privileged ?? o.domid === 0);
    c.onEvent = o.onEvent ?? null;
    return c.id;
  }

  disconnect(connId: number): void {
    const c = this.conns.get(connId);
    if (!c || c.ring) return;
    this.resetConn(c);
    this.conns.delete(connId);
  }

  /** Process one request on a direct connection; returns its reply (watch events go to the queue). */
  handle(connId: number, msg: XsMessage): XsMessage {
    const c = this.conns.get(connId);
    if (!c || c.ring) throw new Error(`xenstored: no direct connection ${connId}`);
    return this.run(() => {
      const { reply, then } = this.process(c, msg);
      then?.();
      return reply;
    });
  }

  /** Watch events queued for a direct connection without an onEvent listener. */
  takeOutput(connId: number): XsMessage[] {
    const c = this.conns.get(connId);
    if (!c || c.ring) return [];
    const out: XsMessage[] = [];
    while (c.out.length) {
      const q = c.out[0]!;
      const h = P.parseHeader(q.bytes);
      out.push({ type: h.type, reqId: h.reqId, txId: h.txId, payload: q.bytes.slice(P.XSD_HDR_SIZE) });
      this.dequeue(c);
    }
    return out;
  }

  private newConn(domid: number, privileged: boolean): Conn {
    const c = new Conn(this, this.nextConnId++, domid, privileged);
    this.conns.set(c.id, c);
    return c;
  }

  // ---- domains -----------------------------------------------------------------------

  /** The hypervisor has this domain now (before its keys are written; see wiring.ts). */
  addDomain(domid: number): void {
    if (!this.domains.has(domid)) this.domains.set(domid, { domid, generation: this.store.tree.generation, conn: null, shutdown: false });
  }

  private domainExists(domid: number): boolean {
    if (this.domains.has(domid)) return true;
    if (!this.opts.domainExists?.(domid)) return false;
    this.addDomain(domid);
    return true;
  }

  isIntroduced(domid: number): boolean {
    return domid === 0 || this.domains.get(domid)?.conn != null;
  }

  /**
   * Connect a domain's store ring (XS_INTRODUCE as the toolstack does it after building
   * the domain): the ring starts at zero with our features advertised, and
   * @introduceDomain watchers are told. Introducing again resets the connection.
   */
  introduceDomain(domid: number, page: PageSource, notify: () => void): void {
    this.run(() => this.introduce(domid, { page, notify }));
  }

  private introduce(domid: number, ring: RingBinding | null): void {
    this.addDomain(domid);
    const d = this.domains.get(domid)!;
    const fresh = d.conn === null;
    if (fresh) d.conn = this.newConn(domid, false);
    const c = d.conn!;
    this.resetConn(c);
    c.ignored = false;
    if (ring) {
      const view = resolvePage(ring.page);
      if (view.byteLength < RING_PAGE_MIN) throw new Error("xenstored: ring page too small");
      c.ring = ring;
      c.transport = new RingTransport(c);
      RingTransport.initPage(view, SERVER_FEATURES);
      if (view.getUint32(P.RING_CONNECTION, true) === P.XENSTORE_RECONNECT) {
        view.setUint32(P.RING_CONNECTION, P.XENSTORE_CONNECTED, true);
        ring.notify();
      }
    }
    if (fresh) this.fireSpecial("@introduceDomain", domid);
  }

  /**
   * The domain is gone: close its connection, remove every node it owns, and tell
   * @releaseDomain watchers. Returns whether the domain was known.
   */
  releaseDomain(domid: number): boolean {
    if (domid === 0) return false;
    return this.run(() => this.release(domid));
  }

  private release(domid: number): boolean {
    const d = this.domains.get(domid);
    if (!d) return false;
    const introduced = d.conn !== null;
    if (d.conn) {
      // Its watches go first, so removing its nodes tells it nothing (C do_release).
      this.resetConn(d.conn);
      this.conns.delete(d.conn.id);
      this.dirty.delete(d.conn);
      for (const c of this.conns.values()) if (c.target === domid) c.target = null;
    }
    this.removeOwnedNodes(domid);
    this.domains.delete(domid);
    const a = this.store.peekAccount(domid);
    if (a && a.nodes === 0) this.store.dropAccount(domid);
    if (introduced) this.fireSpecial("@releaseDomain", domid);
    return true;
  }

  /** The domain shut down (not yet destroyed): @releaseDomain watchers look at it (C check_domains). */
  domainShutdown(domid: number): void {
    this.run(() => {
      const d = this.domains.get(domid);
      if (!d || !d.conn || d.shutdown) return;
      d.shutdown = true;
      this.fireSpecial("@releaseDomain", domid);
    });
  }

  /** The guest's store event channel fired: serve its ring. */
  serviceDomain(domid: number): boolean {
    return this.run(() => {
      const c = this.domains.get(domid)?.conn;
      if (!c || !c.transport || !c.ring) return false;
      return c.transport.service(resolvePage(c.ring.page), c.ring.notify);
    });
  }

  /** Nodes a released domain owned go away with it (C domain_tree_remove). */
  private removeOwnedNodes(domid: number): void {
    const ctx = this.internalCtx();
    const doomed: string[] = [];
    const stack = ["/"];
    while (stack.length) {
      const name = stack.pop()!;
      const n = this.store.tree.get(name);
      if (!n) continue;
      if (n.perms[0]!.id === domid && name !== "/") {
        doomed.push(name);
        continue;
      }
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(childPath(name, n.children[i]!));
    }
    for (const name of doomed) if (this.store.tree.get(name)) ops.rmNode(this.opEnv, ctx, name);
    for (const special of ["@releaseDomain", "@introduceDomain"]) {
      const n = this.store.tree.get(special);
      if (n && n.perms[0]!.id === domid) {
        n.perms[0]!.id = 0;
        this.store.write(ctx, special, n, true);
      }
    }
  }

  // ---- running requests --------------------------------------------------------------

  /** Run an entry point; the outermost one flushes output when it is done. */
  private run<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0) this.flush();
    }
  }

  private flush(): void {
    this.depth++;
    try {
      while (this.dirty.size) {
        const c = this.dirty.values().next().value!;
        this.dirty.delete(c);
        if (c.transport && c.ring) {
          c.transport.flush(resolvePage(c.ring.page), c.ring.notify);
        } else if (c.onEvent) {
          for (const m of this.takeOutput(c.id)) {
            const [path, token] = P.strings(m.payload);
            c.onEvent(path ?? "", token ?? "");
          }
        }
      }
    } finally {
      this.depth--;
    }
  }

  /** (ConnOwner) A complete request from a ring: its reply joins the queue behind any events it caused. */
  fromRing(c: Conn, msg: XsMessage): void {
    const ref: RequestRef | null = c.privileged ? null : { account: this.store.account(c.domid), events: 0, replied: false };
    const { reply, then } = this.process(c, msg, ref);
    this.enqueue(c, P.serialize(reply), false, ref);
    then?.();
  }

  private process(c: Conn, msg: XsMessage, ref: RequestRef | null = null): { reply: XsMessage; then?: () => void } {
    const answer = (type: number, payload: Uint8Array) => ({ type, reqId: msg.reqId, txId: msg.txId, payload });
    try {
      const r = this.dispatch(c, msg, ref);
      const payload = r instanceof Uint8Array ? r : r.reply;
      if (payload.length > P.XENSTORE_PAYLOAD_MAX) throw new XsError("E2BIG");
      return { reply: answer(msg.type, payload), then: r instanceof Uint8Array ? undefined : r.then };
    } catch (e) {
      let errno: P.XsErrno = "EIO";
      if (e instanceof XsError) errno = e.errno;
      else {
        this.internalErrors++;
        this.log(`d${c.domid}: internal error on request type ${msg.type}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      return { reply: answer(P.XS_ERROR, P.bytes(`${errno}\0`)) };
    }
  }

  private dispatch(c: Conn, msg: XsMessage, ref: RequestRef | null): Reply {
    const t = msg.type;
    const handler = HANDLERS[t];
    if (!handler) throw new XsError("ENOSYS");
    if (PRIV_ONLY.has(t) && !c.privileged) throw new XsError("EACCES");
    let tx: Transaction | null = null;
    if (!NO_TXID.has(t) && msg.txId !== 0) {
      tx = c.transactions.get(msg.txId) ?? null;
      if (!tx) throw new XsError("ENOENT");
    }
    const ctx: Ctx = { who: c.asker, unpriv: !c.privileged, tx, account: this.store.account(c.domid) };
    const saved = this.currentRef;
    this.currentRef = ref;
    try {
      return handler(this.core, c, ctx, msg.payload);
    } finally {
      this.currentRef = saved;
    }
  }

  private internalCtx(): Ctx {
    return { who: { domid: 0, privileged: true, target: null }, unpriv: false, tx: null, account: this.store.account(0) };
  }

  // ---- output and watch events -------------------------------------------------------

  private enqueue(c: Conn, bytes: Uint8Array, event: boolean, ref: RequestRef | null): void {
    const a = this.store.account(c.domid);
    a.memory += bytes.length;
    if (!event) a.outstanding++;
    if (event && ref) ref.events++;
    const key = event ? P.latin1(bytes.subarray(P.XSD_HDR_SIZE)) : "";
    if (event) c.queuedEvents.set(key, (c.queuedEvents.get(key) ?? 0) + 1);
    c.out.push({ bytes, used: 0, event, key, ref });
    this.dirty.add(c);
  }

  /** (ConnOwner) The head of a connection's queue went out, or is dropped. */
  dequeue(c: Conn): void {
    const q = c.out.shift();
    if (!q) return;
    const a = this.store.account(c.domid);
    a.memory -= q.bytes.length;
    if (q.event) {
      const n = c.queuedEvents.get(q.key)! - 1;
      if (n) c.queuedEvents.set(q.key, n);
      else c.queuedEvents.delete(q.key);
      const ref = q.ref;
      if (ref && --ref.events === 0 && ref.replied) ref.account.outstanding--;
    } else if (q.ref && q.ref.events > 0) {
      q.ref.replied = true;
    } else {
      a.outstanding--;
    }
  }

  /** Queue a watch event (C send_event): too long is dropped, so is a duplicate still waiting or one over the memory quota. */
  private sendEvent(c: Conn, path: string, token: string, ref: RequestRef | null): void {
    const payload = eventPayload(path, token);
    if (payload.length > P.XENSTORE_PAYLOAD_MAX) return;
    if (path[0] !== "@") {
      // Only the head of the queue can be partly written already; it does not count.
      const key = P.latin1(payload);
      const head = c.out[0];
      const waiting = (c.queuedEvents.get(key) ?? 0) - (head && head.used > 0 && head.key === key ? 1 : 0);
      if (waiting > 0) return;
    }
    const bytes = P.serialize({ type: P.XS_WATCH_EVENT, reqId: 0, txId: 0, payload });
    if (this.store.quotas.memoryExceeded(this.store.account(c.domid), bytes.length, !c.privileged)) return;
    this.enqueue(c, bytes, true, ref);
  }

  /**
   * Tell every watch the change reaches, on every connection allowed to read the node
   * or its parent, now or (for permission changes) before (C fire_watches).
   */
  private fireWatches(ref: RequestRef | null, name: string, node: Node | null, match: WatchMatch, oldPerms: Perm[] | null): void {
    for (const c of this.conns.values()) {
      if (c.ignored || c.watches.length === 0) continue;
      if (!this.watchPermitted(c, name, node, oldPerms)) continue;
      for (const w of c.watches) if (watchFires(w, name, match)) this.sendEvent(c, eventPath(w, name), w.token, ref);
    }
  }

  private watchPermitted(c: Conn, name: string, node: Node | null, oldPerms: Perm[] | null): boolean {
    const who = c.asker;
    if (oldPerms && permFor(who, oldPerms) & XS_PERM_READ) return true;
    const gen = (d: number) => this.domains.get(d)?.generation ?? null;
    const n = node ?? this.store.tree.get(name);
    if (!n) return false;
    if (permFor(who, adjustPerms(n.perms, n.generation, gen)) & XS_PERM_READ) return true;
    const parent = this.store.tree.get(parentOf(name));
    return !!parent && (permFor(who, adjustPerms(parent.perms, parent.generation, gen)) & XS_PERM_READ) !== 0;
  }

  /** @introduceDomain / @releaseDomain: plain watchers, and <name>/<domid> for depth watchers. */
  private fireSpecial(name: string, domid: number): void {
    const node = this.store.tree.get(name) ?? null;
    if (!node) return;
    this.fireWatches(null, name, node, "nodepth", null);
    this.fireWatches(null, `${name}/${domid}`, node, "depth", null);
  }

  /** RESET_WATCHES, and part of a reset: forget a connection's watches and open transactions. */
  private dropWatchesAndTransactions(c: Conn): void {
    const a = this.store.account(c.domid);
    a.watches -= c.watches.length;
    for (const w of c.watches) a.memory -= w.node.length + w.token.length;
    c.watches.length = 0;
    for (const tx of c.transactions.values()) this.store.endTransaction(a, tx);
    a.transactions -= c.transactions.size;
    c.transactions.clear();
  }

  /** (ConnOwner) Drop everything a connection holds: watches, transactions, queued output (C domain_conn_reset). */
  resetConn(c: Conn): void {
    this.dropWatchesAndTransactions(c);
    while (c.out.length) this.dequeue(c);
    c.transport?.reset();
    this.dirty.delete(c);
  }

  private *accountsById(): Generator<[number, Account]> {
    for (const d of new Set([0, ...this.domains.keys(), ...[...this.conns.values()].map((c) => c.domid)])) {
      const a = this.store.peekAccount(d);
      if (a) yield [d, a];
    }
  }

  /**
   * Problems found in the store's structure and in every domain's accounting (none
   * when all is well): owned nodes, memory (nodes, transaction copies, watches, queued
   * output), watches, transactions, outstanding requests.
   */
  verify(): string[] {
    const { problems, nodeMemory } = this.store.verify();
    const expect = new Map<number, { memory: number; watches: number; transactions: number; outstanding: number }>();
    const of = (d: number) => {
      let e = expect.get(d);
      if (!e) expect.set(d, (e = { memory: 0, watches: 0, transactions: 0, outstanding: 0 }));
      return e;
    };
    for (const [d, m] of nodeMemory) of(d).memory += m;
    const refs = new Set<RequestRef>();
    for (const c of this.conns.values()) {
      const e = of(c.domid);
      e.watches += c.watches.length;
      for (const w of c.watches) e.memory += w.node.length + w.token.length;
      e.transactions += c.transactions.size;
      for (const tx of c.transactions.values()) for (const a of tx.accessed.values()) e.memory += a.charged;
      for (const q of c.out) {
        e.memory += q.bytes.length;
        if (!q.event) e.outstanding++;
        else if (q.ref) refs.add(q.ref);
      }
    }
    // A request whose reply went out stays outstanding while events it caused wait.
    for (const r of refs) if (r.replied) for (const [d, a] of this.accountsById()) if (a === r.account) of(d).outstanding++;
    for (const [d] of this.accountsById()) of(d);
    for (const [d, e] of expect) {
      const a = this.store.peekAccount(d);
      const got = a ?? { memory: 0, watches: 0, transactions: 0, outstanding: 0 };
      for (const k of ["memory", "watches", "transactions", "outstanding"] as const) if (got[k] !== e[k]) problems.push(`d${d}: ${k} is ${got[k]}, expected ${e[k]}`);
    }
    return problems;
  }
}
