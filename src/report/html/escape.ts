/**
 * Safe embedding of image-derived data in the report. JSON goes into a
 * `<script type="application/json">` element, where the only way out is
 * `</script` (or `<!--`): escaping every `<` (and `>`, `&`, U+2028/2029 for
 * good measure) as a JSON unicode escape makes the text inert. Lone
 * surrogates are already written as `\udXXX` escapes by JSON.stringify.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** Makes third-party script text safe to inline in a `<script>` element. */
export function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
