// Real-browser test of the browsable API: headless Chromium (Debian's
// package) driven over the DevTools protocol, no npm dependencies.
//   node --experimental-websocket browser_test.mjs LL2D_BINARY FIXTURES_DIR SCREENSHOT_DIR
// Exits 77 (skipped) when Chromium is not installed.
import fs from "node:fs";
import path from "node:path";
import { checker, openBrowser, requireChromium, runLl2d, serve, workspace } from "./devtools.mjs";

const [ll2d, fixtures, shots] = process.argv.slice(2);
const chromium = requireChromium();
const { work, children, done } = workspace("ll2d-browser-");
const run = (args) => runLl2d(ll2d, args);
const golden = fs.readFileSync(path.join(fixtures, "docking_event_609_detailed.json"), "utf8").replace(/\n+$/, "");
// A separate event and docking location (ids are merged, so reuse none).
const evil = golden.replace('"id": 609', '"id": 9999').replace(
  '"docking_location": {\n        "id": 53,\n        "name": "Chang\'e 6"',
  '"docking_location": {\n        "id": 99953,\n        "name": "<img src=x onerror=\\"window.__pwned=1\\"> & \'q\'"');
if (evil.includes('"id": 609') || !evil.includes("99953")) throw new Error("evil fixture not built");
fs.writeFileSync(path.join(work, "evil.json"), evil);
run(["generate", "--events", "120", "--seed", "5", "--out", path.join(work, "gen")]);
run(["import", "--db", path.join(work, "db.sqlite3"), path.join(work, "gen"),
     path.join(fixtures, "docking_event_609_detailed.json"), path.join(work, "evil.json")]);

const base = await serve(ll2d, children, ["--db", path.join(work, "db.sqlite3"), "--no-access-log"]);
const { evaluate, evaluateAsync, loaded, navigate, screenshot, close } =
  await openBrowser(chromium, work, children, shots);
const { check, finish } = checker();

// Detail page: the JSON block is the golden record's text, character for character.
await navigate(`${base}/2.3.0/docking_events/609/?format=api`);
await screenshot("detail.png");
const block = await evaluate("document.getElementById('body').textContent");
check("detail JSON block equals the golden text", block === golden.replaceAll("https://lldev.thespacedevs.com", base),
      block?.slice(0, 200));
check("detail title", (await evaluate("document.title")).startsWith("Docking Event Instance"));
// The page this project started from (LL2's browsable API, as text): the
// request and the response read the same, line for line, and every line of
// its docs is in ours, in order (the seed's text lacks the "Search" heading).
// Skipped where ../shared is not beside the checkout.
const seedFile = path.join(fixtures, "../../../shared/reference/seed-docking-event-609.txt");
if (fs.existsSync(seedFile)) {
  const seed = fs.readFileSync(seedFile, "utf8").replaceAll("https://lldev.thespacedevs.com", base).replace(/\n+$/, "");
  const split = seed.indexOf("GET /2.3.0/docking_events/609/");
  const exchange = await evaluate(`[...document.querySelectorAll('.request-info, .response-info')]
    .map(e => e.innerText.replace(/\\n+$/, "")).join("\\n")`);
  const a = exchange.split("\n"), b = seed.slice(split).split("\n");
  const at = a.findIndex((line, i) => line !== b[i]);
  check("the seed page's request and response, line for line", split > 0 && exchange === seed.slice(split),
        `first difference at line ${at + 1}: ${JSON.stringify(a[at])} vs ${JSON.stringify(b[at])}`);
  const docs = (await evaluate("document.querySelector('.docs').innerText")).split("\n");
  let i = 0;
  // The seed came from LL2's development server; ll2d's help links to production's docs.
  const missing = seed.slice(0, split).replace("lldev.thespacedevs.com/docs", "ll.thespacedevs.com/docs").split("\n").filter((line) => line !== "").find((line) => {
    while (i < docs.length && docs[i] !== line) i++;
    return i++ >= docs.length;
  });
  check("the seed page's docs, line for line", missing === undefined, JSON.stringify(missing));
}
const hrefs = await evaluate("[...document.querySelectorAll('#body a')].map(a => a.href)");
check("every URL in the body is a link that stays in format=api",
      hrefs.length > 20 && hrefs.filter((h) => h.startsWith(base)).every((h) => h.endsWith("?format=api")), hrefs.length);
// Every endpoint is served: every link in the body resolves.
const served = [...new Set(hrefs.filter((h) => h.startsWith(`${base}/2.3.0/`)))];
const servedStatuses = await Promise.all(served.map(async (h) => (await fetch(h)).status));
check("every link in the body resolves", served.length >= 10 && servedStatuses.every((s) => s === 200),
      JSON.stringify(servedStatuses));
const docLinks = await evaluate("[...document.querySelectorAll('.docs a, .breadcrumb a, a.format-json')].map(a => a.href).filter(h => h.startsWith(location.origin))");
const statuses = await Promise.all(docLinks.map(async (h) => (await fetch(h)).status));
check("docs, breadcrumb and format links resolve", docLinks.length >= 7 && statuses.every((s) => s === 200),
      JSON.stringify(statuses));
const cssOk = await evaluate("getComputedStyle(document.querySelector('header')).backgroundColor");
check("stylesheet served by ll2d applies", cssOk === "rgb(27, 42, 65)", cssOk);

// The page as DRF 3.17.1 lays it out: the CSRF configuration as a JSON script tag.
const csrf = await evaluate("JSON.parse(document.getElementById('drf_csrf').textContent)");
check("DRF's CSRF configuration is a JSON script tag", csrf?.csrfHeaderName === "X-CSRFTOKEN", JSON.stringify(csrf));

