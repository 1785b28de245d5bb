export { parseDockerfile, KNOWN_INSTRUCTIONS } from './parse.js';
export { readDockerfile, readDockerfileFromStream, locateDockerfile, decodeDockerfile } from './source.js';
export { LineIndex } from './positions.js';
export { substitute } from './variables.js';
export * from './types.js';
