// The request table (C xenstored wire_funcs) and the requests that are not about one
// node: watches, transactions, domains, RESET_WATCHES, CONTROL. Node requests live in
// ops.ts. Each handler returns the reply payload, or the payload plus something to do
// once the reply is queued (WATCH's first event comes after its OK).

import type { Conn, DomainRec, RequestRef, RingBinding } from "./connection.ts";
import { doControl } from "./control.ts";
import * as ops from "./ops.ts";
import { canonicalize, domainPath, isRelative } from "./paths.ts";
import type { Perm } from "./permissions.ts";
import * as P from "./protocol.ts";
import { XsError } from "./protocol.ts";
import type { Ctx, Store } from "./store.ts";
import { Transaction } from "./transactions.ts";
import type { Node } from "./tree.ts";
import { eventPath, parseDepth, type Watch, type WatchMatch } from "./watches.ts";

/** What the handlers need from the daemon. */
export interface Daemon {
  readonly store: Store;
  readonly opEnv: ops.OpEnv;
  /** The request being served, so the events it causes are counted against it. */
  currentRef(): RequestRef | null;
  sendEvent(c: Conn, path: string, token: string, ref: RequestRef | null): void;
  fireWatches(ref: RequestRef | null, name: string, node: Node | null, match: WatchMatch, oldPerms: Perm[] | null): void;
  isIntroduced(domid: number): boolean;
  domain(domid: number): DomainRec | undefined;
  introduce(domid: number, ring: RingBinding | null): void;
  release(domid: number): boolean;
  /** The host's way to map a ring named by XS_INTRODUCE; undefined when it has none. */
  mapRing(domid: number, gfn: string, port: number): RingBinding | null | undefined;
  dropWatchesAndTransactions(c: Conn): void;
  verify(): string[];
  log(line: string): void;
}

export type Reply = Uint8Array | { reply: Uint8Array; then: () => void };
type Handler = (d: Daemon, c: Conn, ctx: Ctx, payload: Uint8Array) => Reply;

/** WATCH "path\0token\0[depth\0]": OK, then one event at once. */
function watch(d: Daemon, c: Conn, ctx: Ctx, payload: Uint8Array): Reply {
  const args = P.strings(payload);
  if (args.length !== 2 && args.length !== 3) throw new XsError("EINVAL");
  const depth = parseDepth(args[2]);
  if (depth === null) throw new XsError("EINVAL");
  const [path, token] = args as [string, string];
  const node = canonicalize(path, { home: domainPath(c.domid), pathMax: d.store.quotas.pathMax(ctx.unpriv) }, true);
  if (c.watches.some((w) => w.node === node && w.token === token)) throw new XsError("EEXIST");
  if (d.store.quotas.watchesExceeded(ctx.account, ctx.unpriv)) throw new XsError("E2BIG");
  const cost = node.length + token.length;
  if (d.store.quotas.memoryExceeded(ctx.account, cost, ctx.unpriv)) throw new XsError("ENOMEM");
  const w: Watch = { node, token, depth, prefixLen: isRelative(path) ? domainPath(c.domid).length + 1 : 0 };
  c.watches.push(w);
  ctx.account.watches++;
  ctx.account.memory += cost;
  return { reply: P.okPayload(), then: () => d.sendEvent(c, eventPath(w, w.node), token, null) };
}

function unwatch(d: Daemon, c: Conn, ctx: Ctx, payload: Uint8Array): Reply {
  const args = P.strings(payload);
  if (args.length !== 2) throw new XsError("EINVAL");
  const node = canonicalize(args[0]!, { home: domainPath(c.domid), pathMax: d.store.quotas.pathMax(ctx.unpriv) }, true);
  const i = c.watches.findIndex((w) => w.node === node && w.token === args[1]);
  if (i < 0) throw new XsError("ENOENT");
  const [w] = c.watches.splice(i, 1);
  ctx.account.watches--;
  ctx.account.memory -= w!.node.length + w!.token.length;
  return P.okPayload();
}

/** TRANSACTION_START: a fresh id for this connection (never 0, never one in use). */
function transactionStart(d: Daemon, c: Conn, ctx: Ctx): Reply {
  if (ctx.tx) throw new XsError("EBUSY");
  if (d.store.quotas.transactionsExceeded(ctx.account, ctx.unpriv)) throw new XsError("ENOSPC");
  let id: number;
  do {
    id = c.nextTxId;
    c.nextTxId = (c.nextTxId + 1) >>> 0;
  } while (id === 0 || c.transactions.has(id));
  c.transactions.set(id, new Transaction(id, d.store.tree.nextGeneration()));
  ctx.account.transactions++;
  return P.bytes(`${id}\0`);
}

/** TRANSACTION_END "T\0" commits (or EAGAIN), "F\0" aborts; the transaction ends either way. */
function transactionEnd(d: Daemon, c: Conn, ctx: Ctx, payload: Uint8Array): Reply {
  const arg = P.onearg(payload);
  if (arg !== "T" && arg !== "F") throw new XsError("EINVAL");
  const tx = ctx.tx;
  if (!tx) throw new XsError("ENOENT");
  c.transactions.delete(tx.id);
  ctx.account.transactions--;
  try {
    if (arg === "T") {
      const fired = d.store.commit(ctx, tx, (domid) => domid !== 0);
      for (const f of fired) d.fireWatches(d.currentRef(), f.name, null, f.match, f.oldPerms);
    }
  } finally {
    d.store.endTransaction(ctx.account, tx);
  }
  return P.okPayload();
}

