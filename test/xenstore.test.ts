// XenStore daemon (host/backends/xenstore): every request type and error, transactions,
// watches, permissions, quotas and hostile guests, driven the way a guest drives it:
// bytes in a 4 KiB ring page, indexes advanced, the store event channel kicked.

import { test } from "node:test";
import assert from "node:assert/strict";

import {
  XenStored,
  writeDomainKeys,
  writeDom0Keys,
  releaseDomain,
  serialize,
  parseHeader,
  latin1,
  bytes,
  nulJoin,
  atoi,
  XSD_ERRORS,
  XS_CONTROL, XS_DIRECTORY, XS_READ, XS_GET_PERMS, XS_WATCH, XS_UNWATCH, XS_TRANSACTION_START,
  XS_TRANSACTION_END, XS_INTRODUCE, XS_RELEASE, XS_GET_DOMAIN_PATH, XS_WRITE, XS_MKDIR, XS_RM,
  XS_SET_PERMS, XS_WATCH_EVENT, XS_ERROR, XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET,
  XS_RESET_WATCHES, XS_DIRECTORY_PART,
  RING_REQ, RING_RSP, RING_REQ_CONS, RING_REQ_PROD, RING_RSP_CONS, RING_RSP_PROD,
  RING_SERVER_FEATURES, RING_CONNECTION, RING_ERROR,
  XENSTORE_ERROR_PROTO, XENSTORE_ERROR_RINGIDX, XENSTORE_RECONNECT, XENSTORE_CONNECTED,
  SERVER_FEATURES, DEFAULT_QUOTAS,
  type XsMessage, type QuotaLimits,
} from "../host/backends/xenstore/index.ts";

// ---- a guest's side of the ring -------------------------------------------------------

interface Reply {
  type: number;
  txId: number;
  text: string;
  payload: Uint8Array;
}

class Guest {
  readonly page = new Uint8Array(4096);
  readonly view = new DataView(this.page.buffer);
  notifications = 0;
  events: { path: string; token: string }[] = [];
  private readonly replies = new Map<number, XsMessage>();
  private rx: number[] = [];
  private nextReq = 1;
  readonly xs: XenStored;
  readonly domid: number;

  constructor(xs: XenStored, domid: number, opts: { keys?: boolean; startIndex?: number } = {}) {
    this.xs = xs;
    this.domid = domid;
    if (opts.keys !== false) writeDomainKeys(xs, domid, { name: `guest${domid}`, memoryKiB: 32768, vcpus: 1, store: { ringRef: 1000 + domid, port: 1 } });
    xs.introduceDomain(domid, this.view, () => this.notifications++);
    if (opts.startIndex !== undefined) for (const off of [RING_REQ_CONS, RING_REQ_PROD, RING_RSP_CONS, RING_RSP_PROD]) this.set(off, opts.startIndex);
  }

  get(off: number): number {
    return this.view.getUint32(off, true);
  }
  set(off: number, v: number): void {
    this.view.setUint32(off, v >>> 0, true);
  }

  /** Put as many bytes as fit into req[]; returns how many. */
  push(b: Uint8Array): number {
    const cons = this.get(RING_REQ_CONS);
    const prod = this.get(RING_REQ_PROD);
    const n = Math.min(1024 - ((prod - cons) >>> 0), b.length);
    for (let i = 0; i < n; i++) this.page[RING_REQ + ((prod + i) & 1023)] = b[i]!;
    this.set(RING_REQ_PROD, prod + n);
    return n;
  }

  kick(): void {
    this.xs.serviceDomain(this.domid);
  }

  /** After a reconnect the guest forgets any partly received reply. */
  forgetPartial(): void {
    this.rx = [];
  }

  /** Read what the daemon wrote until it has nothing more; replies are kept by request id, events appended. */
  drain(): void {
    for (;;) {
      let cons = this.get(RING_RSP_CONS);
      const prod = this.get(RING_RSP_PROD);
      if (cons === prod) return;
      while (cons !== prod) this.rx.push(this.page[RING_RSP + (cons & 1023)]!), (cons = (cons + 1) >>> 0);
      this.set(RING_RSP_CONS, cons);
      this.parse();
      this.kick(); // a guest notifies after consuming, so more output can come
    }
  }

  private parse(): void {
    for (;;) {
      if (this.rx.length < 16) break;
      const h = parseHeader(Uint8Array.from(this.rx.slice(0, 16)));
      if (this.rx.length < 16 + h.len) break;
      const payload = Uint8Array.from(this.rx.slice(16, 16 + h.len));
      this.rx = this.rx.slice(16 + h.len);
      if (h.type === XS_WATCH_EVENT) {
        const [path, token] = latin1(payload).split("\0");
        this.events.push({ path: path!, token: token! });
      } else {
        this.replies.set(h.reqId, { type: h.type, reqId: h.reqId, txId: h.txId, payload });
      }
    }
  }

  /** Send a whole message, as a guest does: write what fits, notify, wait for room. */
  sendRaw(b: Uint8Array): void {
    let off = 0;
    for (let spins = 0; off < b.length; spins++) {
      assert.ok(spins < 10000, "ring never drained");
      off += this.push(b.subarray(off));
      this.kick();
      this.drain();
    }
  }

  call(type: number, payload: Uint8Array | string, txId = 0): Reply {
    const reqId = this.nextReq++;
    this.sendRaw(serialize({ type, reqId, txId, payload: typeof payload === "string" ? bytes(payload) : payload }));
    this.drain();
    const r = this.replies.get(reqId);
    assert.ok(r, `no reply to request ${reqId}`);
    this.replies.delete(reqId);
    return { type: r.type, txId: r.txId, text: latin1(r.payload), payload: r.payload };
  }

  // libxenstore-like helpers; a failed request returns the error name.
  read(path: string, tx = 0): string {
    return result(this.call(XS_READ, `${path}\0`, tx));
  }
  write(path: string, value: string, tx = 0): string {
    return result(this.call(XS_WRITE, `${path}\0${value}`, tx));
  }
  mkdir(path: string, tx = 0): string {
    return result(this.call(XS_MKDIR, `${path}\0`, tx));
  }
  rm(path: string, tx = 0): string {
    return result(this.call(XS_RM, `${path}\0`, tx));
  }
  dir(path: string, tx = 0): string {
    return result(this.call(XS_DIRECTORY, `${path}\0`, tx));
  }
  perms(path: string): string {
    return result(this.call(XS_GET_PERMS, `${path}\0`));
  }
  setPerms(path: string, ...perms: string[]): string {
    return result(this.call(XS_SET_PERMS, nulJoin([path, ...perms])));
  }
  watch(path: string, token: string): string {
    return result(this.call(XS_WATCH, nulJoin([path, token])));
  }
  unwatch(path: string, token: string): string {
    return result(this.call(XS_UNWATCH, nulJoin([path, token])));
  }
  start(): number {
    const r = this.call(XS_TRANSACTION_START, "\0");
    assert.equal(r.type, XS_TRANSACTION_START, r.text);
    return Number(r.text.replace("\0", ""));
  }
  end(tx: number, commit = true): string {
    return result(this.call(XS_TRANSACTION_END, commit ? "T\0" : "F\0", tx));
  }
  takeEvents(): string[] {
    this.drain();
    const e = this.events.map((v) => `${v.path}|${v.token}`);
    this.events = [];
    return e;
  }
}

