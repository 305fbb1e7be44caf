// Text and data into HTML: every string the page shows goes through `escape`; the data the inline
// script reads goes through `scriptJson`.

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** JSON inside <script type="application/json">: no `<` may appear, or an op named '</script>' would end it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
