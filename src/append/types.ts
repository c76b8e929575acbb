// What `registry.append` and `registry.mutate` take and give: layers (a folder, files, a tar),
// changes to the config, the platforms, and where the image goes. camelCase, as every option.
import type { Platform, PlatformSpec } from '../platform.js';
import type { BinarySource } from '../stream/body-source.js';

/** FileOwner: the numeric owner of files a layer adds (default 0:0). */
export interface FileOwner {
  uid: number;
  gid: number;
}

/** LayerFile: one file of a `files` layer: its bytes (or text), and its mode (default 0o644). */
export interface LayerFile {
  data: Uint8Array | string;
  mode?: number;
}

/** PathLayer: a folder on disk, placed at `to` in the image (default `/`). */
export interface PathLayer {
  /** The folder (or one file) on disk. */
  path: string;
  /** Where it goes in the image: an absolute path (default `/`). */
  to?: string;
  /** Patterns left out, with `.dockerignore` semantics (the folder's own .dockerignore is not read). */
  ignore?: string[];
  /** The owner of every entry (default 0:0). */
  owner?: FileOwner;
  /** The mode of every file (default: the mode on disk). */
  mode?: number;
}

/** FilesLayer: files given as bytes, by their absolute path in the image. */
export interface FilesLayer {
  files: Record<string, Uint8Array | string | LayerFile>;
  /** The owner of every entry (default 0:0). */
  owner?: FileOwner;
}

/** TarLayer: a tar added as it is: a file's path, or a stream (a Node Readable, a web ReadableStream, any async iterable of bytes). */
export interface TarLayer {
  tar: string | BinarySource;
}

/** AppendLayer: one layer to add: a folder, files, or a tar. */
export type AppendLayer = PathLayer | FilesLayer | TarLayer;

/** ConfigChanges: what changes in the image's config (`config.config`); every field left out is kept. */
export interface ConfigChanges {
  /** The entrypoint; setting it without `cmd` clears the base's Cmd, as a Dockerfile's ENTRYPOINT does. */
  entrypoint?: string[] | string;
  cmd?: string[] | string;
  /** Merged with the base's: a name given replaces its value, `PATH` is kept unless given. */
  env?: Record<string, string>;
  workingDir?: string;
  user?: string;
  /** Merged with the base's labels. */
  labels?: Record<string, string>;
  /** Ports added to the base's (`8080`, `8080/tcp`, `53/udp`). */
  exposedPorts?: Array<string | number>;
  /** Volumes added to the base's. */
  volumes?: string[];
  stopSignal?: string;
}

/** FileOutput: an image written to a file: a docker-archive tar, or an OCI layout (a folder, or a tar when the path ends in `.tar`). */
export interface FileOutput {
  path: string;
  /** `docker` (a docker-archive tar, for `docker load`) or `oci` (default). */
  format?: 'docker' | 'oci';
  /** The image's name in the archive: RepoTags in a docker-archive, `org.opencontainers.image.ref.name` in a layout (default `latest`). */
  tag?: string;
}

/** StreamOutput: an image written as a tar into a stream (`docker.images.load` reads it as it comes); the stream is ended when done. */
export interface StreamOutput {
  stream: NodeJS.WritableStream | WritableStream<Uint8Array>;
  /** `docker` (default) or `oci` (an OCI layout as a tar). */
  format?: 'docker' | 'oci';
  tag?: string;
}

/** ImageOutput: where an image goes: a registry reference, a file, or a stream. */
export type ImageOutput = string | FileOutput | StreamOutput;

/** ImageChanges: what append and mutate change besides the layers. */
export interface ImageChanges {
  config?: ConfigChanges;
  /** Annotations set on every manifest made (and on the index). */
  annotations?: Record<string, string>;
  /** Only these platforms of a multi-platform base; `scratch` needs them. */
  platforms?: PlatformSpec[];
  /** The image's creation time, and the time every added file is clamped to (default SOURCE_DATE_EPOCH, else now with file times kept). */
  created?: Date;
  /** `zstd` (where the runtime has it) or `gzip` (default) for the layers added. */
  compression?: 'gzip' | 'zstd';
}

/** AppendedPlatform: one image that append or mutate made. */
export interface AppendedPlatform {
  platform: Platform;
  /** The image manifest's digest. */
  digest: string;
  /** The config's digest (the image ID). */
  config: string;
}

/** AppendResult: what append and mutate made: the top manifest's (or index's) digest and media type, and one entry per platform. */
export interface AppendResult {
  digest: string;
  mediaType: string;
  size: number;
  platforms: AppendedPlatform[];
}
