/**
 * The HTML report's data: safe embedding of hostile path names.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, inlineScript, jsonForScript } from '../../src/report/html/escape.js';

describe('escaping', () => {
  const hostile = ['</script><script>alert(1)</script>', '"quoted\' & <!-- x', '\ud800lone', 'line\u2028sep'];

  it('embeds hostile strings as inert JSON that round-trips', () => {
    const text = jsonForScript({ paths: hostile });
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text).not.toMatch(/[\ud800-\udfff]/);
    expect(JSON.parse(text)).toEqual({ paths: hostile });
  });

  it('escapes HTML text and inline scripts', () => {
    expect(escapeHtml('<a href="x">\'&')).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
    expect(inlineScript('var s="</script>";<!--')).toBe('var s="<\\/script>";<\\!--');
  });
});
