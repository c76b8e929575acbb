// ssh://[user@]host[:port]: what the docker CLI does. The system `ssh` runs
// `docker system dial-stdio` on the remote host, which connects its stdin/stdout to the remote
// engine's socket; HTTP/1.1 then flows over the child's pipes. One ssh process per connection.
import { Duplex, PassThrough } from 'node:stream';
import { ConnectionError, TimeoutError } from '../errors.js';
import { describeAddress, type Address } from './address.js';

/** SshOptions: how an ssh:// engine is reached, with the system's ssh running `docker system dial-stdio`. */
export interface SshOptions {
  /** Extra arguments for ssh (e.g. `['-i', key, '-o', 'StrictHostKeyChecking=yes']`). */
  args?: string[];
  /** The remote command (default `docker system dial-stdio`). */
  command?: string[];
  /** The ssh binary (default `ssh` on PATH). */
  binary?: string;
}

export function connectSsh(
  address: Extract<Address, { kind: 'ssh' }>,
  connectTimeout: number,
  options: SshOptions = {},
): () => Promise<Duplex> {
  const where = describeAddress(address);
  return async () => {
    const { spawn } = await import('node:child_process'); // loaded only for ssh:// engines
    return new Promise<Duplex>((resolve, reject) => {
      const target = address.user ? `${address.user}@${address.host}` : address.host;
      const args = [
        '-o',
        'BatchMode=yes',
        ...(address.port ? ['-p', String(address.port)] : []),
        ...(options.args ?? []),
        '--',
        target,
        ...(options.command ?? ['docker', 'system', 'dial-stdio']),
      ];
      const child = spawn(options.binary ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d: string) => {
        if (stderr.length < 4096) stderr += d;
      });
      // The connection is up once ssh has started the remote command; that is not observable
      // until bytes flow, so it is handed out at once and a failed ssh surfaces as the exchange's
      // connection error, with ssh's own message: the readable side ends only when ssh has
      // exited (and its stderr is complete), with an error unless it exited cleanly.
      const output = new PassThrough();
      child.stdout.pipe(output, { end: false });
      // writes to a dead ssh fail on its stdin; what went wrong is told by the output side
      const input = new PassThrough();
      input.pipe(child.stdin);
      child.stdin.on('error', () => {});
      const duplex = Duplex.from({ readable: output, writable: input });
      const failure = (code: number | null, signal: NodeJS.Signals | null): ConnectionError =>
        new ConnectionError(
          `ssh to ${where} ended (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`,
        );
      child.on('close', (code, signal) => {
        if (code === 0) output.end();
        else output.destroy(failure(code, signal));
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(
          new ConnectionError(
            `cannot run ssh for ${where}: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
            { cause: error },
          ),
        );
      });
      duplex.on('close', () => {
        if (child.exitCode === null) child.kill();
      });
      const timer = setTimeout(() => {
        child.kill();
        reject(new TimeoutError(`ssh to ${where} took longer than ${connectTimeout} ms to start`, { kind: 'connect' }));
      }, connectTimeout);
      child.on('spawn', () => {
        clearTimeout(timer);
        resolve(duplex);
      });
    });
  };
}
