// One contender listing a saved image's merged filesystem, in its own process (its peak RSS is
// its own): openImageArchive over the archive's path (read at offsets), or over a stream of it
// (spooled to a temporary folder). Prints {"ms": …, "files": …}.
import { createReadStream } from 'node:fs';

const [how, archivePath] = process.argv.slice(2);
const { openImageArchive } = await import('../../dist/index.js');
const started = performance.now();
const archive = await openImageArchive(how === 'stream' ? createReadStream(archivePath) : archivePath);
let files = 0;
for await (const _ of archive.files()) files++;
await archive.close();
console.log(JSON.stringify({ ms: performance.now() - started, files }));
