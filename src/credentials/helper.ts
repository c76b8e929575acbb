// Running a helper program (docker-credential-*) with input on stdin. Lives in transport/ because
// this is the one layer that talks to other processes.

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runProcess(
  command: string,
  args: string[],
  input: string,
  timeout = 30_000,
): Promise<ProcessResult> {
  const { spawn } = await import('node:child_process'); // loaded only when a helper runs
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.stdin.on('error', () => {}); // a helper that exits without reading its input
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(input);
  });
}
