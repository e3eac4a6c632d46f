/** Marked sections of shared Markdown files (ACCURACY.md): each writer replaces only its own section. */

export const section = (name: string) => ({ begin: `<!-- ${name}:begin -->`, end: `<!-- ${name}:end -->` });

/** Replaces the section `name` of `text` with `body`, or appends it when the markers are absent. */
export function replaceSection(text: string, name: string, body: string): string {
  const { begin, end } = section(name);
  const block = `${begin}\n${body.trim()}\n${end}`;
  const b = text.indexOf(begin);
  const e = text.indexOf(end, b + begin.length);
  if (b >= 0 && e > b) return text.slice(0, b) + block + text.slice(e + end.length);
  return (text.trim() ? text.trimEnd() + '\n\n' : '') + block + '\n';
}

/**
 * For a writer that regenerates a whole file (verify --markdown): every marked section of `old` that `fresh` lacks is
 * carried over (appended), so sections other commands maintain survive.
 */
export function keepSections(old: string, fresh: string): string {
  let out = fresh;
  const re = /<!-- ([\w-]+):begin -->\n?([^]*?)\n?<!-- \1:end -->/g;
  for (const m of old.matchAll(re)) {
    const name = m[1]!;
    if (out.includes(section(name).begin)) continue;
    out = replaceSection(out, name, m[2]!);
  }
  return out;
}
