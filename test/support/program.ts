// A program of a user's, run in a child node against the built package: what happens when a
// script ends without closing its clients.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { root } from './engine-env.js';

/**
 * Runs `body` (ES module statements; `args` is process.argv after the script) with `names`
 * imported from dist/index.js; resolves to its stdout when it exits by itself. A child still
 * running after 120 s is killed, and the call rejects: a failure, not a hang.
 */
export async function runProgram(names: string[], body: string[], args: string[]): Promise<string> {
  const program = [
    `import { ${names.join(', ')} } from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'index.js')).href)};`,
    'const args = process.argv.slice(1);',
    ...body,
  ].join('\n');
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', program, ...args], {
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  return stdout;
}
