// The live page (/ll2d/live/) in headless Chromium: it lists an upcoming
// launch with a ticking countdown, and when another process imports a file
// that moves the launch's NET, or changes its status, the row shows it
// within 2 s through the change stream, without a reload; so does a launch
// a sync deletes, and a change made while the server was down.
//   node --experimental-websocket live_test.mjs LL2D_BINARY FIXTURES_DIR SCREENSHOT_DIR
// Exits 77 (skipped) when Chromium is not installed.
import fs from "node:fs";
import path from "node:path";
import { checker, openBrowser, requireChromium, runLl2d, serve, workspace } from "./devtools.mjs";

const [ll2d, fixtures, shots] = process.argv.slice(2);
const chromium = requireChromium();
const { work, children, done } = workspace("ll2d-live-");
const db = path.join(work, "db.sqlite3");

// The real page of two launches, launch 0 rewritten by `edit` (its NET far
// in the future, so it is upcoming by the server's clock and the browser's
// alike), imported by a separate `ll2d import` process.
const real = JSON.parse(fs.readFileSync(path.join(fixtures, "real/launches-limit2-normal.json"), "utf8"));
const launchId = real.results[0].id;
const evilName = "<img src=x onerror=\"window.__pwned=1\"> Sputnik & 'q'";
let files = 0;
const importEdited = (edit) => {
  const page = structuredClone(real);
  const l = page.results[0];
  l.name = evilName;
  l.net = l.window_start = "2099-01-02T03:04:05Z";
  l.window_end = "2099-01-02T05:04:05Z";
  l.status = { id: 1, name: "Go for Launch", abbrev: "Go", description: "Go for launch." };
  edit(l, page);
  const file = path.join(work, `page-${++files}.json`);
  fs.writeFileSync(file, JSON.stringify(page));
  runLl2d(ll2d, ["import", "--db", db, file]);
};
importEdited(() => {});

const base = await serve(ll2d, children, ["--db", db, "--no-access-log"]);
const { evaluate, navigate, screenshot, close } = await openBrowser(chromium, work, children, shots);
const { check, finish } = checker();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// Polls `expression` until it is truthy or `ms` have passed; its last value.
const waitFor = async (expression, ms) => {
  const until = Date.now() + ms;
  for (;;) {
    const v = await evaluate(expression);
    if (v || Date.now() > until) return v;
    await sleep(50);
  }
};
const row = `document.querySelector('tr[data-id="${launchId}"]')`;
const cell = (name) => evaluate(`${row}?.querySelector('td.${name}')?.textContent`);
// A T− countdown's seconds.
const seconds = (countdown) => {
  const m = /^T\u2212 (\d+)d (\d\d):(\d\d):(\d\d)$/.exec(countdown) ?? [];
  return ((Number(m[1]) * 24 + Number(m[2])) * 60 + Number(m[3])) * 60 + Number(m[4]);
};

await navigate(`${base}/ll2d/live/`);
// Set once: a reload would lose it.
await evaluate("window.__sameDocument = true");
check("the page goes live (its stream opens)", await waitFor("document.getElementById('state').dataset.state === 'live'", 10_000),
      await evaluate("document.getElementById('state').textContent"));
check("the upcoming launch is listed", await waitFor(row, 10_000));
check("its name is text, not markup", (await cell("name")) === evilName &&
      (await evaluate("document.querySelectorAll('#launches img').length")) === 0 &&
      (await evaluate("window.__pwned")) === undefined, await cell("name"));
check("provider and status", (await cell("provider")) === real.results[0].launch_service_provider.name &&
      (await cell("status span.abbrev")) === "Go", `${await cell("provider")} / ${await cell("status span.abbrev")}`);
check("its NET", (await cell("net")) === "2099-01-02 03:04:05", await cell("net"));
const first = await cell("countdown");
check("a T\u2212 countdown", /^T\u2212 \d+d \d\d:\d\d:\d\d$/.test(first), first);
const ticked = await waitFor(`${row}.querySelector('td.countdown').textContent !== ${JSON.stringify(first)}`, 5_000);
check("the countdown ticks", ticked, first);
await screenshot("live.png");

// The NET moves by 61 days: imported by another process, the row follows.
const before = await cell("countdown");
importEdited((l) => {
  l.net = l.window_start = "2099-03-04T05:06:07Z";
  l.window_end = "2099-03-04T07:06:07Z";
});
const moved = await waitFor(`${row}?.querySelector('td.net').textContent === "2099-03-04 05:06:07"`, 2_000);
check("a moved NET is shown within 2 s", moved, await cell("net"));
const after = await cell("countdown");
// 61 days, 2:02:02 later, less the seconds that passed meanwhile (well under a minute).
const later = seconds(after) - seconds(before) - (((61 * 24 + 2) * 60 + 2) * 60 + 2);
check("and its countdown with it", later <= 1 && later > -60, `${before} -> ${after}`);
const windowTitle = await evaluate(`${row}.querySelector('td.net').title`);
check("and its window", windowTitle === "window 2099-03-04 05:06:07 to 2099-03-04 07:06:07", windowTitle);

