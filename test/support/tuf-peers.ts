// python-tuf 7.0.0 (fetched by scripts/engine.sh: DOCKWIRE_TUF_PYTHONPATH) beside the TUF client's
// integration tests: tuf_repo.py makes repositories in Sigstore's layout, tuf_client.py runs
// ngclient.Updater, the reference client; and a loopback HTTP server serves the files.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { findServed } from './tuf-files.js';

const run = promisify(execFile);
const here = import.meta.dirname;

function pythonEnv(): NodeJS.ProcessEnv {
  const path = process.env['DOCKWIRE_TUF_PYTHONPATH'];
  if (!path)
    throw new Error('DOCKWIRE_TUF_PYTHONPATH is not set: run the integration tests through vitest (global setup)');
  return { ...process.env, PYTHONPATH: path };
}

export interface ScenarioState {
  expect: string;
  differential: boolean;
}

/** Makes every scenario's repositories under `dir` (tuf_repo.py) and returns scenarios.json. */
export async function makeRepositories(dir: string): Promise<Record<string, ScenarioState[]>> {
  await run('python3', [join(here, 'tuf_repo.py'), dir], { env: pythonEnv(), timeout: 300_000 });
  return JSON.parse(readFileSync(join(dir, 'scenarios.json'), 'utf8')) as Record<string, ScenarioState[]>;
}

export type PythonResult = { ok: true; sha256: string } | { ok: false; error: string };

/** python-tuf's ngclient (tuf_client.py), one process answering request after request. */
export class PythonTuf {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;

  constructor() {
    this.#child = spawn('python3', [join(here, 'tuf_client.py')], { env: pythonEnv(), stdio: 'pipe' });
    this.#child.stderr.pipe(process.stderr);
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  /** trusted_root.json from `url`, with the cache in `cache` (kept between calls); `now` in ms. */
  async fetch(url: string, cache: string, bootstrap: string, now?: number): Promise<PythonResult> {
    const request = {
      metadata_dir: join(cache, 'metadata'),
      target_dir: join(cache, 'targets'),
      url,
      bootstrap,
      now: now === undefined ? null : Math.floor(now / 1000),
    };
    this.#child.stdin.write(`${JSON.stringify(request)}\n`);
    const line = await this.#lines.next();
    if (line.done) throw new Error('tuf_client.py exited');
    return JSON.parse(line.value) as PythonResult;
  }

  close(): void {
    this.#child.stdin.end();
  }
}

/** A loopback server of the files in `folders` (see findServed); `folders` may be changed between requests. */
export class FileServer {
  folders: string[] = [];
  readonly requests: string[] = [];
  readonly #server: Server;

  constructor() {
    this.#server = createServer((request, response) => {
      const path = (request.url ?? '/').slice(1);
      this.requests.push(path);
      const bytes = findServed(this.folders, path);
      if (bytes === undefined) {
        response.writeHead(404).end();
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length })
        .end(bytes);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

/** Every file under `dir` with the sha256 of its bytes, to see that a refusal wrote nothing. */
export function folderDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
      else out[`${prefix}${name}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}