/** The reply's text without its final NUL, or "ERR:<errno>". */
function result(r: Reply): string {
  if (r.type === XS_ERROR) return `ERR:${r.text.replace(/\0$/, "")}`;
  return r.text.endsWith("\0") ? r.text.slice(0, -1) : r.text;
}

function fresh(quotas?: Partial<QuotaLimits>): XenStored {
  const lines: string[] = [];
  const xs = new XenStored({ quotas, log: (l) => lines.push(l) });
  writeDom0Keys(xs);
  return xs;
}

/** The store is consistent and no request hit a daemon bug. */
function healthy(xs: XenStored): void {
  assert.deepEqual(xs.verify(), []);
  assert.equal(xs.internalErrors, 0);
}

// ---- protocol ------------------------------------------------------------------------------

test("protocol: xs_wire.h error table, header layout, C atoi", () => {
  assert.deepEqual([...XSD_ERRORS], ["EINVAL", "EACCES", "EEXIST", "EISDIR", "ENOENT", "ENOMEM", "ENOSPC", "EIO", "ENOTEMPTY", "ENOSYS", "EROFS", "EBUSY", "EAGAIN", "EISCONN", "E2BIG", "EPERM"]);
  const b = serialize({ type: 2, reqId: 0x11223344, txId: 7, payload: bytes("ab\0") });
  assert.deepEqual([...b.subarray(0, 16)], [2, 0, 0, 0, 0x44, 0x33, 0x22, 0x11, 7, 0, 0, 0, 3, 0, 0, 0]);
  assert.deepEqual(parseHeader(b), { type: 2, reqId: 0x11223344, txId: 7, len: 3 });
  assert.equal(atoi(" 42x"), 42);
  assert.equal(atoi("-1"), -1);
  assert.equal(atoi("abc"), 0);
  assert.equal(atoi("4294967301"), 5);
});

// ---- every request type --------------------------------------------------------------------

test("guest requests: read, write, mkdir, rm, directory, perms, domain path, relative paths", () => {
  const xs = fresh();
  const g = new Guest(xs, 5);
  assert.equal(g.get(RING_SERVER_FEATURES), SERVER_FEATURES);
  assert.equal(g.read("name"), "guest5");
  assert.equal(g.read("/local/domain/5/domid"), "5");
  assert.equal(g.write("data/a/b", "hello"), "OK");
  assert.equal(g.read("data/a/b"), "hello");
  assert.equal(g.read("data/a"), ""); // created on the way, empty
  assert.equal(g.perms("data/a/b"), "n5"); // inherits data's permissions; the guest owns what it creates
  assert.equal(g.mkdir("data/a"), "OK"); // exists: fine
  assert.equal(g.mkdir("data/c"), "OK");
  assert.equal(g.dir("data"), "a\0c");
  assert.equal(g.write("data/bin", "x\0y\xff"), "OK"); // values are bytes, NULs included
  assert.equal(g.read("data/bin"), "x\0y\xff");
  assert.equal(g.rm("data/a"), "OK");
  assert.equal(g.rm("data/a"), "OK"); // gone, parent exists: fine
  assert.equal(g.rm("data/nope/deeper"), "ERR:ENOENT"); // parent missing
  assert.equal(g.read("data/a/b"), "ERR:ENOENT");
  assert.equal(g.dir("data"), "c\0bin");
  assert.equal(g.perms("/local/domain/5"), "n0\0r5");
  assert.equal(result(g.call(XS_GET_DOMAIN_PATH, "7\0")), "/local/domain/7");
  assert.equal(result(g.call(XS_GET_DOMAIN_PATH, "x\0")), "/local/domain/0"); // atoi
  assert.equal(g.rm("/"), "ERR:EACCES"); // the guest cannot write the root
  assert.equal(xs.host.read("/local/domain/5/data/c"), "");
  healthy(xs);
});

test("error replies: type ERROR, the errno name and a NUL, req_id and tx_id echoed", () => {
  const xs = fresh();
  const g = new Guest(xs, 3);
  const r = g.call(XS_READ, "nothere\0");
  assert.equal(r.type, XS_ERROR);
  assert.equal(r.text, "ENOENT\0");
  const tx = g.start();
  const r2 = g.call(XS_READ, "nothere\0", tx);
  assert.equal(r2.txId, tx);
  const ok = g.call(XS_WRITE, "data/x\0v");
  assert.equal(ok.type, XS_WRITE);
  assert.deepEqual([...ok.payload], [79, 75, 0]); // "OK\0", exactly 3 bytes
});

test("errors: EINVAL, EACCES, EEXIST, ENOENT, ENOSYS, EBUSY, E2BIG, EPERM, ENOSPC (EAGAIN and ENOMEM below)", () => {
  const xs = fresh({ nodes: 20 });
  const g = new Guest(xs, 4);
  const h = new Guest(xs, 6);
  // EINVAL: bad characters, trailing slash, double slash, empty, special path where not allowed, no NUL.
  for (const p of ["data/a b", "data/a/", "data//a", "", "@releaseDomain", "data/\xe9"]) assert.equal(g.read(p), "ERR:EINVAL", p);
  assert.equal(result(g.call(XS_READ, "data")), "ERR:EINVAL"); // unterminated
  assert.equal(result(g.call(XS_READ, "data\0\0")), "ERR:EINVAL"); // two strings
  assert.equal(result(g.call(XS_WRITE, "data")), "ERR:EINVAL"); // no path terminator
  assert.equal(result(g.call(XS_TRANSACTION_END, "X\0", g.start())), "ERR:EINVAL");
  // EACCES: another domain's home; privileged-only requests.
  assert.equal(g.read("/local/domain/6/name"), "ERR:EACCES");
  for (const t of [XS_CONTROL, XS_INTRODUCE, XS_RELEASE, XS_IS_DOMAIN_INTRODUCED, XS_RESUME, XS_SET_TARGET]) {
    assert.equal(result(g.call(t, "1\0")), "ERR:EACCES", `type ${t}`);
  }
  // EEXIST: the same watch twice.
  assert.equal(g.watch("data", "t"), "OK");
  assert.equal(g.watch("data", "t"), "ERR:EEXIST");
  // ENOENT: unknown transaction id; end without a transaction; unwatch of nothing.
  assert.equal(g.read("name", 999), "ERR:ENOENT");
  assert.equal(result(g.call(XS_TRANSACTION_END, "T\0")), "ERR:ENOENT");
  assert.equal(g.unwatch("data", "nope"), "ERR:ENOENT");
  // ENOSYS: types the daemon does not serve.
  for (const t of [XS_WATCH_EVENT, XS_ERROR, 20, 23, 24, 25, 26, 0xffff, 1000]) assert.equal(result(g.call(t, "\0")), "ERR:ENOSYS", `type ${t}`);
  // EBUSY: a transaction inside a transaction.
  const tx = g.start();
  assert.equal(result(g.call(XS_TRANSACTION_START, "\0", tx)), "ERR:EBUSY");
  g.end(tx, false);
  // EAGAIN: see the transaction tests. E2BIG: a reply over 4096 bytes.
  for (let i = 0; i < 3; i++) xs.host.write(`/local/domain/6/data/${"x".repeat(1500)}${i}`, "");
  assert.equal(h.dir("data"), "ERR:E2BIG");
  // EPERM: an unprivileged owner may not give a node away.
  assert.equal(g.write("data/mine", "1"), "OK");
  assert.equal(g.setPerms("data/mine", "n6"), "ERR:EPERM");
  // ENOSPC: the node quota (20 here).
  let err = "";
  for (let i = 0; i < 30 && !err.startsWith("ERR"); i++) err = g.write(`data/n${i}`, "");
  assert.equal(err, "ERR:ENOSPC");
  healthy(xs);
});

