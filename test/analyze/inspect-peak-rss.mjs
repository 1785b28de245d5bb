// Child process of tree-memory.test.ts: runs the built `pare inspect` on the
// docker-archive given and prints `rss EXIT BYTES` to stderr. The peak is
// VmHWM from /proc/self/status where there is one: Linux carries getrusage's
// maxrss over fork and exec, so a child of a large process would report its
// parent's peak; elsewhere process.resourceUsage().maxRSS.
import { readFileSync } from 'node:fs';

const [loader, archive] = process.argv.slice(2);
const { loadCli } = await import(loader);
const code = await loadCli().cli.main(['inspect', `docker-archive:${archive}`, '--format', 'json']);
let peak = process.resourceUsage().maxRSS * 1024;
try {
  const hwm = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (hwm) peak = Number(hwm[1]) * 1024;
} catch {
  // Not Linux: maxRSS it is.
}
process.stderr.write(`\nrss ${code} ${peak}\n`);
