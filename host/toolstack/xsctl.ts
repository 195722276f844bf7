// The store from outside the running host: `xenwasm run --xenstore-socket PATH` serves it on a
// unix socket in xenstored's own wire format (xs_wire.h frames, one privileged dom0 connection
// per client, as /var/run/xenstored/socket), and `xenwasm xenstore --socket PATH CMD` is the
// client: ls, read, write, rm, watch, printing like xenstore-ls / xenstore-read / xenstore-watch.
import { createServer, connect, type Server, type Socket } from "node:net";
import { existsSync, unlinkSync } from "node:fs";
import type { XenStored } from "../backends/xenstore/index.ts";
import * as P from "../backends/xenstore/protocol.ts";

/** Split a byte stream into messages; calls `on` for each complete one. A header over the payload limit throws. */
class Framer {
  private buf = Buffer.alloc(0);
  push(chunk: Buffer, on: (m: P.XsMessage) => void): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    while (this.buf.length >= P.XSD_HDR_SIZE) {
      const h = P.parseHeader(this.buf);
      if (h.len > P.XENSTORE_PAYLOAD_MAX) throw new Error(`xenstore: message of ${h.len} bytes`);
      if (this.buf.length < P.XSD_HDR_SIZE + h.len) break;
      const payload = new Uint8Array(this.buf.subarray(P.XSD_HDR_SIZE, P.XSD_HDR_SIZE + h.len));
      this.buf = this.buf.subarray(P.XSD_HDR_SIZE + h.len);
      on({ type: h.type, reqId: h.reqId, txId: h.txId, payload });
    }
  }
}

/** Serve the store on a unix socket until close(), which drops the clients and removes the file. */
export function serveXenstore(xs: XenStored, path: string): { server: Server; close(): Promise<void> } {
  if (existsSync(path)) unlinkSync(path);
  const clients = new Set<Socket>();
  const server = createServer((sock: Socket) => {
    clients.add(sock);
    const send = (m: P.XsMessage) => {
      if (!sock.destroyed) sock.write(P.serialize(m));
    };
    const conn = xs.connect({ domid: 0, privileged: true, onEvent: (p, t) => send({ type: P.XS_WATCH_EVENT, reqId: 0, txId: 0, payload: P.nulJoin([p, t]) }) });
    const framer = new Framer();
    sock.on("data", (chunk: Buffer) => {
      try {
        framer.push(chunk, (m) => send(xs.handle(conn, m)));
      } catch {
        sock.destroy();
      }
    });
    sock.on("close", () => {
      clients.delete(sock);
      xs.disconnect(conn);
    });
    sock.on("error", () => {});
  });
  server.listen(path);
  return {
    server,
    close: () =>
      new Promise<void>((res) => {
        for (const c of clients) c.destroy();
        server.close(() => {
          if (existsSync(path)) unlinkSync(path);
          res();
        });
      }),
  };
}

/** A client on such a socket: one request at a time, watch events to a listener. */
export class SocketClient {
  private readonly sock: Socket;
  private readonly framer = new Framer();
  private waiting: { resolve: (m: P.XsMessage) => void; reject: (e: Error) => void } | null = null;
  private reqId = 0;
  onEvent: (path: string, token: string) => void = () => {};

  private constructor(sock: Socket) {
    this.sock = sock;
    sock.on("data", (chunk: Buffer) =>
      this.framer.push(chunk, (m) => {
        if (m.type === P.XS_WATCH_EVENT) {
          const [p, t] = P.strings(m.payload);
          this.onEvent(p ?? "", t ?? "");
        } else {
          const w = this.waiting;
          this.waiting = null;
          w?.resolve(m);
        }
      }),
    );
    sock.on("close", () => this.waiting?.reject(new Error("xenstore: the host closed the connection")));
  }

  static open(path: string): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const s = connect(path);
      s.once("connect", () => resolve(new SocketClient(s)));
      s.once("error", (e) => reject(new Error(`cannot connect to ${path}: ${(e as NodeJS.ErrnoException).code ?? e.message}; is \`xenwasm run --xenstore-socket ${path}\` running?`)));
    });
  }

  /** A request; an error reply throws XsError. */
  request(type: number, payload: Uint8Array, txId = 0): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.waiting = {
        resolve: (m) => (m.type === P.XS_ERROR ? reject(new P.XsError((P.strings(m.payload)[0] ?? "EINVAL") as P.XsErrno)) : resolve(m.payload)),
        reject,
      };
      this.sock.write(P.serialize({ type, reqId: ++this.reqId, txId, payload }));
    });
  }

  close(): void {
    this.sock.end();
  }
}