// A list with many filters (launches: 96) shows its first result in the first
// screen: the filters wait in a modal behind the "Filters" button.
await navigate(`${base}/2.3.0/launches/?format=api`);
await screenshot("launches.png");
const firstResult = await evaluate(`(() => {
  const code = document.getElementById('body');
  const text = code.textContent;
  const at = text.indexOf('"id"', text.indexOf('"results"'));
  const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
  let seen = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (seen + n.length > at) {
      const range = document.createRange();
      range.setStart(n, at - seen);
      range.setEnd(n, at - seen + 4);
      return {top: range.getBoundingClientRect().top, height: innerHeight};
    }
    seen += n.length;
  }
  return null;
})()`);
check("a list's first result is in the first screen", firstResult && firstResult.top > 0 && firstResult.top < firstResult.height,
      JSON.stringify(firstResult));
check("the filters are hidden until asked for",
      (await evaluate("document.getElementById('filtersModal').open")) === false &&
      (await evaluate("document.querySelector('form.filters').getBoundingClientRect().height")) === 0);
await evaluate("document.querySelector('[data-target=\"#filtersModal\"]').click()");
check("the Filters button opens the modal with the filter form",
      (await evaluate("document.getElementById('filtersModal').open")) === true &&
      (await evaluate("document.querySelector('form.filters [name=is_crewed]').getBoundingClientRect().height")) > 0);
await screenshot("launches-filters.png");
await evaluate("document.querySelector('#filtersModal [data-dismiss=modal]').click()");
check("its close button closes it", (await evaluate("document.getElementById('filtersModal').open")) === false);

// List page: the filter form submits as a GET with the documented parameters.
await navigate(`${base}/2.3.0/docking_events/?format=api`);
await screenshot("list.png");
check("list title", (await evaluate("document.title")).startsWith("Docking Event List"));
const submitted = loaded();
await evaluate("document.querySelector('[data-target=\"#filtersModal\"]').click()");
await evaluate(`(() => {
  const f = document.querySelector('form.filters');
  f.querySelector('[name=search]').value = 'port';
  f.querySelector('[name=ordering]').value = '-docking';
  f.querySelector('[name=limit]').value = '5';
  f.querySelector('button[type=submit]').click();
})()`);
await submitted;
const query = new URLSearchParams(await evaluate("location.search"));
check("filter form submits the documented parameters",
      query.get("format") === "api" && query.get("search") === "port" && query.get("ordering") === "-docking" &&
      query.get("limit") === "5", query.toString());
const shown = JSON.parse(await evaluate("document.getElementById('body').textContent"));
const api = await (await fetch(`${base}/2.3.0/docking_events/?format=json&search=port&ordering=-docking&limit=5`)).json();
check("the filtered page shows what the JSON API answers",
      shown.count === api.count && shown.count > 5 && JSON.stringify(shown.results.map((r) => r.id)) === JSON.stringify(api.results.map((r) => r.id)),
      `${shown.count} vs ${api.count}`);

// Paginator: clicking "Next" moves the offset.
const paged = loaded();
await evaluate("[...document.querySelectorAll('nav.pager a')].find(a => a.textContent.includes('Next')).click()");
await paged;
const after = new URLSearchParams(await evaluate("location.search"));
const second = JSON.parse(await evaluate("document.getElementById('body').textContent"));
const api2 = await (await fetch(`${base}/2.3.0/docking_events/?format=json&search=port&ordering=-docking&limit=5&offset=5`)).json();
check("paginator Next goes to offset 5 of the same query",
      after.get("offset") === "5" && after.get("search") === "port" &&
      JSON.stringify(second.results.map((r) => r.id)) === JSON.stringify(api2.results.map((r) => r.id)), after.toString());
await screenshot("list-page-2.png");

// Data cannot inject markup.
await navigate(`${base}/2.3.0/docking_events/9999/?format=api`);
check("data strings are not markup", (await evaluate("window.__pwned")) === undefined &&
      (await evaluate("document.querySelectorAll('#body img').length")) === 0 &&
      (await evaluate("document.getElementById('body').textContent")).includes('<img src=x onerror=\\"window.__pwned=1\\"> & \'q\''));

// A page from another origin (a second loopback server) reads ll2d with
// fetch(): the browser accepts the response only with CORS headers, and a
// request with an API key (Authorization) passes its preflight too.
const { createServer } = await import("node:http");
const other = createServer((req, res) => {
  res.writeHead(200, { "Content-Type": "text/html" });
  res.end("<!doctype html><title>countdown</title><p>another origin</p>");
});
await new Promise((resolve) => other.listen(0, "127.0.0.1", resolve));
const otherOrigin = `http://localhost:${other.address().port}`;  // host differs: another origin
await navigate(`${otherOrigin}/`);
const crossPlain = await evaluateAsync(`fetch("${base}/2.3.0/docking_events/?limit=2").then(r => r.json()).then(j => j.count).catch(e => "blocked: " + e)`);
check("a page from another origin reads the API with fetch()", typeof crossPlain === "number" && crossPlain > 0, String(crossPlain));
const crossKey = await evaluateAsync(`fetch("${base}/2.3.0/launches/?limit=1", {headers: {Authorization: "Token 0123456789abcdef"}}).then(r => r.json()).then(j => j.count).catch(e => "blocked: " + e)`);
check("with an API key too (a preflighted request)", typeof crossKey === "number" && crossKey > 0, String(crossKey));
other.close();

const status = finish();
done();
close();
process.exit(status);
