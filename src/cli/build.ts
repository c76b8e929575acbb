// `build`: the engine's builder, or BuildKit's with --buildkit (secrets and ssh as buildx reads them).
import type { SecretSource } from '../api.js';
import { UsageError, all, has, one, pairs } from './args.js';
import { f, need, type Family } from './command.js';

/** `--secret id=ID,src=PATH` (or `source=`, `type=file`), `id=ID,env=VAR`, or `id=ID` (the variable ID), as buildx reads them. */
function secretFlags(
  values: string[],
  env: Record<string, string | undefined>,
): Record<string, SecretSource> | undefined {
  if (values.length === 0) return undefined;
  const secrets: Record<string, SecretSource> = {};
  for (const value of values) {
    const parts = value.split(',');
    if (parts.some((part) => !part.includes('=')))
      throw new UsageError(`--secret must be id=ID[,src=PATH|,env=VAR], got ${JSON.stringify(value)}`);
    const fields = Object.fromEntries(
      parts.map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
    );
    const id = fields['id'];
    if (!id) throw new UsageError(`--secret needs id=ID, got ${JSON.stringify(value)}`);
    const file = fields['src'] ?? fields['source'];
    if (file !== undefined && fields['type'] !== 'env') secrets[id] = { file };
    else if (fields['env'] !== undefined || fields['type'] === 'env')
      secrets[id] = { env: fields['env'] ?? file ?? id };
    else if (env[id] !== undefined) secrets[id] = { env: id };
    else throw new UsageError(`--secret ${value}: give src=PATH or env=VAR`);
  }
  return secrets;
}

/** `--ssh default` (SSH_AUTH_SOCK), `--ssh ID=SOCKET`. */
function sshFlags(values: string[], env: Record<string, string | undefined>): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const ssh: Record<string, string> = {};
  for (const value of values) {
    const [id, path] = value.includes('=')
      ? [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)]
      : [value, env['SSH_AUTH_SOCK']];
    if (!id || !path)
      throw new UsageError(`--ssh ${value}: give ID=SOCKET, or set SSH_AUTH_SOCK for ${id || 'default'}`);
    ssh[id] = path;
  }
  return ssh;
}

export const build: Family = {
  title: 'Building',
  commands: {
    build: {
      usage:
        'build [-t TAG]... [-f DOCKERFILE] [--build-arg K=V]... [--label K=V]... [--target T] [--no-cache] [--pull] [--platform P] [--network MODE] [--buildkit [--secret id=ID,src=PATH|env=VAR]... [--ssh default[=SOCKET]]...] [-q] PATH',
      summary: 'Build an image from a folder',
      flags: {
        tag: f(['-t', '--tag'], true, true),
        file: f(['-f', '--file'], true),
        buildArg: f(['--build-arg'], true, true),
        label: f(['--label'], true, true),
        target: f(['--target'], true),
        noCache: f(['--no-cache']),
        pull: f(['--pull']),
        platform: f(['--platform'], true),
        network: f(['--network'], true),
        buildkit: f(['--buildkit']),
        secret: f(['--secret'], true, true),
        ssh: f(['--ssh'], true, true),
        quiet: f(['-q', '--quiet']),
      },
      async run(docker, args, io) {
        const [path] = need(args, 1, 'PATH');
        const secrets = secretFlags(all(args, 'secret'), io.env);
        const ssh = sshFlags(all(args, 'ssh'), io.env);
        if ((secrets || ssh) && !has(args, 'buildkit')) throw new UsageError('--secret and --ssh need --buildkit');
        const file = one(args, 'file');
        const target = one(args, 'target');
        const platform = one(args, 'platform');
        const network = one(args, 'network');
        const options = {
          path: path!,
          tag: all(args, 'tag'),
          buildArgs: pairs(all(args, 'buildArg'), '--build-arg'),
          labels: pairs(all(args, 'label'), '--label'),
          noCache: has(args, 'noCache'),
          pull: has(args, 'pull'),
          ...(file ? { dockerfile: file } : {}),
          ...(target ? { target } : {}),
          ...(platform ? { platform } : {}),
          ...(network ? { networkMode: network } : {}),
        };
        if (has(args, 'buildkit')) {
          // as `docker buildx build --progress=plain`: a line per vertex state change and its logs
          const job = docker.images.build({
            ...options,
            builder: 'buildkit',
            ...(secrets ? { secrets } : {}),
            ...(ssh ? { ssh } : {}),
          });
          for await (const e of job) {
            if (io.json) io.out.write(`${JSON.stringify(e)}\n`);
            else if (has(args, 'quiet')) continue;
            else if (e.type === 'vertex')
              io.err.write(
                `#${e.digest.slice(7, 19)} ${e.state.toUpperCase()} ${e.name}${e.error ? `: ${e.error}` : ''}\n`,
              );
            else if (e.type === 'log')
              io.err.write(`#${e.digest.slice(7, 19)} ${e.text.endsWith('\n') ? e.text : `${e.text}\n`}`);
            else if (e.type === 'warning') io.err.write(`WARNING: ${e.short}\n`);
            else if (e.type === 'stream') io.err.write(e.text); // an engine without BuildKit (Podman) answers with its own lines
          }
          io.out.write(`${(await job).image.id}\n`);
          return;
        }
        const job = docker.images.build(options);
        for await (const e of job) {
          if (io.json) io.out.write(`${JSON.stringify(e)}\n`);
          else if (!has(args, 'quiet') && typeof e.stream === 'string') io.err.write(e.stream);
        }
        io.out.write(`${(await job).image.id}\n`);
      },
    },
  },
};
