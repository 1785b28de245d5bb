export { KNOWN_INSTRUCTIONS, parseDockerfile } from './parse.js';
export { LineIndex } from './positions.js';
export { decodeDockerfile, locateDockerfile, readDockerfile, readDockerfileFromStream } from './source.js';
export * from './types.js';
export { substitute } from './variables.js';
