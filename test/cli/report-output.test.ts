import { describe, expect, it } from 'vitest';
import { htmlPageOnTerminal, planReport } from '../../src/cli/report-output.js';

const FORMATS = ['text', 'json', 'html'];

describe('where a report goes', () => {
  it.each([
    ['--format alone: stdout', { format: 'json' }, { format: 'json' }],
    ['nothing: text on stdout', {}, { format: 'text' }],
    ['--report by extension', { report: 'r.html' }, { format: 'html', file: 'r.html' }],
    ['--report, unknown extension: json', { report: 'r.txt' }, { format: 'json', file: 'r.txt' }],
    [
      '--report, an extension the command lacks: json',
      { report: 'r.sarif' },
      { format: 'json', file: 'r.sarif' },
    ],
    ['--format over the extension', { format: 'html', report: 'r.json' }, { format: 'html', file: 'r.json' }],
  ])('%s', (_name, options, plan) => {
    expect(planReport(options, FORMATS)).toEqual(plan);
  });

  it('an HTML page meant for a terminal goes to the default file instead', () => {
    expect(htmlPageOnTerminal({ format: 'html' }, { isTTY: true }, 'page.html')).toEqual({
      format: 'html',
      file: 'page.html',
    });
    expect(htmlPageOnTerminal({ format: 'html' }, { isTTY: false }, 'page.html')).toEqual({ format: 'html' });
    expect(htmlPageOnTerminal({ format: 'json' }, { isTTY: true }, 'page.html')).toEqual({ format: 'json' });
  });
});
