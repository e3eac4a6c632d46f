import { blockGraphReport } from '../src/graph/block.js';
import { renderGraphHtml } from '../src/report/html.js';
import { keepSections, replaceSection } from '../src/report/markdown.js';
import { renderGraphText } from '../src/report/text.js';
import { diamondTraces, fixtureBlock } from './graph.fixtures.js';

describe('replaceSection (ACCURACY.md is shared)', () => {
  test('replaces only between its markers, keeps everything else', () => {
    const text = '# Accuracy\n\ntable\n\n<!-- parallelism:begin -->\nold\n<!-- parallelism:end -->\n\n## Other\nkept\n';
    const out = replaceSection(text, 'parallelism', 'new\n');
    expect(out).toBe('# Accuracy\n\ntable\n\n<!-- parallelism:begin -->\nnew\n<!-- parallelism:end -->\n\n## Other\nkept\n');
    expect(replaceSection(out, 'parallelism', 'new')).toBe(out);
  });

  test('appends the section when the file has none (or is empty)', () => {
    expect(replaceSection('# A\n', 'parallelism', 'x')).toBe('# A\n\n<!-- parallelism:begin -->\nx\n<!-- parallelism:end -->\n');
    expect(replaceSection('', 'parallelism', 'x')).toBe('<!-- parallelism:begin -->\nx\n<!-- parallelism:end -->\n');
  });
});

describe('keepSections (a writer regenerating the whole file)', () => {
  test('carries over the sections the new text lacks, leaves the ones it has', () => {
    const old = '# old\n\n<!-- parallelism:begin -->\nP\n<!-- parallelism:end -->\n<!-- x:begin -->\nold x\n<!-- x:end -->\n';
    const fresh = '# new\n\n<!-- x:begin -->\nnew x\n<!-- x:end -->\n';
    expect(keepSections(old, fresh)).toBe('# new\n\n<!-- x:begin -->\nnew x\n<!-- x:end -->\n\n<!-- parallelism:begin -->\nP\n<!-- parallelism:end -->\n');
    expect(keepSections('', fresh)).toBe(fresh);
  });
});

describe('graph renderings (fixture: a diamond and two independent transactions)', () => {
  const traces = diamondTraces();
  const d = blockGraphReport({ loaded: fixtureBlock(traces), traces });

  test('text: bound per view, critical path, hot slots', () => {
    const t = renderGraphText(d.report);
    expect(t).toMatch(/^block 1234: 6 txs/);
    expect(t).toMatch(/\* deltas actual 2\.00x \(4 edges, critical path 3 txs/);
    expect(t).toContain('critical path (deltas): 0 > 1 > 3');
    expect(t).toMatch(/hot slots/);
  });

  test('html: self-contained, data inline and escaped, hot-slot table', () => {
    const html = renderGraphHtml(d);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).toContain('<table id="hot-slots">');
    expect((html.match(/<tr class="hot"/g) ?? []).length).toBe(d.report.hotSlots.length);
    const data = /<script type="application\/json" id="graph-data">([^]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(data).edges).toHaveLength(4);
  });
});
