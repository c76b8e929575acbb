// dockwire: the image half of the docker CLI, on dockwire. `dockwire [image] COMMAND ...`.
// Exit codes: 0 success, 1 the engine (or the network) said no, 2 bad usage.
import { close as closeFile, createReadStream, createWriteStream, open as openFile, statSync, write as writeFile } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { Docker, DockerError, loadImages, openImageArchive, parseReference, saveImages, type FileEntry, type Image, type ImageArchive, type ProgressEvent, type ProgressJob, type SecretSource } from '../api.js';
import { UsageError, all, has, one, pairs, parseArgs, type FlagSpec, type Parsed } from './args.js';
import { ByteSpinner, LayerView, bytes, type Out } from './view.js';
import { attestationCommands } from './attestations.js';

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
      out += row(tag, image.id.replace(/^sha256:/, '').slice(0, 12), bytes(total('Total')), bytes(total('Content')), '');
      manifests.forEach((m, i) => {
        const p = m.ImageData?.Platform ?? m.Descriptor.platform;
        const platform = p ? [p.os, p.architecture, p.variant].filter(Boolean).join('/') : 'unknown';
        out += row(`${i === manifests.length - 1 ? '└─' : '├─'} ${platform}`, m.ID.replace(/^sha256:/, '').slice(0, 12), bytes(m.Size.Total), bytes(m.Size.Content), m.Available ? '' : 'not here');
      });
    }
  }
  return out;
}

/** `--secret id=ID,src=PATH` (or `source=`, `type=file`), `id=ID,env=VAR`, or `id=ID` (the variable ID), as buildx reads them. */
function secretFlags(values: string[], env: Record<string, string | undefined>): Record<string, SecretSource> | undefined {
  if (values.length === 0) return undefined;
  const secrets: Record<string, SecretSource> = {};
  for (const value of values) {
    const parts = value.split(',');
    if (parts.some((part) => !part.includes('='))) throw new UsageError(`--secret must be id=ID[,src=PATH|,env=VAR], got ${JSON.stringify(value)}`);
    const fields = Object.fromEntries(parts.map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]));
    const id = fields['id'];
    if (!id) throw new UsageError(`--secret needs id=ID, got ${JSON.stringify(value)}`);
    const file = fields['src'] ?? fields['source'];
    if (file !== undefined && fields['type'] !== 'env') secrets[id] = { file };
    else if (fields['env'] !== undefined || fields['type'] === 'env') secrets[id] = { env: fields['env'] ?? file ?? id };
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
    const [id, path] = value.includes('=') ? [value.slice(0, value.indexOf('=')), value.slice(value.indexOf('=') + 1)] : [value, env['SSH_AUTH_SOCK']];
    if (!id || !path) throw new UsageError(`--ssh ${value}: give ID=SOCKET, or set SSH_AUTH_SOCK for ${id || 'default'}`);
    ssh[id] = path;
  }
  return ssh;
}

/** ARCHIVE (a file that is there) opened as an image archive, or REF saved by the engine and read as it streams. */
async function openArchive(docker: Docker, source: string): Promise<ImageArchive> {
  let isFile = false;
  try {
    isFile = statSync(source).isFile();
  } catch {
    // not a file: an image reference
  }
  if (isFile) return openImageArchive(source);
  return openImageArchive((await docker.images.get(source)).save());
}

const TYPE_CHAR: Record<FileEntry['type'], string> = { file: '-', directory: 'd', symlink: 'l', hardlink: 'h', char: 'c', block: 'b', fifo: 'p' };

/** One line of `files`, as `tar -tv` draws an entry: type and mode, owner, size, path, link target. */
function fileLine(f: FileEntry, layers: boolean): string {
  const link = f.linkname === undefined ? '' : f.type === 'hardlink' ? ` link to ${f.linkname}` : ` -> ${f.linkname}`;
  const layer = layers ? `${String(f.layer.index).padStart(3)} ${f.layer.digest.replace(/^sha256:/, '').slice(0, 12).padEnd(12)} ` : '';
  return `${layer}${TYPE_CHAR[f.type]}${(f.mode & 0o7777).toString(8).padStart(4, '0')} ${`${f.uid}/${f.gid}`.padEnd(11)} ${String(f.size).padStart(10)} ${f.path}${link}\n`;
}

