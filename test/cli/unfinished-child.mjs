// Child process of unfinished.test.ts: `pare lint -` reading a stdin that
// never ends and holds nothing open, so the event loop empties with main()
// still waiting, as when a stream fails before anyone listens to it.
import { PassThrough } from 'node:stream';

Object.defineProperty(process, 'stdin', { value: new PassThrough() });
const { main } = await import('../../dist/cli/main.js');
process.exitCode = await main(['lint', '-']);
