// The scratch app as a CommonJS program: require('dockwire') (Node's require of an ES module).
const dockwire = require('dockwire');
const { default: scenario } = require('./scenario.mjs');

scenario(dockwire).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