function getDomainPath(_d: Daemon, _c: Conn, _ctx: Ctx, payload: Uint8Array): Reply {
  const arg = P.onearg(payload);
  if (arg === null) throw new XsError("EINVAL");
  return P.bytes(`${domainPath(P.atoi(arg))}\0`);
}

function isDomainIntroduced(d: Daemon, _c: Conn, _ctx: Ctx, payload: Uint8Array): Reply {
  const arg = P.onearg(payload);
  if (arg === null) throw new XsError("EINVAL");
  const domid = P.atoi(arg) >>> 0;
  return P.bytes(domid === P.DOMID_SELF || d.isIntroduced(domid) ? "T\0" : "F\0");
}

/** INTRODUCE "domid\0gfn\0port\0"; introducing again restarts the connection. */
function introduce(d: Daemon, _c: Conn, _ctx: Ctx, payload: Uint8Array): Reply {
  const args = P.strings(payload);
  if (args.length < 3) throw new XsError("EINVAL");
  const domid = P.atoi(args[0]!) >>> 0;
  const port = P.atoi(args[2]!);
  if (port <= 0) throw new XsError("EINVAL");
  if (domid === 0) return P.okPayload(); // dom0 is this host, always connected
  const known = d.domain(domid)?.conn;
  if (known) {
    d.introduce(domid, known.ring);
    return P.okPayload();
  }
  const ring = d.mapRing(domid, args[1]!, port);
  if (ring === null) throw new XsError("EINVAL");
  d.introduce(domid, ring ?? null);
  return P.okPayload();
}

/** The domain a RELEASE/RESUME names: not dom0, and introduced. */
function introducedArg(d: Daemon, payload: Uint8Array): DomainRec {
  const arg = P.onearg(payload);
  if (arg === null) throw new XsError("EINVAL");
  const domid = P.atoi(arg) >>> 0;
  if (domid === 0) throw new XsError("EINVAL");
  const rec = d.domain(domid);
  if (!rec?.conn) throw new XsError("ENOENT");
  return rec;
}

function release(d: Daemon, _c: Conn, _ctx: Ctx, payload: Uint8Array): Reply {
  d.release(introducedArg(d, payload).domid);
  return P.okPayload();
}

function resume(d: Daemon, _c: Conn, _ctx: Ctx, payload: Uint8Array): Reply {
  introducedArg(d, payload).shutdown = false;
  return P.okPayload();
}

/** SET_TARGET "domid\0target\0": domid then acts with target's rights (a device model for its guest). */
function setTarget(d: Daemon, _c: Conn, _ctx: Ctx, payload: Uint8Array): Reply {
  const args = P.strings(payload);
  if (args.length < 2) throw new XsError("EINVAL");
  const dom = d.domain(P.atoi(args[0]!) >>> 0);
  const target = d.domain(P.atoi(args[1]!) >>> 0);
  if (!dom?.conn || !target?.conn) throw new XsError("ENOENT");
  dom.conn.target = target.domid;
  return P.okPayload();
}

function resetWatches(d: Daemon, c: Conn): Reply {
  d.dropWatchesAndTransactions(c);
  return P.okPayload();
}

function control(d: Daemon, _c: Conn, _ctx: Ctx, payload: Uint8Array): Reply {
  return doControl(
    {
      limits: d.store.quotas.limits,
      check: () => d.verify(),
      log: (l) => d.log(l),
      account: (domid) => (domid === 0 || d.domain(domid) ? d.store.account(domid) : undefined),
    },
    payload,
  );
}

const nodeRequest =
  (f: (env: ops.OpEnv, ctx: Ctx, payload: Uint8Array) => Uint8Array): Handler =>
  (d, _c, ctx, payload) =>
    f(d.opEnv, ctx, payload);

export const HANDLERS: Partial<Record<number, Handler>> = {
  [P.XS_CONTROL]: control,
  [P.XS_DIRECTORY]: nodeRequest(ops.doDirectory),
  [P.XS_READ]: nodeRequest(ops.doRead),
  [P.XS_GET_PERMS]: nodeRequest(ops.doGetPerms),
  [P.XS_WATCH]: watch,
  [P.XS_UNWATCH]: unwatch,
  [P.XS_TRANSACTION_START]: transactionStart,
  [P.XS_TRANSACTION_END]: transactionEnd,
  [P.XS_INTRODUCE]: introduce,
  [P.XS_RELEASE]: release,
  [P.XS_GET_DOMAIN_PATH]: getDomainPath,
  [P.XS_WRITE]: nodeRequest(ops.doWrite),
  [P.XS_MKDIR]: nodeRequest(ops.doMkdir),
  [P.XS_RM]: nodeRequest(ops.doRm),
  [P.XS_SET_PERMS]: nodeRequest(ops.doSetPerms),
  [P.XS_IS_DOMAIN_INTRODUCED]: isDomainIntroduced,
  [P.XS_RESUME]: resume,
  [P.XS_SET_TARGET]: setTarget,
  [P.XS_RESET_WATCHES]: resetWatches,
  [P.XS_DIRECTORY_PART]: nodeRequest(ops.doDirectoryPart),
};

/** C wire_funcs XS_FLAG_PRIV: privileged connections only (EACCES). */
export const PRIV_ONLY = new Set([P.XS_CONTROL, P.XS_INTRODUCE, P.XS_RELEASE, P.XS_IS_DOMAIN_INTRODUCED, P.XS_RESUME, P.XS_SET_TARGET]);
/** C wire_funcs XS_FLAG_NOTID: the header's tx_id is ignored. */
export const NO_TXID = new Set([P.XS_WATCH, P.XS_UNWATCH]);
