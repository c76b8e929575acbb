// `dockwire/client`: the client and the errors, and nothing else to load. The same classes as
// `dockwire`'s (one copy of each in a program, whichever it names). For a program that starts
// often and imports it as an ES module: an import of `dockwire` gives the importer every name the
// package exports, each with its value, so every module of the library is loaded and evaluated;
// from here, only the client's are until `docker.images` is first used. Types (`Image`, `BuildOptions`, …)
// come from `import type { … } from 'dockwire'`, which loads nothing.
export { Docker, type DockerOptions, type VersionInfo } from './client.js';
export * from './errors.js';
