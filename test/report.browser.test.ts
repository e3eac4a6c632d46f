/**
 * The graph page in a real headless browser (Debian's chromium; `.ci/run` installs it): the edges and the critical
 * path exist only once the page's inline script has run, so finding them in the dumped DOM proves the page renders
 * offline from file://. A missing chromium fails this test: it is not optional.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockGraphReport } from '../src/graph/block.js';
import { renderGraphHtml } from '../src/report/html.js';
import { diamondTraces, fixtureBlock } from './graph.fixtures.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

function chromium(args: string[]): string {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install -y --no-install-recommends chromium; .ci/run does it)');
  const profile = mkdtempSync(join(tmpdir(), 'prescient-chromium-'));
  try {
    return execFileSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
        `--user-data-dir=${profile}`,
        ...args,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('graph page in headless chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prescient-page-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the inline script draws the edges and fills the critical path', () => {
    const traces = diamondTraces();
    const d = blockGraphReport({ loaded: fixtureBlock(traces), traces });
    const html = renderGraphHtml(d);
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    expect(html).not.toMatch(/<path[^>]*class="edge/);

    const dom = chromium(['--virtual-time-budget=5000', '--dump-dom', `file://${file}`]);
    expect(dom).toContain('data-rendered="1"');
    const graph = dom.slice(dom.indexOf('id="graph"'));
    const edges = graph.match(/<path[^>]*class="edge[^"]*"/g) ?? [];
    expect(edges.length).toBe(d.actual!.edges.length);
    expect(edges.filter((e) => /class="edge[^"]*\bcp\b/.test(e)).length).toBe(d.criticalPath.edges.length);
    expect(graph.match(/<circle/g)?.length).toBe(traces.length);
    const cp = /<div id="critical-path"[^>]*>([^<]*)<\/div>/.exec(dom);
    expect(cp?.[1]).toBe('tx 0  &gt;  tx 1  &gt;  tx 3');
  });

  test('a screenshot has the drawing in it', () => {
    const traces = diamondTraces();
    const file = join(dir, 'shot.html');
    writeFileSync(file, renderGraphHtml(blockGraphReport({ loaded: fixtureBlock(traces), traces })));
    const png = join(dir, 'shot.png');
    chromium([`--screenshot=${png}`, '--window-size=1400,1000', `file://${file}`]);
    expect(existsSync(png)).toBe(true);
  });
});