test("ENOMEM: a transaction that failed half way cannot commit; the memory quota refuses", () => {
  const xs = fresh({ transactionNodes: 4 });
  const g = new Guest(xs, 4);
  for (let i = 0; i < 8; i++) g.write(`data/k${i}`, "");
  const tx = g.start();
  let err = "";
  for (let i = 0; i < 8 && !err.startsWith("ERR"); i++) err = g.read(`data/k${i}`, tx);
  assert.equal(err, "ERR:ENOSPC"); // the fifth node touched
  assert.equal(g.end(tx), "ERR:ENOMEM");
  const ys = fresh({ memory: 8000 });
  const y = new Guest(ys, 9);
  let e2 = "";
  for (let i = 0; i < 40 && !e2.startsWith("ERR"); i++) e2 = y.write(`data/m${i}`, "v".repeat(500));
  assert.equal(e2, "ERR:ENOMEM");
  healthy(xs);
  healthy(ys);
});

test("directory_part: generation, parts that fit, the closing empty string", () => {
  const xs = fresh();
  const g = new Guest(xs, 2);
  const names: string[] = [];
  for (let i = 0; i < 60; i++) {
    const n = `child-${String(i).padStart(3, "0")}-${"z".repeat(90)}`;
    names.push(n);
    xs.host.write(`/local/domain/2/data/d/${n}`, ""); // dom0: a guest could not grow one node this big
  }
  assert.equal(g.dir("data/d"), "ERR:E2BIG");
  const got: string[] = [];
  let off = 0;
  let gen = "";
  let parts = 0;
  for (;;) {
    const r = g.call(XS_DIRECTORY_PART, `data/d\0${off}\0`);
    assert.equal(r.type, XS_DIRECTORY_PART);
    assert.ok(r.payload.length <= 4096);
    const [g0, ...rest] = r.text.split("\0");
    if (gen) assert.equal(g0, gen);
    gen = g0!;
    parts++;
    const done = r.text.endsWith("\0\0");
    const kids = (done ? rest.slice(0, -2) : rest.slice(0, -1)).filter((s) => s !== "");
    got.push(...kids);
    off += kids.reduce((s, k) => s + k.length + 1, 0);
    if (done) break;
  }
  assert.ok(parts >= 2);
  assert.deepEqual(got, names);
  const end = g.call(XS_DIRECTORY_PART, `data/d\0${off + 5}\0`);
  assert.equal(end.text, `${gen}\0\0`);
  assert.equal(result(g.call(XS_DIRECTORY_PART, "data/d\0")), "ERR:EINVAL");
});

test("direct connections, INTRODUCE/RELEASE/RESUME/IS_DOMAIN_INTRODUCED/SET_TARGET/RESET_WATCHES/CONTROL on the wire", () => {
  const xs = fresh();
  const c = xs.connect({ domid: 0 });
  let req = 1;
  const call = (type: number, s: string, txId = 0) => result(replyOf(xs.handle(c, { type, reqId: req++, txId, payload: bytes(s) })));
  assert.equal(call(XS_WATCH, "@introduceDomain\0i\0"), "OK");
  assert.equal(call(XS_WATCH, "@releaseDomain\0r\0"), "OK");
  assert.deepEqual(events(xs, c), ["@introduceDomain|i", "@releaseDomain|r"]);
  assert.equal(call(XS_IS_DOMAIN_INTRODUCED, "7\0"), "F");
  assert.equal(call(XS_IS_DOMAIN_INTRODUCED, "0\0"), "T");
  assert.equal(call(XS_IS_DOMAIN_INTRODUCED, `${0x7ff0}\0`), "T"); // DOMID_SELF
  assert.equal(call(XS_INTRODUCE, "7\x00123\x000\0"), "ERR:EINVAL"); // port must be > 0
  assert.equal(call(XS_INTRODUCE, "7\x00123\0"), "ERR:EINVAL");
  assert.equal(call(XS_INTRODUCE, "7\x00123\x005\0"), "OK");
  assert.equal(call(XS_IS_DOMAIN_INTRODUCED, "7\0"), "T");
  assert.deepEqual(events(xs, c), ["@introduceDomain|i"]);
  assert.equal(call(XS_INTRODUCE, "7\x00123\x005\0"), "OK"); // again: no new event
  assert.deepEqual(events(xs, c), []);
  assert.equal(call(XS_INTRODUCE, "8\x00124\x005\0"), "OK");
  events(xs, c);
  assert.equal(call(XS_SET_TARGET, "8\x007\0"), "OK");
  assert.equal(call(XS_SET_TARGET, "8\x009\0"), "ERR:ENOENT");
  assert.equal(call(XS_RESUME, "7\0"), "OK");
  assert.equal(call(XS_RESUME, "0\0"), "ERR:EINVAL");
  assert.equal(call(XS_RESUME, "9\0"), "ERR:ENOENT");
  assert.equal(call(XS_RELEASE, "0\0"), "ERR:EINVAL");
  assert.equal(call(XS_RELEASE, "9\0"), "ERR:ENOENT");
  assert.equal(call(XS_RELEASE, "7\0"), "OK");
  assert.equal(call(XS_IS_DOMAIN_INTRODUCED, "7\0"), "F");
  assert.deepEqual(events(xs, c), ["@releaseDomain|r"]);
  assert.equal(call(XS_RESET_WATCHES, "\0"), "OK");
  xs.releaseDomain(8);
  assert.deepEqual(events(xs, c), []);
  assert.equal(call(XS_CONTROL, "check\0"), "OK");
  assert.match(call(XS_CONTROL, "quota\0"), /^Quota settings:\nnodes            :     1000 Nodes per domain\n/);
  assert.equal(call(XS_CONTROL, "quota\0set\0watches\x0050\0"), "OK");
  assert.equal(xs.store.quotas.limits.watches, 50);
  assert.equal(call(XS_CONTROL, "quota\0set\0watches\x000\0"), "ERR:EINVAL");
  assert.match(call(XS_CONTROL, "quota\x000\0"), /^Domain 0:\nnodes/);
  assert.equal(call(XS_CONTROL, "quota\x0099\0"), "ERR:ENOENT");
  assert.match(call(XS_CONTROL, "help\0"), /^check/);
  assert.equal(call(XS_CONTROL, "print\0hi\0"), "OK");
  assert.equal(call(XS_CONTROL, "bogus\0"), "ERR:EINVAL");
  healthy(xs);
});