interface Command {
  usage: string;
  summary: string;
  flags: Record<string, FlagSpec>;
  run(docker: Docker, args: Parsed, io: Io): Promise<void>;
}

interface Io {
  out: Out;
  err: Out;
  json: boolean;
  env: Record<string, string | undefined>;
}

const f = (names: string[], value = false, repeat = false): FlagSpec => ({ names, value, repeat });

/** The name `pull` prints, as docker pull's last line does: as given, with `:latest` when it has no tag or digest. */
function pulledName(name: string): string {
  const { tag, digest } = parseReference(name);
  return tag !== undefined || digest !== undefined ? name : `${name}:latest`;
}

function need(args: Parsed, n: number, what: string): string[] {
  if (args.positionals.length < n) throw new UsageError(`missing ${what}`);
  return args.positionals;
}

async function follow<T>(job: ProgressJob<T>, io: Io): Promise<T> {
  const view = new LayerView(io.err, job.totals);
  for await (const event of job) {
    if (io.json) io.out.write(`${JSON.stringify(event)}\n`);
    else view.event(event as ProgressEvent);
  }
  return job;
}

const commands: Record<string, Command> = {
  ls: {
    usage: 'ls [-a] [-q] [--tree] [--filter KEY=VALUE]... [REPOSITORY]',
    summary: 'List images',
    flags: { all: f(['-a', '--all']), quiet: f(['-q', '--quiet']), tree: f(['--tree']), filter: f(['-f', '--filter'], true, true) },
    async run(docker, args, io) {
      const filters: Record<string, string[]> = {};
      for (const v of all(args, 'filter')) {
        const i = v.indexOf('=');
        if (i <= 0) throw new UsageError(`--filter must be KEY=VALUE, got ${JSON.stringify(v)}`);
        (filters[v.slice(0, i)] ??= []).push(v.slice(i + 1));
      }
      const tree = has(args, 'tree');
      const images = await docker.images.list({ all: has(args, 'all'), filters, ...(tree ? { manifests: true } : {}), ...(args.positionals[0] ? { name: args.positionals[0] } : {}) });
      if (io.json) return io.out.write(`${JSON.stringify(images.map((i) => i.attrs))}\n`);
      if (has(args, 'quiet')) return io.out.write(images.map((i) => `${i.shortId.slice(7)}\n`).join(''));
      if (tree) return io.out.write(imageTree(images));
      io.out.write(`${'REPOSITORY:TAG'.padEnd(50)} ${'IMAGE ID'.padEnd(12)} SIZE\n`);
      for (const i of images) {
        for (const tag of i.tags.length ? i.tags : ['<none>:<none>']) io.out.write(`${tag.padEnd(50)} ${i.shortId.slice(7)}   ${bytes(i.attrs.Size ?? 0)}\n`);
      }
    },
  },
  inspect: {
    usage: 'inspect IMAGE...',
    summary: 'Show the engine’s data for images',
    flags: {},
    async run(docker, args, io) {
      const names = need(args, 1, 'IMAGE');
      io.out.write(`${JSON.stringify(await Promise.all(names.map(async (n) => (await docker.images.get(n)).attrs)), null, 2)}\n`);
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
      for (const h of history) io.out.write(`${h.Id === '<missing>' ? '<missing>   ' : h.Id.replace('sha256:', '').slice(0, 12)}  ${bytes(h.Size).padStart(9)}  ${h.CreatedBy}\n`);
    },
  },
  build: {
    usage: 'build [-t TAG]... [-f DOCKERFILE] [--build-arg K=V]... [--label K=V]... [--target T] [--no-cache] [--pull] [--platform P] [--network MODE] [--buildkit [--secret id=ID,src=PATH|env=VAR]... [--ssh default[=SOCKET]]...] [-q] PATH',
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
        const job = docker.images.build({ ...options, builder: 'buildkit', ...(secrets ? { secrets } : {}), ...(ssh ? { ssh } : {}) });
        for await (const e of job) {
          if (io.json) io.out.write(`${JSON.stringify(e)}\n`);
          else if (has(args, 'quiet')) continue;
          else if (e.type === 'vertex') io.err.write(`#${e.digest.slice(7, 19)} ${e.state.toUpperCase()} ${e.name}${e.error ? `: ${e.error}` : ''}\n`);
          else if (e.type === 'log') io.err.write(`#${e.digest.slice(7, 19)} ${e.text.endsWith('\n') ? e.text : `${e.text}\n`}`);
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
  pull: {
    usage: 'pull [-a] [--missing] [--platform P] NAME[:TAG|@DIGEST]',
    summary: 'Pull an image from a registry',
    flags: { allTags: f(['-a', '--all-tags']), missing: f(['--missing']), platform: f(['--platform'], true), quiet: f(['-q', '--quiet']) },
    async run(docker, args, io) {
      const [name] = need(args, 1, 'NAME');
      const platform = one(args, 'platform');
      const quiet = has(args, 'quiet') ? { ...io, err: { write() {}, isTTY: false } } : io;
      if (has(args, 'missing')) {
        // pull only when it is not here (for that platform): images.ensure, as docker's --pull=missing
        if (has(args, 'allTags')) throw new UsageError('--missing names one image; it does not go with --all-tags');
        await follow(docker.images.ensure(name!, platform ? { platform } : {}), quiet);
        io.out.write(`${pulledName(name!)}\n`);
        return;
      }
      if (!has(args, 'allTags')) {
        await follow(docker.images.pull(name!, platform ? { platform } : {}), quiet);
        io.out.write(`${pulledName(name!)}\n`);
        return;
      }
      const images = await follow(docker.images.pull(name!, { allTags: true, ...(platform ? { platform } : {}) }), quiet);
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
      const result = await follow(docker.images.push(name!), has(args, 'quiet') ? { ...io, err: { write() {}, isTTY: false } } : io);
      for (const p of result.pushed) io.out.write(`${p.tag}: digest: ${p.digest} size: ${p.size}\n`);
    },
  },
  save: {
    usage: 'save [-o FILE] IMAGE...',
    summary: 'Write images to a tar archive (standard output by default)',
    flags: { output: f(['-o', '--output'], true) },
    async run(docker, args, io) {
      const names = need(args, 1, 'IMAGE');
      const output = one(args, 'output');
      if (!output && process.stdout.isTTY) throw new UsageError('refusing to write a tar archive to a terminal: use -o FILE or redirect');
      const spinner = new ByteSpinner(io.err, 'saved');
      if (output) {
        // each chunk is written before the next is asked for, so the chunks can be borrowed; the
        // file is made once the engine has answered (no empty file for an image that is missing)
        const [open, write, close] = [promisify(openFile), promisify(writeFile), promisify(closeFile)];
        let fd: number | undefined;
        try {
          for await (const chunk of saveImages(docker, names, { chunkSize: null, borrowChunks: true })) {
            fd ??= await open(output, 'w');
            spinner.add(chunk.length);
            for (let at = 0; at < chunk.length; ) at += (await write(fd, chunk, at, chunk.length - at)).bytesWritten;
          }
        } finally {
          if (fd !== undefined) await close(fd);
        }
      } else {
        const counted = (async function* () {
          for await (const chunk of saveImages(docker, names)) {
            spinner.add(chunk.length);
            yield chunk;
          }
        })();
        await pipeline(Readable.from(counted), process.stdout);
      }
      spinner.done();
    },
  },
  load: {
    usage: 'load [-i FILE] [-q]',
    summary: 'Load images from a tar archive (standard input by default)',
    flags: { input: f(['-i', '--input'], true), quiet: f(['-q', '--quiet']) },
    async run(docker, args, io) {
      const input = one(args, 'input');
      const spinner = new ByteSpinner(io.err, 'sent');
      const source = input ? createReadStream(input) : process.stdin;
      const counted = (async function* () {
        for await (const chunk of source) {
          spinner.add((chunk as Buffer).length);
          yield chunk as Buffer;
        }
      })();
      const { log } = await loadImages(docker, counted);
      spinner.done();
      // the engine's own lines, as docker load prints them (an image's first tag may be another name)
      for (const event of log) if (event.stream?.startsWith('Loaded image')) io.out.write(event.stream.endsWith('\n') ? event.stream : `${event.stream}\n`);
    },
  },
  rm: {
    usage: 'rm [-f] [--no-prune] IMAGE...',
    summary: 'Remove images',
    flags: { force: f(['-f', '--force']), noPrune: f(['--no-prune']) },
    async run(docker, args, io) {
      for (const name of need(args, 1, 'IMAGE')) {
        for (const item of await docker.images.remove(name, { force: has(args, 'force'), noPrune: has(args, 'noPrune') })) {
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
      for (const item of result.imagesDeleted) io.out.write(item.Untagged ? `untagged: ${item.Untagged}\n` : `deleted: ${item.Deleted}\n`);
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
      for (const r of results) io.out.write(`${r.name.padEnd(40)} ${String(r.star_count).padStart(5)}  ${r.description}\n`);
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
    flags: { username: f(['-u', '--username'], true), password: f(['-p', '--password'], true), passwordStdin: f(['--password-stdin']) },
    async run(docker, args, io) {
      const username = one(args, 'username');
      if (!username) throw new UsageError('missing -u USER');
      let password = one(args, 'password');
      if (has(args, 'passwordStdin')) {
        const parts: Buffer[] = [];
        for await (const chunk of process.stdin) parts.push(chunk as Buffer);
        password = Buffer.concat(parts).toString('utf8').replace(/\r?\n$/, '');
      }
      const registry = args.positionals[0];
      const result = await docker.login({ username, ...(password !== undefined ? { password } : {}), ...(registry ? { registry } : {}) });
      io.out.write(`${result.Status}\n`);
    },
  },
  manifest: {
    usage: 'manifest REF [--platform P]',
    summary: 'Print an image\u2019s manifest, as the registry has it (no engine)',
    flags: { platform: f(['--platform'], true) },
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const platform = one(args, 'platform');
      const result = await docker.registry.manifest(ref!, platform ? { platform } : {});
      if (io.json) return io.out.write(`${JSON.stringify({ descriptor: result.descriptor, manifest: result.manifest })}\n`);
      // the registry's exact bytes (as crane manifest prints them), which hash to the digest
      io.out.write(new TextDecoder().decode(result.bytes));
    },
  },
  digest: {
    usage: 'digest REF [--platform P]',
    summary: 'Print the digest a reference resolves to in its registry (no engine)',
    flags: { platform: f(['--platform'], true) },
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const platform = one(args, 'platform');
      const descriptor = await docker.registry.resolve(ref!, platform ? { platform } : {});
      io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${descriptor.digest}\n`);
    },
  },
  config: {
    usage: 'config REF [--platform P]',
    summary: 'Print an image\u2019s configuration from its registry (no engine)',
    flags: { platform: f(['--platform'], true) },
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const platform = one(args, 'platform');
      const config = await docker.registry.config(ref!, platform ? { platform } : {});
      io.out.write(`${io.json ? JSON.stringify(config) : JSON.stringify(config, null, 2)}\n`);
    },
  },
  tags: {
    usage: 'tags REPOSITORY',
    summary: 'List a repository\u2019s tags in its registry (no engine)',
    flags: {},
    async run(docker, args, io) {
      const [repository] = need(args, 1, 'REPOSITORY');
      const tags = await docker.registry.tags(repository!);
      io.out.write(io.json ? `${JSON.stringify(tags)}\n` : tags.map((t) => `${t}\n`).join(''));
    },
  },
  referrers: {
    usage: 'referrers REF [--artifact-type TYPE]',
    summary: 'List what refers to an image (signatures, SBOMs, attestations) in its registry (no engine)',
    flags: { artifactType: f(['--artifact-type'], true) },
    async run(docker, args, io) {
      const [ref] = need(args, 1, 'REF');
      const artifactType = one(args, 'artifactType');
      const found = await docker.registry.referrers(ref!, artifactType ? { artifactType } : {});
      if (io.json) return io.out.write(`${JSON.stringify(found)}\n`);
      io.out.write(`${'DIGEST'.padEnd(72)} ${'ARTIFACT TYPE'.padEnd(48)} SIZE\n`);
      for (const d of found) io.out.write(`${d.digest.padEnd(72)} ${(d.artifactType ?? d.mediaType).padEnd(48)} ${bytes(d.size)}\n`);
    },
  },
  cp: {
    usage: 'cp SRC DST [--platform P]... [--referrers]',
    summary: 'Copy an image between registries or repositories (no engine)',
    flags: { platform: f(['--platform'], true, true), referrers: f(['--referrers']) },
    async run(docker, args, io) {
      const [src, dst] = need(args, 2, 'SRC and DST');
      const platforms = all(args, 'platform');
      const descriptor = await follow(docker.registry.copy(src!, dst!, { ...(platforms.length ? { platforms } : {}), ...(has(args, 'referrers') ? { referrers: true } : {}) }), io);
      io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${dst}@${descriptor.digest}\n`);
    },
  },
  'tag-remote': {
    usage: 'tag-remote REF TAG',
    summary: 'Give an image in a registry another tag there (no engine)',
    flags: {},
    async run(docker, args, io) {
      const [ref, tag] = need(args, 2, 'REF and TAG');
      const descriptor = await docker.registry.tag(ref!, tag!);
      io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${descriptor.digest}\n`);
    },
  },
  'rm-remote': {
    usage: 'rm-remote REF',
    summary: 'Delete a manifest from its registry, by digest (no engine)',
    flags: {},
    async run(docker, args) {
      const [ref] = need(args, 1, 'REF');
      await docker.registry.delete(ref!);
    },
  },
  attach: {
    usage: 'attach REF --artifact-type TYPE FILE...',
    summary: 'Attach files to an image in its registry as an OCI 1.1 artifact (no engine)',
    flags: { artifactType: f(['--artifact-type'], true), mediaType: f(['--media-type'], true) },
    async run(docker, args, io) {
      const [ref, ...files] = need(args, 2, 'REF and FILE');
      const artifactType = one(args, 'artifactType');
      if (!artifactType) throw new UsageError('attach needs --artifact-type');
      const mediaType = one(args, 'mediaType') ?? 'application/octet-stream';
      const descriptor = await docker.registry.attach(ref!, { artifactType, blobs: files.map((data) => ({ mediaType, data })) });
      io.out.write(io.json ? `${JSON.stringify(descriptor)}\n` : `${descriptor.digest}\n`);
    },
  },
  files: {
    usage: 'files [--platform P] [--layers] IMAGE|ARCHIVE',
    summary: 'List an image’s files (its layers merged) without running it',
    flags: { platform: f(['--platform'], true), layers: f(['--layers']) },
    async run(docker, args, io) {
      const [source] = need(args, 1, 'IMAGE or ARCHIVE');
      const platform = one(args, 'platform');
      const archive = await openArchive(docker, source!);
      try {
        for await (const file of archive.files(platform ? { platform } : {})) {
          if (io.json) {
            const { content: _content, ...rest } = file;
            io.out.write(`${JSON.stringify(rest)}\n`);
          } else io.out.write(fileLine(file, has(args, 'layers')));
        }
      } finally {
        await archive.close();
      }
    },
  },
  cat: {
    usage: 'cat [--platform P] IMAGE|ARCHIVE PATH',
    summary: 'Print a file of an image without running it',
    flags: { platform: f(['--platform'], true) },
    async run(docker, args) {
      const [source, path] = need(args, 2, 'IMAGE or ARCHIVE, and PATH');
      const platform = one(args, 'platform');
      const archive = await openArchive(docker, source!);
      try {
        const bytes = await archive.readFile(path!, platform ? { platform } : {});
        await new Promise<void>((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));
      } finally {
        await archive.close();
      }
    },
  },
  export: {
    usage: 'export [--platform P] [-o FILE] IMAGE|ARCHIVE',
    summary: 'Write an image’s merged filesystem as one tar (as docker export of a container of it)',
    flags: { platform: f(['--platform'], true), output: f(['-o', '--output'], true) },
    async run(docker, args) {
      const [source] = need(args, 1, 'IMAGE or ARCHIVE');
      const output = one(args, 'output');
      if (!output && process.stdout.isTTY) throw new UsageError('refusing to write a tar archive to a terminal: use -o FILE or redirect');
      const platform = one(args, 'platform');
      const archive = await openArchive(docker, source!);
      try {
        await pipeline(Readable.from(archive.export(platform ? { platform } : {})), output ? createWriteStream(output) : process.stdout);
      } finally {
        await archive.close();
      }
    },
  },
  ...attestationCommands,
};


const GLOBAL: Record<string, FlagSpec> = { host: f(['-H', '--host'], true), json: f(['--json']), help: f(['-h', '--help']) };

function usage(): string {
  return [
    'Usage: dockwire [-H HOST] [--json] [image] COMMAND [ARGS]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`),
    '',
    'Run `dockwire COMMAND --help` for a command’s flags. The engine is found as the docker CLI',
    'finds it (DOCKER_HOST, DOCKER_CONTEXT, ...) unless -H is given.',
  ].join('\n');
}

export async function main(argv: string[], io: { out: Out; err: Out; env: Record<string, string | undefined> }): Promise<number> {
  // global flags come before the command
  let i = 0;
  const globalArgs: string[] = [];
  while (i < argv.length && argv[i]!.startsWith('-')) {
    globalArgs.push(argv[i]!);
    if ((argv[i] === '-H' || argv[i] === '--host') && i + 1 < argv.length) globalArgs.push(argv[++i]!);
    i++;
  }
  let global: Parsed;
  try {
    global = parseArgs(globalArgs, GLOBAL);
  } catch (error) {
    io.err.write(`dockwire: ${(error as Error).message}\n\n${usage()}\n`);
    return 2;
  }
  if (argv[i] === 'image') i++;
  const name = argv[i];
  if (!name || has(global, 'help')) {
    (name ? io.out : io.err).write(`${usage()}\n`);
    return name || has(global, 'help') ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err.write(`dockwire: unknown command ${JSON.stringify(name)}\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(i + 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out.write(`Usage: dockwire ${command.usage}\n\n${command.summary}\n`);
    return 0;
  }
  let args: Parsed;
  try {
    args = parseArgs(rest, { ...command.flags, json: f(['--json']) });
  } catch (error) {
    io.err.write(`dockwire ${name}: ${(error as Error).message}\nUsage: dockwire ${command.usage}\n`);
    return 2;
  }
  const host = one(global, 'host');
  const docker = host ? new Docker({ host }) : Docker.fromEnv(io.env);
  try {
    await command.run(docker, args, { out: io.out, err: io.err, env: io.env, json: has(global, 'json') || has(args, 'json') });
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.err.write(`dockwire ${name}: ${error.message}\nUsage: dockwire ${command.usage}\n`);
      return 2;
    }
    const message = error instanceof DockerError || error instanceof Error ? error.message : String(error);
    io.err.write(`dockwire ${name}: ${message}\n`);
    return 1;
  } finally {
    await docker.close();
  }
}
