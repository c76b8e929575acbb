// Reads a progress stream to its end: decodes JSON lines, hands each event on (awaiting the
// listener, so a slow listener slows the socket), and turns an error line into a StreamError that
// carries the log so far. By default the log keeps status lines, not every byte-count tick, so it
// stays small.
import { ProtocolError, StreamError } from '../errors.js';
import { JsonLinesDecoder } from './json-lines.js';
import { streamErrorOf, type ProgressEvent } from './events.js';

const MAX_LOG = 1000;

export async function readProgress(
  body: AsyncIterable<Uint8Array>,
  onEvent: (event: ProgressEvent) => Promise<void> | undefined,
  options: { keep?: 'all' | 'status' | 'none' } = {},
): Promise<ProgressEvent[]> {
  const decoder = new JsonLinesDecoder();
  const log: ProgressEvent[] = [];
  for await (const chunk of body) {
    for (const value of decoder.push(chunk)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ProtocolError(
          `progress stream: a line that is not a JSON object (${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value})`,
        );
      }
      const event = value as ProgressEvent;
      const error = streamErrorOf(event);
      if (error) {
        log.push(event);
        error.log = log;
        throw error;
      }
      const keep = options.keep ?? 'status';
      if (keep === 'all' || (keep === 'status' && event.progressDetail?.current === undefined)) {
        log.push(event);
        if (keep === 'status' && log.length > MAX_LOG) log.shift();
      }
      const waiting = onEvent(event);
      if (waiting) await waiting;
    }
  }
  try {
    decoder.end();
  } catch (error) {
    if (error instanceof StreamError) error.log = log;
    throw error;
  }
  return log;
}
