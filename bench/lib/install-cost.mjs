// What installing a package costs: npm installs it alone into a temporary folder (its scripts not
// run); the packages under node_modules and their size on disk.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `spec` (a name@version or a tarball's path) installed alone: { packages, mb }. */
export function installCost(spec) {
  const dir = mkdtempSync('/tmp/dockwire-install-');
  try {
    writeFileSync(join(dir, 'package.json'), '{"name":"probe","version":"1.0.0","private":true}');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', spec], {
      cwd: dir,
      stdio: 'ignore',
    });
    const packages = execFileSync(
      'bash',
      [
        '-c',
        "find node_modules -name package.json -not -path '*/node_modules/*/node_modules/*/test/*' | xargs -n 200 grep -l '\"version\"' | wc -l",
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    const kb = execFileSync('du', ['-sk', 'node_modules'], { cwd: dir, encoding: 'utf8' }).split('\t')[0];
    // npm's own count of the tree it installed (every package once, the probe itself left out)
    const listed = new Set(
      execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').slice(1),
    ).size;
    return { packages: Number(packages.trim()), listed, mb: Number(kb) / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
