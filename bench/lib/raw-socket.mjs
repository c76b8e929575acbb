// The limit for small calls: one kept-alive unix socket, a request written by hand, the response
// read until its Content-Length is satisfied (or its chunked end marker). No parsing beyond that.
import { connect } from 'node:net';

export async function rawClient(socketPath) {
  let pending = null;
  let buf = Buffer.alloc(0);
  const onData = (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    if (!pending) return;
    const headEnd = buf.indexOf('\r\n\r\n');
    if (headEnd === -1) return;
    const head = buf.subarray(0, headEnd).toString('latin1');
    const m = /content-length: (\d+)/i.exec(head);
    let end;
    let body;
    if (m) {
      end = headEnd + 4 + Number(m[1]);
      if (buf.length < end) return;
      body = buf.subarray(headEnd + 4, end);
    } else {
      // chunked: wait for the last chunk, then strip the framing
      const term = buf.indexOf('\r\n0\r\n\r\n', headEnd);
      if (term === -1) return;
      end = term + 7;
      const parts = [];
      let at = headEnd + 4;
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', at);
        const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
        if (size === 0) break;
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
      body = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    }
    buf = buf.subarray(end);
    const p = pending;
    pending = null;
    p.resolve(body);
  };
  // Docker 29 closes a connection that has sent no request within 5 minutes (its
  // ReadHeaderTimeout), as a pool's idle sockets may while other contenders warm up: such a
  // socket is opened again on its next request, and a close mid-request fails it loudly.
  const open = async () => {
    const s = connect(socketPath);
    await new Promise((r, j) => s.once('connect', r).once('error', j));
    s.setNoDelay(true);
    s.on('data', onData);
    s.on('close', () => {
      const p = pending;
      pending = null;
      buf = Buffer.alloc(0);
      p?.reject(new Error(`the engine closed the connection on ${socketPath} mid-request`));
    });
    return s;
  };
  let socket = await open();
  return {
    async get(path) {
      if (socket.destroyed) socket = await open();
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(`GET ${path} HTTP/1.1\r\nHost: docker\r\n\r\n`);
      });
    },
    close() {
      socket.destroy();
    },
  };
}