function replyOf(m: XsMessage): Reply {
  return { type: m.type, txId: m.txId, text: latin1(m.payload), payload: m.payload };
}

function events(xs: XenStored, conn: number): string[] {
  return xs.takeOutput(conn).map((m) => {
    assert.equal(m.type, XS_WATCH_EVENT);
    assert.equal(m.reqId, 0);
    const [p, t] = latin1(m.payload).split("\0");
    return `${p}|${t}`;
  });
}

// ---- transactions --------------------------------------------------------------------------

test("transactions: isolation, commit, abort, EAGAIN when two domains race", () => {
  const xs = fresh();
  const a = new Guest(xs, 1);
  const b = new Guest(xs, 2);
  xs.host.write("/shared/counter", "0");
  xs.host.setPerms("/shared", ["n0", "b1", "b2"]);
  xs.host.setPerms("/shared/counter", ["n0", "b1", "b2"]);

  // Isolation: changes are invisible outside until commit.
  const t1 = a.start();
  assert.equal(a.write("/shared/counter", "1", t1), "OK");
  assert.equal(a.read("/shared/counter", t1), "1");
  assert.equal(a.read("/shared/counter"), "0");
  assert.equal(b.read("/shared/counter"), "0");
  assert.equal(a.end(t1), "OK");
  assert.equal(b.read("/shared/counter"), "1");

  // Abort discards.
  const t2 = a.start();
  assert.equal(a.write("/shared/counter", "99", t2), "OK");
  assert.equal(a.end(t2, false), "OK");
  assert.equal(a.read("/shared/counter"), "1");

  // Race: both read-modify-write the counter; the second commit gets EAGAIN and retries.
  const ta = a.start();
  const tb = b.start();
  const va = Number(a.read("/shared/counter", ta));
  const vb = Number(b.read("/shared/counter", tb));
  assert.equal(a.write("/shared/counter", String(va + 1), ta), "OK");
  assert.equal(b.write("/shared/counter", String(vb + 1), tb), "OK");
  assert.equal(a.end(ta), "OK");
  assert.equal(b.end(tb), "ERR:EAGAIN");
  assert.equal(b.end(tb), "ERR:ENOENT"); // the transaction is gone after EAGAIN
  const tb2 = b.start();
  const v = Number(b.read("/shared/counter", tb2));
  assert.equal(b.write("/shared/counter", String(v + 1), tb2), "OK");
  assert.equal(b.end(tb2), "OK");
  assert.equal(xs.host.read("/shared/counter"), "3");

  // A write outside any transaction also conflicts with a transaction that read the node.
  const t3 = a.start();
  a.read("/shared/counter", t3);
  a.write("/shared/other", "x", t3);
  xs.host.write("/shared/counter", "7");
  assert.equal(a.end(t3), "ERR:EAGAIN");
  assert.equal(xs.host.tryRead("/shared/other"), null);

  // A node found missing in the transaction and created meanwhile conflicts too.
  const t4 = a.start();
  assert.equal(a.read("/shared/late", t4), "ERR:ENOENT");
  a.write("/shared/x", "1", t4);
  xs.host.write("/shared/late", "");
  assert.equal(a.end(t4), "ERR:EAGAIN");

  // Transactions touching unrelated nodes both commit.
  a.write("data/p", "0");
  b.write("data/q", "0");
  const u1 = a.start();
  const u2 = b.start();
  a.write("data/p", "1", u1);
  b.write("data/q", "1", u2);
  assert.equal(a.end(u1), "OK");
  assert.equal(b.end(u2), "OK");

  // Ids: nonzero, distinct per connection; the reply's tx_id echoes the request.
  const ids = [a.start(), a.start(), a.start()];
  assert.equal(new Set(ids).size, 3);
  assert.ok(!ids.includes(0));
  for (const id of ids) assert.equal(a.end(id, false), "OK");
  healthy(xs);
});

test("transactions: watch events fire at commit only, once per node; a rm inside is seen as one", () => {
  const xs = fresh();
  const g = new Guest(xs, 1);
  const w = new Guest(xs, 2);
  xs.host.setPerms("/local/domain/1/data", ["n1", "r2"]);
  assert.equal(w.watch("/local/domain/1/data", "tok"), "OK");
  assert.deepEqual(w.takeEvents(), ["/local/domain/1/data|tok"]);
  const tx = g.start();
  g.write("data/a", "1", tx);
  g.write("data/a", "2", tx);
  g.write("data/b", "1", tx);
  assert.deepEqual(w.takeEvents(), []);
  assert.equal(g.end(tx), "OK");
  const ev = w.takeEvents().sort();
  assert.deepEqual(ev, ["/local/domain/1/data/a|tok", "/local/domain/1/data/b|tok"]);
  const tx2 = g.start();
  g.write("data/c", "1", tx2);
  assert.equal(g.end(tx2, false), "OK");
  assert.deepEqual(w.takeEvents(), []);
  healthy(xs);
});

// ---- watches -------------------------------------------------------------------------------

test("watches: first event at once, relative paths stay relative, tokens are bytes, one event per change", () => {
  const xs = fresh();
  const g = new Guest(xs, 3);
  const token = "t\x01\xfe\xff";
  assert.equal(g.watch("control/shutdown", token), "OK");
  assert.equal(g.watch("/local/domain/3/memory", "abs"), "OK");
  assert.deepEqual(g.takeEvents(), [`control/shutdown|${token}`, "/local/domain/3/memory|abs"]);
  xs.host.write("/local/domain/3/control/shutdown", "poweroff");
  assert.deepEqual(g.takeEvents(), [`control/shutdown|${token}`]);
  xs.host.write("/local/domain/3/memory/target", "1024");
  assert.deepEqual(g.takeEvents(), ["/local/domain/3/memory/target|abs"]);
  // While the guest does not read, its ring fills; an event identical to one still
  // queued is dropped (C send_event), so a burst cannot pile up.
  for (let i = 0; i < 100; i++) xs.host.write("/local/domain/3/memory/target", String(i));
  const burst = g.takeEvents();
  assert.ok(burst.length > 1 && burst.length < 30, `${burst.length} events`);
  assert.ok(burst.every((e) => e === "/local/domain/3/memory/target|abs"));
  assert.deepEqual(g.takeEvents(), []);
  // The guest's own writes fire its own watches; the event is queued before the reply.
  g.write("control/shutdown", "");
  assert.deepEqual(g.takeEvents(), [`control/shutdown|${token}`]);
  assert.equal(g.unwatch("control/shutdown", token), "OK");
  xs.host.write("/local/domain/3/control/shutdown", "reboot");
  assert.deepEqual(g.takeEvents(), []);
  // rm: one subtree event for watchers above, exact events for watchers on removed nodes.
  g.write("data/x/y/z", "1");
  g.watch("data", "top");
  g.watch("data/x/y", "mid");
  g.watch("data/x/y/z/w", "below");
  g.takeEvents();
  assert.equal(g.rm("data/x"), "OK");
  assert.deepEqual(g.takeEvents(), ["data/x/y|mid", "data/x|top"]); // deepest first
  healthy(xs);
});

