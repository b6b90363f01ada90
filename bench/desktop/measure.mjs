// The measuring half of scripts/bench-desktop.sh (issue 3, "Performance"): launches each app N
// times on the current X display and records start-up times and memory. No dependencies beyond
// Node itself: WebDriver is spoken over plain HTTP to tauri-driver (+ WebKitWebDriver), the same
// path as the E2E suite (tests/e2e), and X11 window mapping is watched with `xev`.
//
//   node measure.mjs --runs N --work DIR --out FILE.json
//                    --hello BIN --app BIN [--otpclient BIN]
//
// Expects what bench-desktop.sh prepares: DISPLAY (Xvfb), a private D-Bus session with an
// unlocked gnome-keyring, TWOFOLD_VAULT pointing at a keychain vault of 100 accounts, OTPClient's
// config and database. Prints a table and writes every raw sample to --out.
//
// What each number measures (all times in ms from "launch", the moment a one-line bash wrapper
// records $EPOCHREALTIME right before it `exec`s the binary; all clocks are CLOCK_REALTIME):
//
// * window mapped: the app's top-level X window is mapped (an X MapNotify on the root window,
//   timestamped as xev reports it; no WebDriver attached). For the Tauri apps this happens before
//   the page has painted; for OTPClient (GTK, no web view) it is the main window with its list.
// * page timestamps (under WebDriver): navigation start = performance.timeOrigin; first paint =
//   Paint Timing's first-contentful-paint; for Twofold, first code = the moment the first
//   non-empty [data-testid=code] entered the DOM (a MutationObserver installed through
//   WebDriver), and the start of the next rendering frame (requestAnimationFrame), i.e. the frame
//   that paints it. When the code was already there when the observer was installed, the
//   WebDriver poll time is used instead (an upper bound) and the sample is flagged.
// * seen by WebDriver: when a WebDriver poll (every ~5 ms) first found the element.
// * PSS: the sum of Pss in /proc/PID/smaps_rollup over the app process and all its descendants
//   (WebKitWebProcess, WebKitNetworkProcess, ...), read 2 s after the first code / the hello
//   text was seen (under WebDriver), and 3 s after the window mapped (plain launch, no driver).
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    warmup: { type: "string", default: "1" },
    work: { type: "string" },
    out: { type: "string" },
    hello: { type: "string" },
    app: { type: "string" },
    otpclient: { type: "string" },
  },
});
for (const k of ["work", "out", "hello", "app"]) {
  if (!opts[k]) fail(`--${k} is required`);
}
if (!process.env.DISPLAY) fail("DISPLAY is not set");
const RUNS = Number(opts.runs);
const WARMUP = Number(opts.warmup);
const SETTLE_DRIVER_MS = 2000;
const SETTLE_PLAIN_MS = 3000;
const TIMEOUT_MS = 60_000;

function fail(msg) {
  console.error(`measure: error: ${msg}`);
  process.exit(1);
}
function log(msg) {
  console.error(`measure: ${msg}`);
}

/** Milliseconds since the epoch, sub-millisecond. */
const now = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// The apps

/** A launcher that records "launch" (pid and $EPOCHREALTIME) and execs the binary. */
function wrapper(name, bin) {
  const path = join(opts.work, `launch-${name}.sh`);
  const stamp = join(opts.work, `launch-${name}.stamp`);
  writeFileSync(
    path,
    `#!/bin/bash\nprintf '%s %s\\n' "$$" "$EPOCHREALTIME" > '${stamp}'\nexec '${bin}' "$@"\n`,
  );
  chmodSync(path, 0o755);
  return { path, stamp };
}

const apps = [
  {
    id: "hello",
    label: "bare Tauri",
    title: "hello",
    // The one-line page's text: it is in the HTML, so it is there at first paint.
    selector: "#hello",
    driver: true,
    ...wrapper("hello", opts.hello),
  },
  {
    id: "twofold",
    label: "Twofold",
    title: "Twofold",
    // A code row whose code has arrived (AccountRow marks a row without a code `.empty`).
    selector: '[data-testid="code"]:not(.empty)',
    driver: true,
    ...wrapper("twofold", opts.app),
  },
];
if (opts.otpclient) {
  apps.push({
    id: "otpclient",
    label: "OTPClient",
    title: "OTPClient",
    driver: false,
    ...wrapper("otpclient", opts.otpclient),
  });
}

