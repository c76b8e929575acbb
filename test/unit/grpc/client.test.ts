// The gRPC client against a node:http2 server in the same process, joined by an in-memory pair of
// streams (no socket): replies, streams, statuses as typed errors, deadlines, cancellation.
import { createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AbortError, ConnectionError, GrpcError, ProtocolError, TimeoutError } from '../../../src/errors.js';
import { GrpcClient } from '../../../src/grpc/client.js';
import { MessageReader, frameMessage } from '../../../src/grpc/framing.js';

/** Two streams, each reading what the other writes. */
function pair(): [Duplex, Duplex] {
  let a: Duplex;
  let b: Duplex;
  const make = (other: () => Duplex): Duplex =>
    new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        other().push(chunk);
        done();
      },
      final(done) {
        other().push(null);
        done();
      },
    });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

type Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, requests: Uint8Array[]) => void;

/** A client whose every connection reaches a server calling `handler` once each request has ended. */
function serve(handler: Handler): { client: GrpcClient; seen: IncomingHttpHeaders[] } {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer();
  server.on('stream', (stream, headers) => {
    seen.push(headers);
    stream.on('error', () => {});
    const reader = new MessageReader();
    const requests: Uint8Array[] = [];
    stream.on('data', (c: Buffer) => requests.push(...reader.push(c)));
    stream.on('end', () => handler(stream, headers, requests));
  });
  return { client: clientOf(server), seen };
}

/** A client whose every connection reaches `server`. */
function clientOf(server: Http2Server): GrpcClient {
  return new GrpcClient({
    where: 'test',
    connect: async () => {
      const [ours, theirs] = pair();
      server.emit('connection', theirs);
      return ours;
    },
  });
}

const ok = (stream: ServerHttp2Stream, replies: Uint8Array[]): void => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  for (const r of replies) stream.write(frameMessage(r));
  stream.end();
};

const status = (stream: ServerHttp2Stream, code: number, message: string): void => {
  stream.respond(
    {
      ':status': 200,
      'content-type': 'application/grpc',
      'grpc-status': String(code),
      'grpc-message': encodeURIComponent(message),
    },
    { endStream: true },
  );
};

describe('GrpcClient', () => {
  it('a unary call sends its request framed, with the method, content type and metadata, and gets the reply', async () => {
    const { client, seen } = serve((stream, _h, requests) =>
      ok(stream, [Uint8Array.from([...requests[0]!].reverse())]),
    );
    const reply = await client.unary('/pkg.Svc/Method', Uint8Array.of(1, 2, 3), {
      metadata: { 'X-Thing': ['a', 'b'] },
    });
    expect([...reply]).toEqual([3, 2, 1]);
    expect(seen[0]![':path']).toBe('/pkg.Svc/Method');
    expect(seen[0]!['content-type']).toBe('application/grpc');
    expect(seen[0]!['te']).toBe('trailers');
    expect(seen[0]!['x-thing']).toBe('a, b');
    client.close();
  });

  it('a server stream gives every message in order, and the connection is reused', async () => {
    const { client } = serve((stream) =>
      ok(
        stream,
        Array.from({ length: 40 }, (_, i) => Uint8Array.of(i)),
      ),
    );
    for (let round = 0; round < 2; round++) {
      const got: number[] = [];
      for await (const m of client.serverStream('/s/Stream', new Uint8Array(0))) got.push(m[0]!);
      expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
    }
    client.close();
  });

  it('statuses are typed errors: NOT_FOUND a GrpcError with its decoded message, CANCELLED AbortError, DEADLINE_EXCEEDED TimeoutError, UNAVAILABLE ConnectionError', async () => {
    const codes = [5, 1, 4, 14];
    let i = 0;
    const { client } = serve((stream) => status(stream, codes[i++]!, 'no such thing: 100% gone'));
    const notFound = await client.unary('/s/M', new Uint8Array(0)).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(GrpcError);
    expect((notFound as GrpcError).statusName).toBe('NOT_FOUND');
    expect((notFound as GrpcError).grpcMessage).toBe('no such thing: 100% gone');
    await expect(client.unary('/s/M', new Uint8Array(0))).rejects.toBeInstanceOf(AbortError);
    await expect(client.unary('/s/M', new Uint8Array(0))).rejects.toBeInstanceOf(TimeoutError);
    await expect(client.unary('/s/M', new Uint8Array(0))).rejects.toBeInstanceOf(ConnectionError);
    client.close();
  });

  it('a deadline is sent as grpc-timeout and enforced: a peer that never answers is a TimeoutError', async () => {
    const { client, seen } = serve(() => {});
    await expect(client.unary('/s/Slow', new Uint8Array(0), { timeout: 150 })).rejects.toBeInstanceOf(TimeoutError);
    expect(seen[0]!['grpc-timeout']).toBe('150m');
    client.close();
  });

  it('an abort signal cancels the call with AbortError', async () => {
    const { client } = serve(() => {});
    const controller = new AbortController();
    const call = client.unary('/s/Slow', new Uint8Array(0), { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(call).rejects.toBeInstanceOf(AbortError);
    client.close();
  });

  it('an answer that is not gRPC (HTTP 404), or a call ended inside a message, is a ProtocolError', async () => {
    let n = 0;
    const { client } = serve((stream) => {
      if (n++ === 0) return stream.respond({ ':status': 404 }, { endStream: true });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(frameMessage(Uint8Array.of(1, 2, 3)).subarray(0, 6));
    });
    await expect(client.unary('/s/M', new Uint8Array(0))).rejects.toBeInstanceOf(ProtocolError);
    await expect(client.unary('/s/M', new Uint8Array(0))).rejects.toBeInstanceOf(ProtocolError);
    client.close();
  });

  it('a bidirectional call: requests written one by one, replies read as they come', async () => {
    const server = createServer();
    server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      const reader = new MessageReader();
      stream.on('data', (c: Buffer) => {
        for (const m of reader.push(c)) stream.write(frameMessage(Uint8Array.from(m, (b) => b + 1)));
      });
      stream.on('end', () => stream.end());
    });
    const client = clientOf(server);
    const call = client.call('/s/Bidi');
    const replies = call[Symbol.asyncIterator]();
    for (let i = 0; i < 5; i++) {
      await call.write(Uint8Array.of(i));
      expect([...((await replies.next()).value as Uint8Array)]).toEqual([i + 1]);
    }
    await call.end();
    expect((await replies.next()).done).toBe(true);
    client.close();
  });
});
