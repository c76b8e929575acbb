// An image's files without running it: files, cat, export; and validate, an archive's layers checked. The image is read from an archive
// (a file, or a folder holding an image layout), from the engine (saved and read as it streams),
// or with --registry from its registry (no engine).
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openImageArchive, type Docker, type FileEntry } from '../api.js';
import { has, one, type Parsed } from './args.js';
import { f, need, platformOption, refuseTerminal, type Family } from './command.js';

/** What files, cat and export read: an image archive, or an image in a registry. */
interface ImageSource {
  files(options: { platform?: string }): AsyncIterable<FileEntry>;
  readFile(path: string, options: { platform?: string }): Promise<Uint8Array>;
  export(options: { platform?: string }): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/**
 * With --registry, REF in its registry; else ARCHIVE (a file that is there, or a folder holding
 * `oci-layout` or `manifest.json`) opened as an image archive, or REF saved by the engine and read
 * as it streams.
 */
async function openSource(docker: Docker, source: string, args: Parsed): Promise<ImageSource> {
  if (has(args, 'registry')) {
    return {
      files: (options) => docker.registry.files(source, options),
      readFile: (path, options) => docker.registry.readFile(source, path, options),
      export: (options) => docker.registry.export(source, options),
      close: async () => {},
    };
  }
  if (isArchive(source)) return openImageArchive(source);
  return openImageArchive((await docker.images.get(source)).save());
}

/** True when `source` is an image archive's path: a file, or a folder that holds an OCI layout or a docker-archive. */
function isArchive(source: string): boolean {
  try {
    const stats = statSync(source);
    if (stats.isFile()) return true;
    return stats.isDirectory() && ['oci-layout', 'manifest.json'].some((name) => existsSync(`${source}/${name}`));
  } catch {
    return false; // not there: an image reference
  }
}

/** Runs `use` on the image `source` names, and closes it. */
async function withSource(
  docker: Docker,
  args: Parsed,
  source: string,
  use: (image: ImageSource) => Promise<void>,
): Promise<void> {
  const image = await openSource(docker, source, args);
  try {
    await use(image);
  } finally {
    await image.close();
  }
}

const TYPE_CHAR: Record<FileEntry['type'], string> = {
  file: '-',
  directory: 'd',
  symlink: 'l',
  hardlink: 'h',
  char: 'c',
  block: 'b',
  fifo: 'p',
};

/** One line of `files`, as `tar -tv` draws an entry: type and mode, owner, size, path, link target. */
export function fileLine(file: FileEntry, layers: boolean): string {
  const link =
    file.linkname === undefined ? '' : file.type === 'hardlink' ? ` link to ${file.linkname}` : ` -> ${file.linkname}`;
  const layer = layers
    ? `${String(file.layer.index).padStart(3)} ${file.layer.digest
        .replace(/^sha256:/, '')
        .slice(0, 12)
        .padEnd(12)} `
    : '';
  return `${layer}${TYPE_CHAR[file.type]}${(file.mode & 0o7777).toString(8).padStart(4, '0')} ${`${file.uid}/${file.gid}`.padEnd(11)} ${String(file.size).padStart(10)} ${file.path}${link}\n`;
}

const SOURCE = 'IMAGE|ARCHIVE|--registry REF';
const from = { platform: f(['--platform'], true), registry: f(['--registry']) };

export const imageFiles: Family = {
  title: 'Image files (from the engine, an archive file, or with --registry the registry: no engine)',
  commands: {
    files: {
      usage: `files [--platform P] [--layers] ${SOURCE}`,
      summary: 'List an image’s files (its layers merged) without running it',
      flags: { ...from, layers: f(['--layers']) },
      async run(docker, args, io) {
        const [source] = need(args, 1, SOURCE);
        await withSource(docker, args, source!, async (image) => {
          for await (const file of image.files(platformOption(one(args, 'platform')))) {
            if (io.json) {
              const { content: _content, ...rest } = file;
              io.out.write(`${JSON.stringify(rest)}\n`);
            } else io.out.write(fileLine(file, has(args, 'layers')));
          }
        });
      },
    },
    cat: {
      usage: `cat [--platform P] ${SOURCE} PATH`,
      summary: 'Print a file of an image without running it',
      flags: from,
      async run(docker, args, io) {
        const [source, path] = need(args, 2, `${SOURCE}, and PATH`);
        await withSource(docker, args, source!, async (image) =>
          io.out.writeAll([await image.readFile(path!, platformOption(one(args, 'platform')))]),
        );
      },
    },
    export: {
      usage: `export [--platform P] [-o FILE] ${SOURCE}`,
      summary: 'Write an image’s merged filesystem as one tar (as docker export of a container of it)',
      flags: { ...from, output: f(['-o', '--output'], true) },
      async run(docker, args, io) {
        const [source] = need(args, 1, SOURCE);
        const output = one(args, 'output');
        refuseTerminal(output, io);
        await withSource(docker, args, source!, async (image) => {
          const tar = image.export(platformOption(one(args, 'platform')));
          if (output) await pipeline(Readable.from(tar), createWriteStream(output));
          else await io.out.writeAll(tar);
        });
      },
    },
    validate: {
      usage: 'validate [--platform P] ARCHIVE',
      summary: 'Read every layer of an image archive whole and check it against its digest (crane validate)',
      flags: { platform: f(['--platform'], true) },
      async run(_docker, args, io) {
        const [path] = need(args, 1, 'ARCHIVE');
        const archive = await openImageArchive(path!);
        try {
          const platform = one(args, 'platform');
          const result = await archive.validate(platform === undefined ? undefined : { platform });
          io.out.write(
            io.json
              ? `${JSON.stringify(result)}\n`
              : `${path}: ${result.layers} layers of ${result.images} images checked, ${result.bytes} bytes\n`,
          );
        } finally {
          await archive.close();
        }
      },
    },
  },
};