/** Waits for the launcher's stamp: { pid, t } (t in epoch ms). */
async function readStamp(app, timeout = TIMEOUT_MS) {
  const deadline = now() + timeout;
  while (now() < deadline) {
    if (existsSync(app.stamp)) {
      const text = readFileSync(app.stamp, "utf8").trim();
      const m = /^(\d+) (\d+)[.,](\d+)$/.exec(text);
      if (m) return { pid: Number(m[1]), t: Number(m[2]) * 1000 + Number(`0.${m[3]}`) * 1000 };
    }
    await sleep(5);
  }
  throw new Error(`${app.id}: the launcher did not start within ${timeout} ms`);
}

// ---------------------------------------------------------------------------------------------
// Processes and memory

/** pid → { ppid, comm } for every process we can read. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const ppid = Number(stat.slice(close + 2).split(" ")[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {
      // gone
    }
  }
  return table;
}

/** `root` and all its descendants. */
function processTree(root) {
  const table = processTable();
  const tree = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift();
    if (!table.has(pid)) continue;
    tree.push({ pid, comm: table.get(pid).comm });
    for (const [child, info] of table) if (info.ppid === pid) queue.push(child);
  }
  return tree;
}

/** PSS of the process tree under `root`, in KiB, with a per-process breakdown. */
function pss(root) {
  const procs = [];
  let total = 0;
  for (const { pid, comm } of processTree(root)) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const kib = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      procs.push({ pid, comm, kib });
      total += kib;
    } catch {
      // gone, or a kernel thread
    }
  }
  if (procs.length === 0) throw new Error(`no process left under pid ${root}`);
  return { kib: total, procs };
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends the tree under `root` (TERM, then KILL) and waits until it is gone. */
async function endTree(root) {
  const pids = processTree(root).map((p) => p.pid);
  for (const signal of ["SIGTERM", "SIGKILL"]) {
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    const deadline = now() + 5000;
    while (now() < deadline && pids.some(alive)) await sleep(50);
    if (!pids.some(alive)) return;
  }
}

// ---------------------------------------------------------------------------------------------
// X11: top-level windows being mapped

