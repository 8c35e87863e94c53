// Opens each HTML edition given on the command line in Debian's Chromium, headless, with
// a fresh profile and no network: screenshots at 1280 px, 360 px and at 200 % zoom (640
// CSS px on a 1280 px window), a reflow check (no sideways scrolling of the page at
// 320 px; wide tables scroll inside their own box), and axe-core's WCAG 2.1 A and AA
// rules, which must find no violation. Any request to a host is refused and fails the
// check: a page must need nothing but itself.
//
// Usage: node check.mjs SHOTS_DIR PAGE.html...
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const [shots, ...pages] = process.argv.slice(2);
if (!shots || pages.length === 0) {
  console.error("usage: node check.mjs SHOTS_DIR PAGE.html...");
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const args = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const VIEWS = [
  { name: "1280", width: 1280, height: 900, scale: 1 },
  { name: "360", width: 360, height: 740, scale: 2 },
  { name: "zoom200", width: 640, height: 450, scale: 2 },
];

let failures = 0;
const fail = (msg) => { failures += 1; console.error(`browser-check: FAIL ${msg}`); };

for (const page of pages) {
  const name = basename(page, ".html");
  const url = pathToFileURL(resolve(page)).href;
  for (const view of VIEWS) {
    const profile = mkdtempSync(join(tmpdir(), "bsb-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath, args, headless: true,
      viewport: { width: view.width, height: view.height }, deviceScaleFactor: view.scale,
    });
    try {
      const tab = context.pages()[0] ?? (await context.newPage());
      const outside = [];
      await tab.route("**/*", (route) => {
        const u = route.request().url();
        if (u === url || u.startsWith("data:")) return route.continue();
        outside.push(u);
        return route.abort();
      });
      await tab.goto(url, { waitUntil: "load" });
      if (outside.length) fail(`${name}: the page asked for ${outside.join(", ")}`);
      await tab.screenshot({ path: join(shots, `${name}-${view.name}-top.png`) });
      for (const [what, selector] of [["table", "table"], ["figure", "figure"], ["excerpt", ".excerpt"]]) {
        const el = tab.locator(selector).first();
        if (await el.count()) {
          await el.scrollIntoViewIfNeeded();
          await tab.screenshot({ path: join(shots, `${name}-${view.name}-${what}.png`) });
        }
      }
      const overflow = await tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 1) fail(`${name} at ${view.name}: the page scrolls sideways by ${overflow} px`);
      if (view.name === "1280") {
        await tab.addScriptTag({ path: axePath });
        const result = await tab.evaluate(
          (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] }),
          TAGS);
        for (const v of result.violations) {
          fail(`${name}: axe ${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} element(s), first: ${v.nodes[0]?.target}`);
          for (const n of v.nodes.slice(0, 5)) console.error(`    ${n.target}: ${n.failureSummary?.replace(/\n/g, " ")}`);
        }
        console.log(`browser-check: ${name}: axe-core ${result.testEngine.version}, ${result.violations.length} violation(s) of ${TAGS.join(", ")}`);
      }
      // Reflow (WCAG 1.4.10): at 320 CSS px the page itself never scrolls sideways.
      if (view.name === "360") {
        await tab.setViewportSize({ width: 320, height: 640 });
        const narrow = await tab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (narrow > 1) fail(`${name} at 320 px: the page scrolls sideways by ${narrow} px`);
      }
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
  console.log(`browser-check: ${name}: screenshots in ${shots}`);
}
if (failures) {
  console.error(`browser-check: ${failures} failure(s)`);
  process.exit(1);
}
console.log(`browser-check: ${pages.length} page(s), 0 violations`);