/** A value as xenstore-ls shows it: backslash and non-printable bytes escaped. */
export function escapeValue(b: Uint8Array): string {
  let s = "";
  for (const c of b) {
    if (c === 0x5c) s += "\\\\";
    else if (c < 0x20 || c > 0x7e) s += `\\x${c.toString(16).padStart(2, "0")}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

const USAGE = `usage: xenwasm xenstore --socket PATH ls [PATH]      the tree under PATH (default /), like xenstore-ls
       xenwasm xenstore --socket PATH read PATH...   values, one a line, like xenstore-read
       xenwasm xenstore --socket PATH write PATH VALUE [PATH VALUE ...]
       xenwasm xenstore --socket PATH rm PATH...
       xenwasm xenstore --socket PATH watch [-n N] PATH   print the path of every event (N events, then exit)
PATH is the socket of \`xenwasm run ... --xenstore-socket PATH\` (or $XENWASM_XENSTORE_SOCKET).
`;

export class XsUsageError extends Error {}

/** `xenwasm xenstore ...`; returns the exit status (0, 1 for a store error). */
export async function xenstoreMain(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let socket = process.env.XENWASM_XENSTORE_SOCKET;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--socket") socket = argv[++i];
    else if (a.startsWith("--socket=")) socket = a.slice(9);
    else if (a === "--help" || a === "-h") {
      out(USAGE);
      return 0;
    } else args.push(a);
  }
  const [cmd, ...rest] = args;
  if (!cmd) throw new XsUsageError(`xenstore needs a command: ls, read, write, rm or watch (see xenwasm xenstore --help)`);
  if (!["ls", "read", "write", "rm", "watch"].includes(cmd)) throw new XsUsageError(`unknown xenstore command ${JSON.stringify(cmd)} (see xenwasm xenstore --help)`);
  if (!socket) throw new XsUsageError("xenstore needs --socket PATH (the socket of `xenwasm run --xenstore-socket PATH`)");
  if (cmd !== "ls" && rest.length === 0) throw new XsUsageError(`xenstore ${cmd} needs a path`);
  if (cmd === "write" && rest.length % 2 !== 0) throw new XsUsageError("xenstore write needs PATH VALUE pairs");
  const c = await SocketClient.open(socket);
  const path1 = (p: string) => P.nulJoin([p]);
  try {
    switch (cmd) {
      case "ls": {
        const root = rest[0] ?? "/";
        const walk = async (dir: string, depth: number): Promise<void> => {
          const kids = P.strings(await c.request(P.XS_DIRECTORY, path1(dir)));
          for (const k of kids) {
            const p = dir === "/" ? `/${k}` : `${dir}/${k}`;
            let v: Uint8Array;
            try {
              v = await c.request(P.XS_READ, path1(p));
            } catch (e) {
              if (e instanceof P.XsError && e.errno === "EACCES") v = new Uint8Array(0);
              else throw e;
            }
            out(`${" ".repeat(depth)}${k} = "${escapeValue(v)}"\n`);
            await walk(p, depth + 1);
          }
        };
        await walk(root, 0);
        return 0;
      }
      case "read":
        for (const p of rest) out(`${Buffer.from(await c.request(P.XS_READ, path1(p))).toString("utf8")}\n`);
        return 0;
      case "write":
        for (let i = 0; i < rest.length; i += 2) {
          const head = P.bytes(`${rest[i]}\0`);
          const v = Buffer.from(rest[i + 1]!, "utf8");
          const payload = new Uint8Array(head.length + v.length);
          payload.set(head);
          payload.set(v, head.length);
          await c.request(P.XS_WRITE, payload);
        }
        return 0;
      case "rm":
        for (const p of rest) await c.request(P.XS_RM, path1(p));
        return 0;
      case "watch": {
        let n = Infinity;
        const paths: string[] = [];
        for (let i = 0; i < rest.length; i++) {
          if (rest[i] === "-n") {
            n = Number(rest[++i]);
            if (!Number.isInteger(n) || n < 1) throw new XsUsageError(`-n ${rest[i]}: give a whole number >= 1`);
          } else paths.push(rest[i]!);
        }
        if (paths.length !== 1) throw new XsUsageError("xenstore watch needs one path");
        let seen = 0;
        const done = new Promise<void>((resolve) => {
          c.onEvent = (p) => {
            if (seen >= n) return;
            out(`${p}\n`);
            if (++seen >= n) resolve();
          };
        });
        await c.request(P.XS_WATCH, P.nulJoin([paths[0]!, "xenwasm-watch"]));
        await done;
        return 0;
      }
    }
    return 0;
  } catch (e) {
    if (e instanceof P.XsError) {
      err(`xenwasm: xenstore ${cmd}: ${e.errno}\n`);
      return 1;
    }
    throw e;
  } finally {
    c.close();
  }
}
