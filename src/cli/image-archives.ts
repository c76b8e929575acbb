// save and load: the engine's images as a tar archive (a file, or standard output and input).
import { close as closeFile, createReadStream, open as openFile, write as writeFile } from 'node:fs';
import { promisify } from 'node:util';
import { loadImages, saveImages } from '../api.js';
import { one } from './args.js';
import { f, need, refuseTerminal, type Family } from './command.js';
import { ByteSpinner } from './view.js';

/** `chunks`, each counted on `spinner` as it passes. */
async function* counted(chunks: AsyncIterable<Uint8Array>, spinner: ByteSpinner): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    spinner.add(chunk.length);
    yield chunk;
  }
}

export const imageArchives: Family = {
  title: 'Image archives',
  commands: {
    save: {
      usage: 'save [-o FILE] IMAGE...',
      summary: 'Write images to a tar archive (standard output by default)',
      flags: { output: f(['-o', '--output'], true) },
      async run(docker, args, io) {
        const names = need(args, 1, 'IMAGE');
        const output = one(args, 'output');
        refuseTerminal(output, io);
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
              for (let at = 0; at < chunk.length;) at += (await write(fd, chunk, at, chunk.length - at)).bytesWritten;
            }
          } finally {
            if (fd !== undefined) await close(fd);
          }
        } else await io.out.writeAll(counted(saveImages(docker, names), spinner));
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
        const { log } = await loadImages(docker, counted(input ? createReadStream(input) : io.stdin, spinner));
        spinner.done();
        // the engine's own lines, as docker load prints them (an image's first tag may be another name)
        for (const event of log)
          if (event.stream?.startsWith('Loaded image'))
            io.out.write(event.stream.endsWith('\n') ? event.stream : `${event.stream}\n`);
      },
    },
  },
};