test("watches: depth, @introduceDomain and @releaseDomain, and nobody hears of nodes it cannot read", () => {
  const xs = fresh();
  const host: string[] = [];
  xs.host.watch("@introduceDomain", "in", (p, t) => host.push(`${p}|${t}`));
  xs.host.watch("@releaseDomain", "out", (p, t) => host.push(`${p}|${t}`));
  const depthConn = xs.connect({ domid: 0 });
  xs.handle(depthConn, { type: XS_WATCH, reqId: 1, txId: 0, payload: nulJoin(["@releaseDomain", "d", "1"]) });
  xs.handle(depthConn, { type: XS_WATCH, reqId: 2, txId: 0, payload: nulJoin(["/local/domain/0", "shallow", "1"]) });
  assert.deepEqual(events(xs, depthConn), ["@releaseDomain|d", "/local/domain/0|shallow"]);
  assert.deepEqual(host, ["@introduceDomain|in", "@releaseDomain|out"]);
  host.length = 0;
  const a = new Guest(xs, 1);
  const b = new Guest(xs, 2);
  assert.deepEqual(host, ["@introduceDomain|in", "@introduceDomain|in"]);
  host.length = 0;
  xs.host.write("/local/domain/0/one", "");
  xs.host.write("/local/domain/0/one/two", "");
  assert.deepEqual(events(xs, depthConn), ["/local/domain/0/one|shallow"]);
  // b watches a's home, which it cannot read: no events, but its own first event still comes.
  assert.equal(b.watch("/local/domain/1", "spy"), "OK");
  assert.deepEqual(b.takeEvents(), ["/local/domain/1|spy"]);
  a.write("data/secret", "1");
  assert.deepEqual(b.takeEvents(), []);
  // Once a gives b read access, b hears of changes.
  assert.equal(a.setPerms("data/secret", "n1", "r2"), "OK");
  assert.deepEqual(b.takeEvents(), ["/local/domain/1/data/secret|spy"]);
  // Guests do not see @releaseDomain (dom0 owns it, no access for others).
  assert.equal(b.watch("@releaseDomain", "rel"), "OK");
  b.takeEvents();
  releaseDomain(xs, 1);
  assert.deepEqual(host, ["@releaseDomain|out"]);
  assert.deepEqual(events(xs, depthConn), ["@releaseDomain/1|d"]);
  assert.deepEqual(b.takeEvents(), []);
  healthy(xs);
});

// ---- permissions ---------------------------------------------------------------------------

test("permissions: owner, r/w/b/n entries, per-domain checks, dom0 privileged, ENOENT only when allowed to know", () => {
  const xs = fresh();
  const a = new Guest(xs, 1);
  const b = new Guest(xs, 2);
  a.write("data/f", "v");
  assert.equal(b.read("/local/domain/1/data/f"), "ERR:EACCES");
  assert.equal(b.read("/local/domain/1/data/missing"), "ERR:EACCES"); // cannot learn it is missing
  assert.equal(a.read("data/missing"), "ERR:ENOENT");
  assert.equal(a.setPerms("data/f", "n1", "r2"), "OK");
  assert.equal(b.read("/local/domain/1/data/f"), "v");
  assert.equal(b.write("/local/domain/1/data/f", "w"), "ERR:EACCES");
  assert.equal(b.setPerms("/local/domain/1/data/f", "n1", "b2"), "ERR:EACCES"); // not the owner
  assert.equal(a.setPerms("data/f", "n1", "w2"), "OK");
  assert.equal(b.write("/local/domain/1/data/f", "w"), "OK");
  assert.equal(b.read("/local/domain/1/data/f"), "ERR:EACCES");
  assert.equal(a.setPerms("data/f", "r1"), "OK"); // owner letter = everyone else
  assert.equal(b.read("/local/domain/1/data/f"), "w");
  assert.equal(a.perms("data/f"), "r1");
  // Creating a node needs write access to the nearest existing ancestor.
  assert.equal(a.setPerms("data", "n1", "w2"), "OK");
  assert.equal(b.write("/local/domain/1/data/new/deep", "x"), "OK");
  assert.equal(b.perms("/local/domain/1/data/new/deep"), "n2\0w2"); // b owns what it creates
  // Guests cannot touch what dom0 wrote read-only for them; dom0 can do anything.
  assert.equal(a.write("name", "evil"), "ERR:EACCES");
  assert.equal(a.write("control/feature-poweroff", "1"), "OK");
  assert.equal(xs.host.read("/local/domain/1/data/f"), "w");
  xs.host.setPerms("/local/domain/1/data/f", ["n2"]); // dom0 may change the owner
  assert.equal(b.read("/local/domain/1/data/f"), "w");
  // Permission strings are validated; owners must exist.
  assert.equal(a.setPerms("data/g"), "ERR:EINVAL");
  a.write("data/g", "");
  assert.equal(a.setPerms("data/g", "x1"), "ERR:EINVAL");
  assert.equal(a.setPerms("data/g", "r"), "ERR:EINVAL");
  assert.equal(a.setPerms("data/g", "r1z"), "ERR:EINVAL");
  assert.equal(a.setPerms("data/g", "n0x1", "r02"), "OK"); // domids parse as C strtol(base 0)
  assert.equal(a.perms("data/g"), "n1\0r2");
  assert.equal(a.setPerms("data/g", "n1", "r08"), "ERR:EINVAL"); // not octal
  healthy(xs);
});

test("permissions: entries for domains that do not exist are ignored, also after the domid is reused", () => {
  const xs = fresh();
  const a = new Guest(xs, 1);
  a.write("data/f", "v");
  assert.equal(a.setPerms("data/f", "n1", "r50"), "OK"); // 50 does not exist: the entry is kept, ignored
  assert.equal(a.perms("data/f"), "n1\0r50");
  assert.throws(() => xs.host.setPerms("/local/domain/1/data/f", ["n50"]), /ENOENT/); // an owner must exist
  const c = new Guest(xs, 50);
  assert.equal(c.read("/local/domain/1/data/f"), "ERR:EACCES"); // granted before 50 existed
  const b = new Guest(xs, 7);
  assert.equal(a.setPerms("data/f", "n1", "r7"), "OK");
  assert.equal(b.read("/local/domain/1/data/f"), "v");
  releaseDomain(xs, 7);
  const b2 = new Guest(xs, 7); // the same domid, a new domain
  assert.equal(b2.read("/local/domain/1/data/f"), "ERR:EACCES");
  healthy(xs);
});

// ---- quotas --------------------------------------------------------------------------------

