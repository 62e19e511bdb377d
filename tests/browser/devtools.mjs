// What the browser tests share: headless Chromium (Debian's package) driven
// over the DevTools protocol with node's own WebSocket, no npm dependencies;
// ll2d run as a child; a temporary directory removed at exit.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// Exits 77 (skipped) when Chromium or node's WebSocket is not there.
export function requireChromium() {
  const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
  if (!chromium || typeof WebSocket === "undefined") {
    console.log("chromium or WebSocket not available: skipped");
    process.exit(77);
  }
  return chromium;
}

// A temporary directory and the children to kill when the test exits, and
// a time limit on the whole test.
export function workspace(prefix, limitMs = 240_000) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const children = [];
  process.on("exit", () => {
    for (const c of children) c.kill("SIGKILL");
    try {
      // Chromium may still be flushing its profile for a moment after the kill.
      fs.rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    } catch (e) {
      console.log(`note: could not remove ${work}: ${e.code}`);
    }
  });
  const deadline = setTimeout(() => {
    console.log("browser test timed out");
    process.exit(1);
  }, limitMs);
  return { work, children, done: () => clearTimeout(deadline) };
}

// Runs `ll2d args...` to completion; throws when it fails.
export function runLl2d(ll2d, args) {
  const r = spawnSync(ll2d, args, { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`ll2d ${args.join(" ")} failed: ${r.stderr}`);
  return r;
}

// The first match of `pattern` in what a child prints.
export const lineFrom = (child, pattern) => new Promise((resolve, reject) => {
  let text = "";
  const onData = (d) => {
    text += d.toString();
    const m = text.match(pattern);
    if (m) resolve(m);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  child.on("exit", (code) => reject(new Error(`exited ${code}: ${text}`)));
});

// `ll2d serve` on `port` (0: an ephemeral one); resolves to its base URL and
// the process.
export async function serve(ll2d, children, args, port = 0) {
  const server = spawn(ll2d, ["serve", ...args, "--port", String(port)]);
  children.push(server);
  const bound = (await lineFrom(server, /http:\/\/127\.0\.0\.1:(\d+)\//))[1];
  return `http://127.0.0.1:${bound}`;
}

// Chromium with one page, and the DevTools calls the tests make on it.
export async function openBrowser(chromium, work, children, shots) {
  const browser = spawn(chromium, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync", "--disable-quic", `--user-data-dir=${path.join(work, "profile")}`,
    "--remote-debugging-port=0", "--window-size=1280,1600", "about:blank",
  ]);
  children.push(browser);
  const wsUrl = (await lineFrom(browser, /DevTools listening on (ws:\/\/\S+)/))[1];
  const targets = await (await fetch(wsUrl.replace("ws://", "http://").replace(/\/devtools\/browser\/.*/, "/json/list"))).json();
  const page = targets.find((t) => t.type === "page");

  const ws = new WebSocket(page.webSocketDebuggerUrl);
  await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
  let nextId = 1;
  const pending = new Map();
  const waiters = [];
  ws.addEventListener("message", (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    } else if (msg.method) {
      for (const w of waiters.filter((w) => w.method === msg.method)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(msg.params);
      }
    }
  });
  const send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, (msg) => (msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result)));
    ws.send(JSON.stringify({ id, method, params }));
  });
  const next = (method) => new Promise((resolve) => waiters.push({ method, resolve }));
  const evaluate = async (expression) => (await send("Runtime.evaluate", { expression, returnByValue: true })).result.value;
  const evaluateAsync = async (expression) =>
    (await send("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true })).result.value;
  const loaded = () => next("Page.loadEventFired");
  const navigate = async (url) => {
    const done = loaded();
    await send("Page.navigate", { url });
    await done;
  };
  fs.mkdirSync(shots, { recursive: true });
  const screenshot = async (name) => {
    const { data } = await send("Page.captureScreenshot", { format: "png" });
    fs.writeFileSync(path.join(shots, name), Buffer.from(data, "base64"));
  };
  await send("Page.enable");
  await send("Runtime.enable");
  return { send, next, evaluate, evaluateAsync, loaded, navigate, screenshot, close: () => ws.close() };
}

// ok/FAIL lines and the totals.
export function checker() {
  let passed = 0;
  let failed = 0;
  const check = (name, ok, detail = "") => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? "ok  " : "FAIL"} ${name}${ok ? "" : " " + detail}`);
  };
  const finish = () => {
    console.log(`${passed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
  };
  return { check, finish };
}