class MapWatcher {
  constructor() {
    this.events = [];
    this.pending = null;
    // xev prints "MapNotify event, …" then "    event 0x…, window 0x…, override NO".
    this.proc = spawn("stdbuf", ["-oL", "xev", "-root", "-event", "substructure"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffer = "";
    this.proc.stdout.on("data", (chunk) => {
      const t = now();
      buffer += chunk.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop();
      for (const line of lines) {
        if (line.startsWith("MapNotify event")) {
          this.pending = t;
        } else if (this.pending !== null) {
          const m = /window (0x[0-9a-f]+), override (YES|NO)/.exec(line);
          if (m) this.events.push({ t: this.pending, window: m[1], override: m[2] === "YES" });
          this.pending = null;
        }
      }
    });
  }

  /**
   * The title of the window of map event `e`, asked once it has one and kept on the event: X
   * reuses window ids once a client is gone (every app here gets 0x400003), so names are never
   * cached by id.
   */
  name(e) {
    if (!e.name) {
      try {
        e.name = execFileSync("xdotool", ["getwindowname", e.window], { stdio: ["ignore", "pipe", "ignore"] })
          .toString()
          .trim();
      } catch {
        return null; // gone
      }
    }
    return e.name;
  }

  /** The first non-override-redirect window titled `title` mapped at or after `since`. */
  async waitFor(title, since, timeout = TIMEOUT_MS) {
    const deadline = now() + timeout;
    while (now() < deadline) {
      for (const e of this.events) {
        if (e.t >= since && !e.override && this.name(e) === title) return e;
      }
      await sleep(20);
    }
    const seen = this.events
      .filter((e) => e.t >= since)
      .map((e) => `${e.window} ${JSON.stringify(this.name(e))}${e.override ? " (override)" : ""}`);
    throw new Error(
      `no window titled ${JSON.stringify(title)} was mapped within ${timeout} ms (mapped: ${seen.join(", ") || "none"})`,
    );
  }

  stop() {
    this.proc.kill("SIGTERM");
  }
}

// ---------------------------------------------------------------------------------------------
// WebDriver over HTTP (tauri-driver → WebKitWebDriver)

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

class Driver {
  async start() {
    this.port = await freePort();
    const nativePort = await freePort();
    this.log = "";
    this.proc = spawn("tauri-driver", ["--port", String(this.port), "--native-port", String(nativePort)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (c) => (this.log = (this.log + c.toString()).slice(-8000));
    this.proc.stdout.on("data", keep);
    this.proc.stderr.on("data", keep);
    const deadline = now() + 20_000;
    while (now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`tauri-driver exited: ${this.log}`);
      try {
        await fetch(`http://127.0.0.1:${this.port}/status`);
        return;
      } catch {
        await sleep(100);
      }
    }
    throw new Error(`tauri-driver did not answer within 20 s: ${this.log}`);
  }

  async call(method, path, body) {
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new Error(`WebDriver ${method} ${path}: ${res.status} ${JSON.stringify(json.value ?? json)}`);
    }
    return json.value;
  }

  async newSession(application) {
    const value = await this.call("POST", "/session", {
      capabilities: {
        alwaysMatch: { browserName: "wry", "tauri:options": { application } },
        firstMatch: [{}],
      },
    });
    return value.sessionId;
  }

  execute(session, script, args = []) {
    return this.call("POST", `/session/${session}/execute/sync`, { script, args });
  }

  async deleteSession(session) {
    try {
      await this.call("DELETE", `/session/${session}`);
    } catch {
      // the app may be gone already
    }
  }

  stop() {
    if (this.proc && this.proc.exitCode === null) this.proc.kill("SIGTERM");
  }
}

/**
 * Runs in the page (WebDriver executeScript). The first call installs a MutationObserver that
 * notes when `selector` first matches and the next animation frame after that; every call
 * returns the page's clock, Paint Timing entries and that state.
 */
const PROBE = `
const selector = arguments[0];
let s = window.__twofoldBench;
if (!s) {
  s = window.__twofoldBench = { installedAt: performance.now(), seenAt: null, frameAt: null, already: false };
  const state = s;
  const check = () => {
    if (state.seenAt !== null || !document.querySelector(selector)) return;
    state.seenAt = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => { state.frameAt = performance.now(); });
  };
  const observer = new MutationObserver(check);
  if (document.querySelector(selector)) {
    s.already = true;
    s.seenAt = s.installedAt;
  } else {
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }
}
const nav = performance.getEntriesByType('navigation')[0];
return {
  found: document.querySelector(selector) !== null,
  rows: document.querySelectorAll('[data-testid="code"]').length,
  state: Object.assign({}, s),
  timeOrigin: performance.timeOrigin,
  now: performance.now(),
  paint: performance.getEntriesByType('paint').map((e) => ({ name: e.name, t: e.startTime })),
  nav: nav ? { responseEnd: nav.responseEnd, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd } : null,
  readyState: document.readyState,
};
`;

// ---------------------------------------------------------------------------------------------
// One run of each kind

/** Plain launch, no WebDriver: launch → window mapped; PSS 3 s later. */
async function plainRun(app, watcher) {
  rmSync(app.stamp, { force: true });
  const logPath = join(opts.work, `${app.id}-plain.log`);
  const out = openSync(logPath, "w");
  const child = spawn(app.path, [], { stdio: ["ignore", out, out], detached: true });
  closeSync(out);
  child.unref();
  const stamp = await readStamp(app);
  try {
    const mapped = await watcher.waitFor(app.title, stamp.t - 1).catch((e) => {
      const tail = readFileSync(logPath, "utf8").split("\n").slice(-15).join("\n");
      throw new Error(`${app.id}: ${e.message}; exit code ${child.exitCode}; its output:\n${tail}`);
    });
    await sleep(SETTLE_PLAIN_MS);
    const mem = pss(stamp.pid);
    return { mapped: mapped.t - stamp.t, pssKib: mem.kib, procs: mem.procs };
  } finally {
    await endTree(stamp.pid);
  }
}

/** Under WebDriver: page timestamps and the first code; PSS 2 s after it was seen. */
async function driverRun(app, driver, watcher) {
  rmSync(app.stamp, { force: true });
  const requested = now();
  const session = await driver.newSession(app.path);
  const sessionAt = now();
  const stamp = await readStamp(app, 5000);
  try {
    let first = null;
    const deadline = now() + TIMEOUT_MS;
    while (now() < deadline) {
      const r = await driver.execute(session, PROBE, [app.selector]);
      if (r.found) {
        first = { at: now(), probe: r };
        break;
      }
      await sleep(5);
    }
    if (!first) throw new Error(`${app.id}: ${app.selector} did not appear within ${TIMEOUT_MS} ms`);
    await sleep(SETTLE_DRIVER_MS);
    const mem = pss(stamp.pid);
    const last = await driver.execute(session, PROBE, [app.selector]);
    const origin = last.timeOrigin;
    const fcp = last.paint.find((p) => p.name === "first-contentful-paint");
    const fp = last.paint.find((p) => p.name === "first-paint");
    const s = last.state;
    const mapped = watcher.events.find((e) => e.t >= stamp.t - 1 && !e.override && watcher.name(e) === app.title);
    return {
      launchDelay: stamp.t - requested, // WebDriver request → launch (not part of any figure)
      session: sessionAt - stamp.t,
      mapped: mapped ? mapped.t - stamp.t : null,
      navStart: origin - stamp.t,
      firstPaint: fp ? origin + fp.t - stamp.t : null,
      fcp: fcp ? origin + fcp.t - stamp.t : null,
      dcl: last.nav ? origin + last.nav.dcl - stamp.t : null,
      inDom: s.already ? null : origin + s.seenAt - stamp.t,
      frame: s.already || s.frameAt === null ? null : origin + s.frameAt - stamp.t,
      observerLate: s.already,
      polled: first.at - stamp.t,
      rows: last.rows,
      pssKib: mem.kib,
      procs: mem.procs,
    };
  } finally {
    await driver.deleteSession(session);
    const deadline = now() + 5000;
    while (now() < deadline && alive(stamp.pid)) await sleep(50);
    if (alive(stamp.pid)) await endTree(stamp.pid);
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and the table

function stats(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

function fmt(st, digits = 0) {
  if (!st) return "—";
  const f = (x) => x.toFixed(digits);
  return `${f(st.median)} [${f(st.min)}–${f(st.max)}]`;
}

const MIB = 1024;

async function main() {
  const samples = Object.fromEntries(apps.map((a) => [a.id, { plain: [], driver: [] }]));
  const watcher = new MapWatcher();
  const driver = new Driver();
  await sleep(300); // xev selects its events
  await driver.start();
  const load0 = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  try {
    for (let round = 0; round < WARMUP + RUNS; round++) {
      const warm = round < WARMUP;
      log(`round ${round + 1}/${WARMUP + RUNS}${warm ? " (warm-up, not counted)" : ""}`);
      // Interleaved, so that a busy moment of the (shared) machine hits every app alike.
      for (const app of apps) {
        const r = await plainRun(app, watcher);
        log(`  ${app.id} plain: mapped ${r.mapped.toFixed(0)} ms, PSS ${(r.pssKib / MIB).toFixed(1)} MiB`);
        if (!warm) samples[app.id].plain.push(r);
      }
      for (const app of apps.filter((a) => a.driver)) {
        const r = await driverRun(app, driver, watcher);
        log(
          `  ${app.id} webdriver: fcp ${r.fcp?.toFixed(0)} ms, in DOM ${r.inDom?.toFixed(0)} ms, ` +
            `frame ${r.frame?.toFixed(0)} ms, polled ${r.polled.toFixed(0)} ms, PSS ${(r.pssKib / MIB).toFixed(1)} MiB`,
        );
        if (!warm) samples[app.id].driver.push(r);
      }
    }
  } finally {
    driver.stop();
    watcher.stop();
  }
  const load1 = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

  const S = (id, kind, key, scale = 1) =>
    stats((samples[id]?.[kind] ?? []).map((r) => (r[key] === null ? null : r[key] / scale)));
  // Twofold's first code: the frame after the DOM insertion; a poll time when the observer came
  // too late (flagged below).
  const twofoldCode = stats(samples.twofold.driver.map((r) => (r.frame ?? r.polled)));
  const late = samples.twofold.driver.filter((r) => r.observerLate || r.frame === null).length;
  const helloPaint = S("hello", "driver", "fcp");

  const rows = [
    ["launch → window mapped (X MapNotify; no WebDriver)", "plain", "mapped", 1, 0],
    ["launch → navigation start (performance.timeOrigin)", "driver", "navStart", 1, 0],
    ["launch → first contentful paint (Paint Timing)", "driver", "fcp", 1, 0],
    ["launch → DOMContentLoaded end", "driver", "dcl", 1, 0],
    ["launch → first code in DOM (MutationObserver)", "driver", "inDom", 1, 0],
    ["launch → first code's frame (next rAF) = FIRST CODE", "driver", "frame", 1, 0],
    ["launch → element seen by a WebDriver poll", "driver", "polled", 1, 0],
    ["PSS MiB, under WebDriver, seen + 2 s", "driver", "pssKib", MIB, 1],
    ["PSS MiB, plain launch, mapped + 3 s", "plain", "pssKib", MIB, 1],
  ];
  const cols = apps.map((a) => a.label);
  const width = 54;
  const cw = 22;
  const lines = [];
  lines.push(
    `${"median [min–max] over " + RUNS + " runs (+" + WARMUP + " warm-up)"}`.padEnd(width) +
      cols.map((c) => c.padEnd(cw)).join("") +
      "Twofold − bare   Twofold / bare",
  );
  for (const [name, kind, key, scale, digits] of rows) {
    const per = apps.map((a) => S(a.id, kind, key, scale));
    const h = per[0];
    const t = per[1];
    const diff = h && t ? `${(t.median - h.median >= 0 ? "+" : "") + (t.median - h.median).toFixed(digits)}` : "—";
    const ratio = h && t && h.median > 0 ? `${(t.median / h.median).toFixed(2)}×` : "—";
    lines.push(name.padEnd(width) + per.map((p) => fmt(p, digits).padEnd(cw)).join("") + diff.padEnd(17) + ratio);
  }
  const out = [];
  out.push("");
  out.push(lines.join("\n"));
  out.push("");
  out.push(
    "(bare Tauri: 'first code' rows do not apply; its page is one line of text, painted at first contentful paint.\n" +
      " OTPClient: no web view, so only the window and memory rows apply; its main window maps with the list of\n" +
      " 100 accounts already filled in, and it computes a code only when a row is clicked.)",
  );
  const procsMedian = (id, kind) => {
    const by = new Map();
    for (const r of samples[id][kind]) {
      const seen = new Map();
      for (const p of r.procs) seen.set(p.comm, (seen.get(p.comm) ?? 0) + p.kib);
      for (const [comm, kib] of seen) by.set(comm, [...(by.get(comm) ?? []), kib]);
    }
    return [...by].map(([comm, v]) => `${comm} ${(stats(v).median / MIB).toFixed(1)}`).join(", ");
  };
  out.push("");
  out.push("PSS by process (MiB, median):");
  for (const a of apps) {
    if (a.driver) out.push(`  ${a.label}, under WebDriver: ${procsMedian(a.id, "driver")}`);
    out.push(`  ${a.label}, plain launch: ${procsMedian(a.id, "plain")}`);
  }
  out.push("");
  out.push("Targets (issue 3):");
  if (twofoldCode && helloPaint) {
    const d = twofoldCode.median - helloPaint.median;
    out.push(
      `  first code within +150 ms of the bare window's first paint: Twofold first code ${twofoldCode.median.toFixed(0)} ms − ` +
        `bare first contentful paint ${helloPaint.median.toFixed(0)} ms = ${d >= 0 ? "+" : ""}${d.toFixed(0)} ms → ${d <= 150 ? "MET" : "NOT MET"}` +
        (late ? ` (${late} sample(s) used the WebDriver poll time: the observer came too late)` : ""),
    );
  }
  const budget = (30e6 / 1048576).toFixed(2);
  for (const [kind, what] of [
    ["driver", "under WebDriver"],
    ["plain", "plain launch"],
  ]) {
    const h = S("hello", kind, "pssKib", MIB);
    const t = S("twofold", kind, "pssKib", MIB);
    if (h && t) {
      const d = t.median - h.median;
      out.push(
        `  memory within +30 MB (= ${budget} MiB) of the bare window, ${what}: ${t.median.toFixed(1)} − ${h.median.toFixed(1)} = ` +
          `${d >= 0 ? "+" : ""}${d.toFixed(1)} MiB → ${d <= 30e6 / 1048576 ? "MET" : "NOT MET"}`,
      );
    }
  }
  out.push("");
  out.push(`load average before / after: ${load0} / ${load1} (the machine is shared: see the caveats in the script)`);
  console.log(out.join("\n"));
  writeFileSync(
    opts.out,
    JSON.stringify({ runs: RUNS, warmup: WARMUP, load: [load0, load1], samples }, null, 2) + "\n",
  );
}

main().catch((e) => {
  console.error(`measure: error: ${e.stack ?? e}`);
  process.exit(1);
});