test("quotas: nodes, node size, permissions per node, path length (C xenstored defaults)", () => {
  const xs = fresh();
  const g = new Guest(xs, 5);
  assert.deepEqual({ ...xs.store.quotas.limits }, { ...DEFAULT_QUOTAS });
  // nodes: a domain owns at most 1000.
  let err = "";
  for (let i = 0; !err.startsWith("ERR"); i++) {
    assert.ok(i < 1100);
    err = g.write(`data/d${Math.floor(i / 40)}/n${i % 40}`, "");
  }
  assert.equal(err, "ERR:ENOSPC");
  assert.equal(xs.store.peekAccount(5)!.nodes, 1000);
  assert.equal(g.mkdir("data/more"), "ERR:ENOSPC");
  assert.equal(g.write("data/d0/n0", "changing an existing node is fine"), "OK");
  assert.equal(g.rm("data/d1"), "OK");
  assert.equal(g.mkdir("data/more"), "OK");
  for (const c of g.dir("data").split("\0")) assert.equal(g.rm(`data/${c}`), "OK");
  assert.equal(xs.store.peekAccount(5)!.nodes, 11); // what the toolstack made it own
  // node-size: 2048 bytes of header (16), permissions (8 each), value and child names.
  assert.equal(g.write("data/big", "v".repeat(2048 - 16 - 8)), "OK");
  assert.equal(g.write("data/big", "v".repeat(2048 - 16 - 8 + 1)), "ERR:ENOSPC");
  assert.equal(g.read("data/big").length, 2024); // unchanged
  xs.host.write("/local/domain/5/data/huge", "v".repeat(4000)); // dom0 is not limited
  // node-permissions: 5 entries.
  assert.equal(g.setPerms("data/big", "n5", "r1"), "ERR:ENOSPC"); // 8 more bytes: too big now
  g.write("data/small", "");
  assert.equal(g.setPerms("data/small", "n5", "r1", "r2", "r3", "r4"), "OK");
  assert.equal(g.setPerms("data/small", "n5", "r1", "r2", "r3", "r4", "r6"), "ERR:ENOSPC");
  // path-max: 2048 characters, not counting /local/domain/<domid>/.
  const path = "data" + "/abcdefghijklmno".repeat(127) + "/abcdefghijk";
  assert.equal(path.length, 2048);
  assert.equal(g.write(path, "deep"), "OK");
  assert.equal(g.read(`/local/domain/5/${path}`), "deep");
  assert.equal(g.read(path + "x"), "ERR:EINVAL");
  assert.equal(g.read(`/vm/${"x".repeat(2045)}`), "ERR:EINVAL"); // 2049 characters
  assert.equal(g.read(`/vm/${"x".repeat(2044)}`), "ERR:EACCES"); // a valid path the guest may not look at
  assert.equal(xs.host.tryRead(`/vm/${"x".repeat(3000)}`), null); // dom0: no limit but the payload's
  healthy(xs);
});

test("quotas: watches (E2BIG past 128, as C counts), transactions (ENOSPC past 10)", () => {
  const xs = fresh();
  const g = new Guest(xs, 5);
  let n = 0;
  while (g.watch("data", `t${n}`) === "OK") n++;
  assert.equal(n, 129); // C checks count > 128 before adding
  assert.equal(g.watch("data", "again"), "ERR:E2BIG");
  assert.equal(g.unwatch("data", "t0"), "OK");
  assert.equal(g.watch("data", "again"), "OK");
  assert.equal(result(g.call(XS_RESET_WATCHES, "\0")), "OK");
  assert.equal(xs.store.peekAccount(5)!.watches, 0);
  const ids: number[] = [];
  for (;;) {
    const r = g.call(XS_TRANSACTION_START, "\0");
    if (r.type === XS_ERROR) {
      assert.equal(r.text, "ENOSPC\0");
      break;
    }
    ids.push(Number(r.text.slice(0, -1)));
  }
  assert.equal(ids.length, 11); // likewise count > 10
  assert.equal(g.end(ids[0]!), "OK");
  assert.notEqual(g.start(), 0);
  g.takeEvents();
  healthy(xs);
});

test("quotas: a guest that stops reading replies is not read either (20 outstanding requests)", () => {
  const xs = fresh();
  const g = new Guest(xs, 5);
  const other = new Guest(xs, 6);
  g.write("data/v", "x".repeat(1000));
  const req = serialize({ type: XS_READ, reqId: 77, txId: 0, payload: bytes("data/v\0") });
  const cons0 = g.get(RING_REQ_CONS);
  let pushed = 0;
  while (1024 - ((g.get(RING_REQ_PROD) - g.get(RING_REQ_CONS)) >>> 0) >= req.length) g.push(req), pushed++;
  g.kick();
  // One reply fits in the response ring, 20 more wait, then the daemon stops taking requests.
  assert.equal(((g.get(RING_REQ_CONS) - cons0) >>> 0) / req.length, 21);
  assert.ok(pushed > 21);
  assert.equal(xs.store.peekAccount(5)!.outstanding, 20);
  assert.equal(other.read("name"), "guest6"); // others are served meanwhile
  // Reading the replies lets everything through.
  g.drain();
  assert.equal(g.get(RING_REQ_CONS), g.get(RING_REQ_PROD));
  assert.equal(xs.store.peekAccount(5)!.outstanding, 0);
  healthy(xs);
});

test("quotas: watch events for a guest that never reads stop at its memory quota", () => {
  const xs = fresh({ memory: 64 * 1024 });
  const g = new Guest(xs, 5);
  xs.host.write("/shared", "");
  xs.host.setPerms("/shared", ["n0", "r5"]);
  assert.equal(g.watch("/shared", "w"), "OK");
  for (let i = 0; i < 2000; i++) xs.host.write(`/shared/n${i % 40}/${"p".repeat(20)}${i}`, "");
  const a = xs.store.peekAccount(5)!;
  assert.ok(a.memory < 64 * 1024, `memory ${a.memory}`);
  const got = g.takeEvents().length;
  assert.ok(got > 100 && got < 2000, `${got} events`);
  healthy(xs);
});

// ---- ring mechanics ------------------------------------------------------------------------

test("ring: requests split across the buffer's wrap, u32 index wrap and several notifications", () => {
  const xs = fresh();
  const g = new Guest(xs, 5, { startIndex: 0xffffff00 });
  for (let i = 0; i < 50; i++) assert.equal(g.write(`data/k${i}`, "v".repeat(i * 7)), "OK");
  for (let i = 0; i < 50; i++) assert.equal(g.read(`data/k${i}`), "v".repeat(i * 7));
  assert.ok(g.get(RING_REQ_PROD) < 0x10000); // wrapped past 2^32
  // Half a header, a kick: nothing yet. The rest: the reply.
  const m = serialize({ type: XS_READ, reqId: 999, txId: 0, payload: bytes("name\0") });
  const before = g.get(RING_RSP_PROD);
  g.push(m.subarray(0, 7));
  g.kick();
  assert.equal(g.get(RING_RSP_PROD), before);
  g.push(m.subarray(7, 18));
  g.kick();
  assert.equal(g.get(RING_RSP_PROD), before);
  const n0 = g.notifications;
  g.push(m.subarray(18));
  g.kick();
  assert.ok(g.notifications > n0);
  assert.notEqual(g.get(RING_RSP_PROD), before);
  g.drain();
  // A payload of exactly 4096 bytes is accepted.
  const big = g.call(XS_WRITE, bytes("data/big\0" + "z".repeat(4096 - 9)));
  assert.equal(result(big), "ERR:ENOSPC"); // over the node-size quota, but a valid message
  healthy(xs);
});

