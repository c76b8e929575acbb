// The engine's images: ls, inspect, history, pull, push, rm, prune, search, tag, and login.
import { parseReference, type Image } from '../api.js';
import { UsageError, all, has, one, pairs } from './args.js';
import { SILENT, f, follow, need, platformOption, type Family, type Io } from './command.js';
import { bytes } from './view.js';

/**
 * `ls --tree`, as `docker image ls --tree` draws it: each image, then one line per platform of its
 * index (the manifest's ID, the disk it uses and its content's size), and whether it is here.
 */
function imageTree(images: Image[]): string {
  const row = (name: string, id: string, disk: string, content: string, extra: string): string =>
    `${name.padEnd(46)} ${id.padEnd(12)} ${disk.padStart(10)} ${content.padStart(12)}  ${extra}`.trimEnd() + '\n';
  let out = row('IMAGE', 'ID', 'DISK USAGE', 'CONTENT SIZE', '');
  for (const image of images) {
    const manifests = (image.attrs.Manifests ?? []).filter((m) => m.Kind === 'image');
    const total = (key: 'Total' | 'Content'): number => manifests.reduce((n, m) => n + m.Size[key], 0);
    for (const tag of image.tags.length ? image.tags : ['<untagged>']) {
      out += row(
        tag,
        image.id.replace(/^sha256:/, '').slice(0, 12),
        bytes(total('Total')),
        bytes(total('Content')),
        '',
      );
      manifests.forEach((m, i) => {
        const p = m.ImageData?.Platform ?? m.Descriptor.platform;
        const platform = p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown';
        out += row(
          `${i === manifests.length - 1 ? '└─' : '├─'} ${platform}`,
          m.ID.replace(/^sha256:/, '').slice(0, 12),
          bytes(m.Size.Total),
          bytes(m.Size.Content),
          m.Available ? '' : 'not here',
        );
      });
    }
  }
  return out;
}

/** The name `pull` prints, as docker pull's last line does: as given, with `:latest` when it has no tag or digest. */
function pulledName(name: string): string {
  const { tag, digest } = parseReference(name);
  return tag !== undefined || digest !== undefined ? name : `${name}:latest`;
}

/** `io` with its progress silenced by `-q`. */
function quietable(io: Io, quiet: boolean): Io {
  return quiet ? { ...io, err: SILENT } : io;
}

