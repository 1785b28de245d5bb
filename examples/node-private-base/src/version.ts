import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// package.json sits one directory above src/ and dist/ alike.
const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

export const SERVICE = pkg.name;
export const VERSION = pkg.version;
