// The few promise-returning file calls the library needs, made from node:fs's callback forms:
// importing node:fs/promises costs every cold start ~1 MB and a few ms, for two functions.
import { readFile as readFileCallback, stat as statCallback } from 'node:fs';
import { promisify } from 'node:util';

export const readFile = promisify(readFileCallback);
export const stat = promisify(statCallback);
