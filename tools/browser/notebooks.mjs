// notebooks.mjs BASE_URL TOKEN SHOTS_DIR: the notebooks as a user sees
// them in the classic Jupyter notebook (see scripts/browser-test.sh, which
// starts the server): each committed notebook opened untrusted must show
// its tables and figures; then a copy of 02 run with "Run All" must show
// the live learning curve while it trains and its figures at the end.
// Screenshots of every step go to SHOTS_DIR.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [base, token, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

// The least each committed notebook must show, untrusted.
const expected = {
  '00_results.ipynb': { tables: 6, images: 6 },
  '01_mlpconv_and_1x1.ipynb': { tables: 1, images: 1 },
  '02_gap_vs_fc.ipynb': { tables: 6, images: 10 },
  '03_mlpconv_vs_conv.ipynb': { tables: 2, images: 4 },
  '04_bottlenecks.ipynb': { tables: 2, images: 2 },
  '05_gap_properties.ipynb': { tables: 3, images: 6 },
};

const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });

// shot saves a screenshot of the whole notebook: the classic notebook
// scrolls inside #site, so it is unrolled first.
async function shot(path) {
  await page.evaluate(() => {
    const site = document.getElementById('site');
    if (site) { site.style.height = 'auto'; site.style.overflow = 'visible'; }
    document.body.style.overflow = 'visible';
  });
  await page.screenshot({ path, fullPage: true });
}

async function open(name) {
  await page.goto(`${base}/notebooks/notebooks/${name}?token=${token}`);
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded, null, { timeout: 60000 });
}

// What the output areas show: tables, images, and SVG or Markdown left as raw text.
const outputs = () => page.evaluate(() => {
  const areas = [...document.querySelectorAll('.output_area')];
  const text = areas.map(a => a.innerText).join('\n');
  return {
    tables: document.querySelectorAll('.output_area table').length,
    images: [...document.querySelectorAll('.output_area img')].filter(i => i.naturalWidth > 0).length,
    rawSVG: /<svg|<\?xml/.test(text),
    // Output areas collapsed into a scroll box (the classic notebook does
    // it to tall outputs unless a cell's metadata says scrolled: false).
    scrolled: document.querySelectorAll('.output_scroll').length,
    rawTable: /^\|[-|]+\|$/m.test(text) && document.querySelectorAll('.output_area table').length === 0,
    // Failures: error outputs, and stderr that is not the go command's
    // module messages (the first cell's go get prints those there).
    errors: [...document.querySelectorAll('.output_error, .output_stderr')].map(e => e.innerText)
      .filter(t => !/^(go: (added|downloading|finding|upgraded) .*\n?)+$/.test(t.trim() + '\n')),
  };
});

for (const [name, want] of Object.entries(expected)) {
  await open(name);
  const trust = await page.evaluate(() => document.querySelector('#notification_trusted')?.innerText || '');
  const got = await outputs();
  await shot(`${shots}/${name.replace('.ipynb', '')}-untrusted.png`);
  check(/Not Trusted/.test(trust), `${name} opens untrusted (${trust.trim()})`);
  check(got.tables >= want.tables, `${name}: ${got.tables} tables visible, at least ${want.tables} expected`);
  check(got.images >= want.images, `${name}: ${got.images} figures visible, at least ${want.images} expected`);
  check(!got.rawSVG, `${name}: no figure shown as raw SVG text`);
  check(got.scrolled === 0, `${name}: ${got.scrolled} outputs collapsed into a scroll box`);
}

// Run All on a copy of 02 at the tiny configuration (the server's
// environment): the live curve while it trains, the figures at the end.
await open('_browser_run.ipynb');
await page.click('#celllink');
await page.click('#run_all_cells');
const live = await page.waitForFunction(() => [...document.querySelectorAll('.output_area')].find(
  a => a.innerText.includes('epoch ETA') && a.querySelector('img')), null, { timeout: 600000 }).catch(() => null);
check(live !== null, 'Run All: the live learning curve appears while training');
if (live) {
  const el = live.asElement();
  await el.scrollIntoViewIfNeeded();
  await el.screenshot({ path: `${shots}/02-live-curve.png` });
  const tops = await el.evaluate(a => [...a.querySelectorAll('img')].map(i => Math.round(i.getBoundingClientRect().top)));
  check(tops.length === 2 && Math.abs(tops[0] - tops[1]) < 4, `Run All: the live loss and accuracy charts side by side (image tops ${tops.join(', ')})`);
}
await page.waitForFunction(() => Jupyter.notebook.get_cells().every(
  c => c.cell_type !== 'code' || (c.input_prompt_number !== '*' && c.input_prompt_number !== null && c.input_prompt_number !== undefined)),
  null, { timeout: 1200000, polling: 2000 });
const done = await outputs();
await shot(`${shots}/02-run-all.png`);
check(done.errors.length === 0, `Run All: no error output (${done.errors.join(' | ').slice(0, 500)})`);
check(done.images >= 8, `Run All: ${done.images} figures at the end, at least 8 expected`);
check(done.tables >= 4, `Run All: ${done.tables} tables at the end, at least 4 expected`);

await browser.close();
if (failures.length) {
  console.log(`${failures.length} browser checks failed; screenshots in ${shots}`);
  process.exit(1);
}
console.log(`every browser check passed; screenshots in ${shots}`);
