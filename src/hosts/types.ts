// What host configuration is read from, and the plan it resolves to: the data the registry client
// follows to reach one registry for one operation (docs/registry.md, "Host configuration").

/** HostsConfig: where the host configuration is read; each left out takes the system's usual places, `false` reads none. */
export interface HostsConfig {
  /**
   * certs.d folders (Docker's scheme: `<folder>/<host[:port]>/*.crt` are CAs, `<name>.cert` with
   * `<name>.key` a client certificate), searched in order; the first with a folder for the host
   * is used. Default: `$XDG_CONFIG_HOME/containers/certs.d` (`~/.config/…`),
   * `/etc/containers/certs.d`, `/etc/docker/certs.d`.
   */
  certsDir?: string | readonly string[] | false | undefined;
  /** containerd's hosts folder (`<folder>/<host[:port]>/hosts.toml`). Default: `/etc/containerd/certs.d`. */
  hostsDir?: string | false | undefined;
  /**
   * containers' registries.conf (v2). Default: `$XDG_CONFIG_HOME/containers/registries.conf`
   * when it exists, else `/etc/containers/registries.conf` when it exists.
   */
  registriesConf?: string | false | undefined;
  /** Registries (`host[:port]`) the caller's own options reach over plain HTTP (`Registry`'s `insecure`). */
  insecure?: readonly string[] | undefined;
  /** The environment read for `XDG_CONFIG_HOME` and `HOME` (default: `process.env`). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** HostsReference: the reference to resolve, as the registry client parsed it (docker.io names already normalised). */
export interface HostsReference {
  /** The registry as named: `docker.io`, `registry.example.com:5000`. */
  registry: string;
  /** The repository in it: `library/busybox`. */
  repository: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

/** HostOperation: what the endpoints are for: fetch by digest, resolve a tag, or write. */
export type HostOperation = 'pull' | 'resolve' | 'push';

/** HostTls: TLS options for node:tls, ready to pass as they are. */
export interface HostTls {
  /** Node's root CAs followed by the extra ones the files give (added, never replacing them). */
  ca: string[];
  /** The client certificate (PEM) to present when the server asks for one. */
  cert?: string;
  /** Its private key (PEM). */
  key?: string;
  /** False only where a file says `skip_verify = true` or `insecure = true`. */
  rejectUnauthorized: boolean;
  /** The files these came from (CAs, certificate, key), for messages: never their contents. */
  files: string[];
}

/** HostEndpoint: one place to send the operation's requests, tried in the plan's order. */
export interface HostEndpoint {
  /** Scheme (secure = HTTPS), host and port. */
  origin: { secure: boolean; host: string; port: number };
  /** The API root on the origin: `/v2` (or the path a hosts.toml host URL gives, `override_path` as is). */
  pathPrefix: string;
  /** The repository to ask this endpoint for (a registries.conf `location` rewrites it). */
  repository: string;
  /** containerd's `?ns=<registry>` query parameter, to add to every request to this endpoint. */
  ns?: string;
  /** True for a mirror (anything but the registry's own server, or hosts.toml's `server`). */
  mirror: boolean;
  /** What it may be used for. */
  capabilities: HostOperation[];
  /** TLS options, when a file gives CAs, a client certificate or skips verification. */
  tls?: HostTls;
  /** Extra request headers (hosts.toml `header`). */
  headers: Record<string, string[]>;
  /**
   * registries.conf `insecure = true` (or the caller's `insecure`): HTTPS without verification
   * is allowed, and plain HTTP if HTTPS fails (as containers/image does).
   */
  insecure: boolean;
  /** hosts.toml `dial_timeout`, in milliseconds. */
  connectTimeout?: number;
  /** Where this endpoint comes from: a file and its entry, or `default`. */
  source: string;
}

/** HostsPlan: the endpoints for one operation on one reference, mirrors first, the server last. */
export interface HostsPlan {
  /** The registry and repository after a registries.conf `location` rewrite (as asked when none). */
  registry: string;
  repository: string;
  endpoints: HostEndpoint[];
  /** The configuration files that had a part in the plan. */
  files: string[];
}