// ---- hostile guests ------------------------------------------------------------------------

test("hostile: a header longer than 4096 breaks only that connection; RECONNECT restores it", () => {
  const xs = fresh();
  const bad = new Guest(xs, 5);
  const good = new Guest(xs, 6);
  bad.watch("data", "w");
  bad.start();
  const hdr = serialize({ type: XS_READ, reqId: 1, txId: 0, payload: new Uint8Array(0) });
  new DataView(hdr.buffer).setUint32(12, 4097, true);
  bad.push(hdr);
  bad.kick();
  assert.equal(bad.get(RING_ERROR), XENSTORE_ERROR_PROTO);
  const cons = bad.get(RING_REQ_CONS);
  bad.push(serialize({ type: XS_READ, reqId: 2, txId: 0, payload: bytes("name\0") }));
  bad.kick();
  assert.equal(bad.get(RING_REQ_CONS), cons); // ignored from now on
  assert.equal(xs.store.peekAccount(5)!.watches, 0); // its watches and transactions are gone
  assert.equal(xs.store.peekAccount(5)!.transactions, 0);
  assert.equal(good.read("name"), "guest6");
  xs.host.write("/local/domain/5/data/x", "1"); // no event queued for an ignored connection
  // The guest asks to reconnect: indexes and error reset, connection back to CONNECTED.
  bad.set(RING_CONNECTION, XENSTORE_RECONNECT);
  bad.kick();
  assert.equal(bad.get(RING_CONNECTION), XENSTORE_CONNECTED);
  assert.equal(bad.get(RING_ERROR), 0);
  assert.equal(bad.get(RING_REQ_PROD), 0);
  bad.forgetPartial();
  assert.equal(bad.read("name"), "guest5");
  healthy(xs);
});

test("hostile: corrupt ring indexes (requests or responses) break only that connection", () => {
  const xs = fresh();
  const a = new Guest(xs, 5);
  const b = new Guest(xs, 6);
  const c = new Guest(xs, 7);
  a.set(RING_REQ_PROD, a.get(RING_REQ_CONS) + 1025);
  a.kick();
  assert.equal(a.get(RING_ERROR), XENSTORE_ERROR_RINGIDX);
  b.set(RING_REQ_CONS, b.get(RING_REQ_PROD) + 1); // cons ahead of prod: 0xffffffff bytes "available"
  b.kick();
  assert.equal(b.get(RING_ERROR), XENSTORE_ERROR_RINGIDX);
  // Responses: the guest claims to have consumed more than was produced.
  c.watch("data", "w");
  c.takeEvents();
  c.set(RING_RSP_CONS, c.get(RING_RSP_PROD) + 4000);
  xs.host.write("/local/domain/7/data/x", "1"); // an event to write out
  assert.equal(c.get(RING_ERROR), XENSTORE_ERROR_RINGIDX);
  const d = new Guest(xs, 8);
  assert.equal(d.read("name"), "guest8");
  healthy(xs);
});

test("hostile: open transactions, watches and queued output are all freed when a domain goes", () => {
  const xs = fresh();
  const g = new Guest(xs, 5);
  for (let i = 0; i < 11; i++) {
    const tx = g.start();
    g.write(`data/t${i}`, "x".repeat(100), tx);
    g.read("name", tx);
  }
  for (let i = 0; i < 100; i++) g.watch("data", `w${i}`);
  xs.host.setPerms("/local/domain/0", ["n0", "r5"]);
  g.write("data/mine", "");
  assert.ok(xs.store.peekAccount(5)!.memory > 0);
  healthy(xs);
  releaseDomain(xs, 5);
  assert.equal(xs.store.peekAccount(5), undefined);
  assert.equal(xs.host.tryRead("/local/domain/5"), null);
  healthy(xs);
});

test("hostile: random garbage from one guest never crashes the daemon or disturbs another", () => {
  const xs = fresh();
  let seed = 12345;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const words = ["data", "data/a", "data/a/b", "/local/domain/6", "/local/domain/5/data", "@releaseDomain", "@introduceDomain", "control/shutdown", "", "/", "//", "a b", "\xff\xfe", "T", "F", "1", "0", "n5", "r6", "b0", "x".repeat(3000)];
  const bad = new Guest(xs, 5);
  const good = new Guest(xs, 6);
  good.watch("data", "g");
  let goodWrites = 0;
  for (let round = 0; round < 3000; round++) {
    const kind = rnd(20);
    if (kind < 14) {
      // A well-framed message with a random type, transaction and payload.
      const parts: string[] = [];
      for (let k = rnd(4); k >= 0; k--) parts.push(words[rnd(words.length)]!);
      let payload = bytes(parts.join("\0") + (rnd(3) ? "\0" : ""));
      if (payload.length > 4096) payload = payload.subarray(0, 4096);
      bad.push(serialize({ type: rnd(30), reqId: rnd(1000), txId: rnd(4) ? 0 : rnd(5), payload }));
    } else if (kind < 17) {
      const junk = new Uint8Array(rnd(64));
      for (let i = 0; i < junk.length; i++) junk[i] = rnd(256);
      bad.push(junk);
    } else if (kind === 17) {
      bad.set([RING_REQ_CONS, RING_REQ_PROD, RING_RSP_CONS, RING_RSP_PROD][rnd(4)]!, rnd(0x100000000));
    } else if (kind === 18) {
      bad.set(RING_CONNECTION, XENSTORE_RECONNECT);
    } else {
      bad.set(RING_RSP_CONS, bad.get(RING_RSP_PROD)); // consume replies without looking
    }
    bad.kick();
    if (round % 50 === 0) {
      assert.equal(good.write(`data/k${goodWrites++ % 5}`, String(round)), "OK");
      assert.equal(good.read("name"), "guest6");
    }
  }
  assert.ok(good.takeEvents().length > 0);
  const a = xs.store.peekAccount(5)!;
  assert.ok(a.memory < DEFAULT_QUOTAS.memory, `memory ${a.memory}`);
  healthy(xs);
  releaseDomain(xs, 5);
  healthy(xs);
});

// ---- domain wiring -------------------------------------------------------------------------

