// A host configuration file's TOML (hosts.toml, registries.conf), apart from hosts/files.ts so that
// the TOML parser is loaded with the modules that read those files, on a registry's first request.
import { ConfigError } from '../errors.js';
import { parseToml, type TomlTable } from '../toml/parse.js';

/** A TOML file's root table; a fault is a ConfigError naming the file, with its line and column. */
export function parseTomlFile(bytes: Uint8Array, file: string): TomlTable {
  try {
    return parseToml(bytes);
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(error.reason, { file, line: error.line, column: error.column }, { cause: error });
    throw error;
  }
}
