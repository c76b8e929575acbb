// FileSend's DiffCopy: BuildKit sends an exporter's single-file output (an OCI or docker archive)
// back to us, as a stream of BytesMessages, on a call that names the exporter by its index
// (`buildkit-attachable-exporter-id`). Each chunk is handed to the output before the next is read.
import type { ServerHttp2Stream } from 'node:http2';
import { decodeBytesMessage } from '../buildkit/control.js';
import { GrpcStatus, MessageReader } from '../grpc/framing.js';
import { receiveDirectory } from './file-receive.js';
import { headerValues } from './file-sync.js';
import { GrpcFailure, fail, respond } from './serve.js';

/** Where an exporter's bytes go: each chunk written (awaited), then ended; or aborted on failure. */
export interface FileOutput {
  write(chunk: Uint8Array): Promise<void> | void;
  end(): Promise<void> | void;
  abort(error: Error): void;
}

/** A `local` output: the folder the result's files are written into. */
export interface DirectoryOutput {
  dir: string;
}

export function serveFileSend(
  stream: ServerHttp2Stream,
  raw: readonly string[],
  outputs: Readonly<Record<number, FileOutput | DirectoryOutput>>,
): void {
  stream.on('error', () => {});
  const id = Number(headerValues(raw, 'buildkit-attachable-exporter-id')[0] ?? '0');
  const output = Object.hasOwn(outputs, id) ? outputs[id] : undefined;
  if (!output) return fail(stream, new GrpcFailure(GrpcStatus.NOT_FOUND, `exporter ${id} not found`));
  if ('dir' in output) return receiveDirectory(stream, output.dir);
  respond(stream);
  const reader = new MessageReader();
  let writing: Promise<void> = Promise.resolve();
  let done = false;
  const broken = (error: unknown): void => {
    if (done) return;
    done = true;
    output.abort(error instanceof Error ? error : new Error(String(error)));
    fail(stream, new GrpcFailure(GrpcStatus.INTERNAL, `cannot write the output: ${(error as Error).message}`));
  };
  stream.on('data', (chunk: Buffer) => {
    let messages: Uint8Array[];
    try {
      messages = reader.push(chunk);
    } catch (error) {
      return broken(error);
    }
    if (messages.length === 0) return;
    // one write at a time; the stream waits while the output does
    stream.pause();
    writing = writing
      .then(async () => {
        for (const message of messages) if (!done) await output.write(decodeBytesMessage(message));
        if (!stream.destroyed) stream.resume();
      })
      .catch(broken);
  });
  stream.on('end', () => {
    writing = writing
      .then(async () => {
        if (done) return;
        await output.end();
        done = true;
        stream.end();
      })
      .catch(broken);
  });
  stream.on('close', () => {
    if (!done) {
      done = true;
      output.abort(new Error('BuildKit closed the output stream before its end'));
    }
  });
}