test("wiring: the keys and permissions libxl writes for a PV domain with a console", () => {
  const xs = fresh();
  writeDomainKeys(xs, 3, {
    name: "vm3",
    memoryKiB: 65536,
    maxMemoryKiB: 131072,
    vcpus: 2,
    maxVcpus: 3,
    store: { ringRef: 4321, port: 1 },
    console: { ringRef: 4322, port: 2 },
    image: { kernel: "/k", cmdline: "quiet" },
  });
  const h = xs.host;
  const d = "/local/domain/3";
  const uuid = "00000000-0000-0000-0000-000000000003";
  const expect: [string, string, string][] = [
    [d, "", "n0 r3"],
    [`${d}/name`, "vm3", "n0 r3"],
    [`${d}/domid`, "3", "n0 r3"],
    [`${d}/vm`, `/vm/${uuid}`, "n0 r3"],
    [`${d}/memory/target`, "65536", "n0 r3"],
    [`${d}/memory/static-max`, "131072", "n0 r3"],
    [`${d}/memory/videoram`, "0", "n0 r3"],
    [`${d}/cpu/0/availability`, "online", "n0 r3"],
    [`${d}/cpu/1/availability`, "online", "n0 r3"],
    [`${d}/cpu/2/availability`, "offline", "n0 r3"],
    [`${d}/store/port`, "1", "n0 r3"],
    [`${d}/store/ring-ref`, "4321", "n0 r3"],
    [`${d}/control`, "", "n0 r3"],
    [`${d}/control/shutdown`, "", "n3"],
    [`${d}/control/feature-poweroff`, "", "n3"],
    [`${d}/control/feature-reboot`, "", "n3"],
    [`${d}/control/feature-suspend`, "", "n3"],
    [`${d}/control/sysrq`, "", "n3"],
    [`${d}/control/platform-feature-multiprocessor-suspend`, "1", "n0 r3"],
    [`${d}/control/platform-feature-xs_reset_watches`, "1", "n0 r3"],
    [`${d}/device/suspend/event-channel`, "", "n3"],
    [`${d}/data`, "", "n3"],
    [`${d}/drivers`, "", "n3"],
    [`${d}/feature`, "", "n3"],
    [`${d}/attr`, "", "n3"],
    [`${d}/error`, "", "n3"],
    [`${d}/console`, "", "n0 r3"],
    [`${d}/console/backend`, "/local/domain/0/backend/console/3/0", "n0 r3"],
    [`${d}/console/backend-id`, "0", "n3 r0"],
    [`${d}/console/limit`, "1048576", "n0 r3"],
    [`${d}/console/type`, "xenconsoled", "n0 r3"],
    [`${d}/console/output`, "pty", "n0 r3"],
    [`${d}/console/tty`, "", "n0 r3"],
    [`${d}/console/port`, "2", "n0 r3"],
    [`${d}/console/ring-ref`, "4322", "n0 r3"],
    ["/local/domain/0/backend/console/3/0", "", "n0 r3"],
    ["/local/domain/0/backend/console/3/0/frontend", `${d}/console`, "n0 r3"],
    ["/local/domain/0/backend/console/3/0/frontend-id", "3", "n0 r3"],
    ["/local/domain/0/backend/console/3/0/online", "1", "n0 r3"],
    ["/local/domain/0/backend/console/3/0/state", "1", "n0 r3"],
    ["/local/domain/0/backend/console/3/0/protocol", "vt100", "n0 r3"],
    [`/vm/${uuid}`, "", "n0 r3"],
    [`/vm/${uuid}/uuid`, uuid, "n0 r3"],
    [`/vm/${uuid}/name`, "vm3", "n0 r3"],
    [`/vm/${uuid}/image/ostype`, "linux", "n0 r3"],
    [`/vm/${uuid}/image/kernel`, "/k", "n0 r3"],
    [`/vm/${uuid}/image/cmdline`, "quiet", "n0 r3"],
    ["/libxl/3", "", "n0"],
    ["/libxl/3/device", "", "n0"],
    ["/libxl/3/type", "pv", "n0"],
  ];
  for (const [p, v, perms] of expect) {
    assert.equal(h.read(p), v, p);
    assert.equal(h.getPerms(p).join(" "), perms, p);
  }
  assert.deepEqual(h.directory(`${d}/control`).sort(), ["feature-poweroff", "feature-reboot", "feature-suspend", "platform-feature-multiprocessor-suspend", "platform-feature-xs_reset_watches", "shutdown", "sysrq"]);
  healthy(xs);
});

test("wiring: the guest's view, clean shutdown through control/shutdown, release cleans up and tells watchers", () => {
  const xs = fresh();
  const seen: string[] = [];
  xs.host.watch("@introduceDomain", "intro", (p) => seen.push(p));
  xs.host.watch("@releaseDomain", "rel", (p) => seen.push(p));
  seen.length = 0;
  const g = new Guest(xs, 4); // writes the keys, then introduces
  assert.deepEqual(seen, ["@introduceDomain"]);
  assert.equal(g.read("memory/target"), "32768");
  assert.equal(g.write("memory/target", "1"), "ERR:EACCES");
  assert.equal(g.write("control/platform-feature-xs_reset_watches", "0"), "ERR:EACCES");
  assert.equal(g.write("name", "x"), "ERR:EACCES");
  assert.equal(g.write("control/feature-poweroff", "1"), "OK");
  assert.equal(g.read("/local/domain/0/name"), "ERR:EACCES");
  assert.equal(g.read("/vm"), "ERR:EACCES");
  // Shutdown: the toolstack writes the request, the guest hears it, acks with "" in a transaction.
  const acks: string[] = [];
  xs.host.watch("/local/domain/4/control/shutdown", "sd", () => acks.push(xs.host.read("/local/domain/4/control/shutdown")));
  assert.equal(g.watch("control/shutdown", "shutdown"), "OK");
  assert.deepEqual(g.takeEvents(), ["control/shutdown|shutdown"]);
  xs.host.write("/local/domain/4/control/shutdown", "poweroff");
  assert.deepEqual(g.takeEvents(), ["control/shutdown|shutdown"]);
  const tx = g.start();
  assert.equal(g.read("control/shutdown", tx), "poweroff");
  assert.equal(g.write("control/shutdown", "", tx), "OK");
  assert.equal(g.end(tx), "OK");
  assert.deepEqual(acks, ["", "poweroff", ""]);
  // The domain shuts down: @releaseDomain watchers look (once); then it is destroyed.
  seen.length = 0;
  xs.domainShutdown(4);
  xs.domainShutdown(4);
  assert.deepEqual(seen, ["@releaseDomain"]);
  xs.host.write("/shared", "");
  xs.host.setPerms("/shared", ["n0", "w4"]);
  assert.equal(g.write("/shared/left-behind", "x"), "OK"); // owned by the guest
  seen.length = 0;
  releaseDomain(xs, 4);
  assert.deepEqual(seen, ["@releaseDomain"]);
  for (const p of ["/local/domain/4", "/vm/00000000-0000-0000-0000-000000000004", "/libxl/4", "/shared/left-behind"]) assert.equal(xs.host.tryRead(p), null, p);
  assert.equal(xs.host.read("/shared"), "");
  assert.equal(xs.isIntroduced(4), false);
  g.kick(); // a released guest's ring is not served
  healthy(xs);
});