/** Standard input, whole, as text without its last line break (`--password-stdin`). */
async function readStdin(io: Io): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const chunk of io.stdin) parts.push(chunk);
  return Buffer.concat(parts)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export const engineImages: Family = {
  title: 'Images in the engine',
  commands: {
    ls: {
      usage: 'ls [-a] [-q] [--tree] [--filter KEY=VALUE]... [REPOSITORY]',
      summary: 'List images',
      flags: {
        all: f(['-a', '--all']),
        quiet: f(['-q', '--quiet']),
        tree: f(['--tree']),
        filter: f(['-f', '--filter'], true, true),
      },
      async run(docker, args, io) {
        const filters: Record<string, string[]> = {};
        for (const v of all(args, 'filter')) {
          const i = v.indexOf('=');
          if (i <= 0) throw new UsageError(`--filter must be KEY=VALUE, got ${JSON.stringify(v)}`);
          (filters[v.slice(0, i)] ??= []).push(v.slice(i + 1));
        }
        const tree = has(args, 'tree');
        const images = await docker.images.list({
          all: has(args, 'all'),
          filters,
          ...(tree ? { manifests: true } : {}),
          ...(args.positionals[0] ? { name: args.positionals[0] } : {}),
        });
        if (io.json) return io.out.write(`${JSON.stringify(images.map((i) => i.attrs))}\n`);
        if (has(args, 'quiet')) return io.out.write(images.map((i) => `${i.shortId.slice(7)}\n`).join(''));
        if (tree) return io.out.write(imageTree(images));
        io.out.write(`${'REPOSITORY:TAG'.padEnd(50)} ${'IMAGE ID'.padEnd(12)} SIZE\n`);
        for (const i of images) {
          for (const tag of i.tags.length ? i.tags : ['<none>:<none>'])
            io.out.write(`${tag.padEnd(50)} ${i.shortId.slice(7)}   ${bytes(i.attrs.Size ?? 0)}\n`);
        }
      },
    },
    inspect: {
      usage: 'inspect IMAGE...',
      summary: 'Show the engine’s data for images',
      flags: {},
      async run(docker, args, io) {
        const names = need(args, 1, 'IMAGE');
        io.out.write(
          `${JSON.stringify(await Promise.all(names.map(async (n) => (await docker.images.get(n)).attrs)), null, 2)}\n`,
        );
      },
    },
    history: {
      usage: 'history IMAGE',
      summary: 'Show how an image was made',
      flags: {},
      async run(docker, args, io) {
        const [name] = need(args, 1, 'IMAGE');
        const history = await (await docker.images.get(name!)).history();
        if (io.json) return io.out.write(`${JSON.stringify(history)}\n`);
        for (const h of history)
          io.out.write(
            `${h.Id === '<missing>' ? '<missing>   ' : h.Id.replace('sha256:', '').slice(0, 12)}  ${bytes(h.Size).padStart(9)}  ${h.CreatedBy}\n`,
          );
      },
    },
    pull: {
      usage: 'pull [-a] [--missing] [--platform P] NAME[:TAG|@DIGEST]',
      summary: 'Pull an image from a registry',
      flags: {
        allTags: f(['-a', '--all-tags']),
        missing: f(['--missing']),
        platform: f(['--platform'], true),
        quiet: f(['-q', '--quiet']),
      },
      async run(docker, args, io) {
        const [name] = need(args, 1, 'NAME');
        const platform = one(args, 'platform');
        const quiet = quietable(io, has(args, 'quiet'));
        if (has(args, 'missing')) {
          // pull only when it is not here (for that platform): images.ensure, as docker's --pull=missing
          if (has(args, 'allTags')) throw new UsageError('--missing names one image; it does not go with --all-tags');
          await follow(docker.images.ensure(name!, platformOption(platform)), quiet);
          io.out.write(`${pulledName(name!)}\n`);
          return;
        }
        if (!has(args, 'allTags')) {
          await follow(docker.images.pull(name!, platformOption(platform)), quiet);
          io.out.write(`${pulledName(name!)}\n`);
          return;
        }
        const images = await follow(docker.images.pull(name!, { allTags: true, ...platformOption(platform) }), quiet);
        const { repository } = parseReference(name!);
        for (const i of images) {
          // (an engine that names the repository otherwise, as Podman's localhost/ and docker.io/: its first tag)
          const tags = i.tags.filter((t) => t.startsWith(`${repository}:`));
          for (const tag of tags.length > 0 ? tags : [i.tags[0] ?? i.id]) io.out.write(`${tag}\n`);
        }
      },
    },
    push: {
      usage: 'push NAME[:TAG]',
      summary: 'Push an image to a registry',
      flags: { quiet: f(['-q', '--quiet']) },
      async run(docker, args, io) {
        const [name] = need(args, 1, 'NAME');
        const result = await follow(docker.images.push(name!), quietable(io, has(args, 'quiet')));
        for (const p of result.pushed) io.out.write(`${p.tag}: digest: ${p.digest} size: ${p.size}\n`);
      },
    },
    rm: {
      usage: 'rm [-f] [--no-prune] IMAGE...',
      summary: 'Remove images',
      flags: { force: f(['-f', '--force']), noPrune: f(['--no-prune']) },
      async run(docker, args, io) {
        for (const name of need(args, 1, 'IMAGE')) {
          for (const item of await docker.images.remove(name, {
            force: has(args, 'force'),
            noPrune: has(args, 'noPrune'),
          })) {
            io.out.write(item.Untagged ? `Untagged: ${item.Untagged}\n` : `Deleted: ${item.Deleted}\n`);
          }
        }
      },
    },
    prune: {
      usage: 'prune [-a] [--filter KEY=VALUE]...',
      summary: 'Remove unused images (dangling ones, or all unused with -a)',
      flags: { all: f(['-a', '--all']), force: f(['-f', '--force']), filter: f(['--filter'], true, true) },
      async run(docker, args, io) {
        const filters: Record<string, string | string[] | boolean> = { ...pairs(all(args, 'filter'), '--filter') };
        if (has(args, 'all')) filters['dangling'] = false;
        const result = await docker.images.prune({ filters });
        for (const item of result.imagesDeleted)
          io.out.write(item.Untagged ? `untagged: ${item.Untagged}\n` : `deleted: ${item.Deleted}\n`);
        io.out.write(`Total reclaimed space: ${bytes(result.spaceReclaimed)}\n`);
      },
    },
    search: {
      usage: 'search [--limit N] TERM',
      summary: 'Search a registry',
      flags: { limit: f(['--limit'], true) },
      async run(docker, args, io) {
        const [term] = need(args, 1, 'TERM');
        const limit = one(args, 'limit');
        const results = await docker.images.search(term!, limit ? { limit: Number(limit) } : {});
        if (io.json) return io.out.write(`${JSON.stringify(results)}\n`);
        io.out.write(`${'NAME'.padEnd(40)} ${'STARS'.padStart(5)}  DESCRIPTION\n`);
        for (const r of results)
          io.out.write(`${r.name.padEnd(40)} ${String(r.star_count).padStart(5)}  ${r.description}\n`);
      },
    },
    tag: {
      usage: 'tag SOURCE TARGET',
      summary: 'Give an image another name',
      flags: {},
      async run(docker, args) {
        const [source, target] = need(args, 2, 'SOURCE and TARGET');
        await (await docker.images.get(source!)).tag(target!);
      },
    },
    login: {
      usage: 'login [-u USER] [-p PASSWORD | --password-stdin] [SERVER]',
      summary: 'Check credentials with a registry',
      flags: {
        username: f(['-u', '--username'], true),
        password: f(['-p', '--password'], true),
        passwordStdin: f(['--password-stdin']),
      },
      async run(docker, args, io) {
        const username = one(args, 'username');
        if (!username) throw new UsageError('missing -u USER');
        const password = has(args, 'passwordStdin') ? await readStdin(io) : one(args, 'password');
        const registry = args.positionals[0];
        const result = await docker.login({
          username,
          ...(password !== undefined ? { password } : {}),
          ...(registry ? { registry } : {}),
        });
        io.out.write(`${result.Status}\n`);
      },
    },
  },
};