// The status changes (Go -> TBC) and the webcast goes live.
importEdited((l) => {
  l.webcast_live = true;
  l.net = l.window_start = "2099-03-04T05:06:07Z";
  l.window_end = "2099-03-04T07:06:07Z";
  l.status = { id: 8, name: "To Be Confirmed", abbrev: "TBC", description: "Awaiting official confirmation." };
});
check("a status change is shown within 2 s",
      await waitFor(`${row}?.querySelector('td.status span.abbrev').textContent === "TBC"`, 2_000),
      await cell("status span.abbrev"));
check("and the live webcast", (await evaluate(`${row}.dataset.webcastLive`)) === "true" &&
      (await evaluate(`getComputedStyle(${row}.querySelector('.webcast')).display`)) !== "none");
check("without a reload", (await evaluate("window.__sameDocument")) === true);
await screenshot("live-updated.png");

// A new launch, sooner: the list is read again and shows it first.
const newId = "0d5b1c9e-2a4f-4c1e-9a77-1f1e2d3c4b5a";
importEdited((l, page) => {
  l.webcast_live = true;
  l.net = l.window_start = "2099-03-04T05:06:07Z";
  l.window_end = "2099-03-04T07:06:07Z";
  l.status = { id: 8, name: "To Be Confirmed", abbrev: "TBC", description: "Awaiting official confirmation." };
  Object.assign(page.results[1], { id: newId, name: "A new launch", net: "2098-06-01T00:00:00Z",
                                   window_start: "2098-06-01T00:00:00Z", window_end: "2098-06-01T00:00:00Z" });
});
check("a created launch is listed within 2 s, in NET order",
      await waitFor(`[...document.querySelectorAll('#launches tr')].map(r => r.dataset.id).join() === "${newId},${launchId}"`, 2_000),
      await evaluate("[...document.querySelectorAll('#launches tr')].map(r => r.dataset.id).join()"));
check("still without a reload", (await evaluate("window.__sameDocument")) === true);

// The server goes away: the indicator says so. A change made meanwhile
// shows once it is back on the same port (the browser resumes the stream
// from the last entry it had, with Last-Event-ID).
children[0].kill("SIGKILL");
check("a lost stream shows as reconnecting",
      await waitFor("document.getElementById('state').dataset.state === 'reconnecting'", 10_000),
      await evaluate("document.getElementById('state').dataset.state"));
importEdited((l, page) => {
  l.webcast_live = true;
  l.net = l.window_start = "2099-03-04T05:06:07Z";
  l.window_end = "2099-03-04T07:06:07Z";
  l.status = { id: 5, name: "On Hold", abbrev: "Hold", description: "Paused." };
  Object.assign(page.results[1], { id: newId, name: "A new launch", net: "2098-06-01T00:00:00Z",
                                   window_start: "2098-06-01T00:00:00Z", window_end: "2098-06-01T00:00:00Z" });
});
await serve(ll2d, children, ["--db", db, "--no-access-log"], new URL(base).port);
check("back live when the server is",
      await waitFor("document.getElementById('state').dataset.state === 'live'", 15_000),
      await evaluate("document.getElementById('state').dataset.state"));
check("with what changed while it was away",
      await waitFor(`${row}?.querySelector('td.status span.abbrev').textContent === "Hold"`, 5_000),
      await cell("status span.abbrev"));
check("all along without a reload", (await evaluate("window.__sameDocument")) === true);

// A launch deleted upstream leaves the page: a mirror (ll2d sync) of an
// upstream that holds launch 0 alone deletes the others at its re-walk.
const upDb = path.join(work, "upstream.sqlite3");
const onlyFirst = JSON.parse(fs.readFileSync(path.join(work, `page-${files}.json`), "utf8"));
onlyFirst.results.splice(1);
onlyFirst.count = 1;
fs.writeFileSync(path.join(work, "upstream.json"), JSON.stringify(onlyFirst));
runLl2d(ll2d, ["import", "--db", upDb, path.join(work, "upstream.json")]);
const upstream = await serve(ll2d, children, ["--db", upDb, "--no-access-log"]);
const sync = (extra) => runLl2d(ll2d, ["sync", "--db", db, "--upstream", `${upstream}/2.3.0/`, "--calls", "100/1s", "--once", ...extra]);
sync([]);
sync(["--refresh-every", "0s", "--rewalk-every", "0s"]);
check("a deleted launch leaves the page within 2 s",
      await waitFor(`!document.querySelector('tr[data-id="${newId}"]') && !!${row}`, 2_000),
      await evaluate("[...document.querySelectorAll('#launches tr')].map(r => r.dataset.id).join()"));

const status = finish();
done();
close();
process.exit(status);
