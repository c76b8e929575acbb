// The scratch app of the embedding suite (scripts/embedding.sh), importing dockwire as an ES module.
import * as dockwire from 'dockwire';
import scenario from './scenario.mjs';

await scenario(dockwire);
