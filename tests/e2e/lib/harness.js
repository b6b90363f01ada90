// The end-to-end harness: starts tauri-driver, opens and closes sessions of the real Twofold app
// (each session is one app process, launched by WebKitWebDriver), finds elements by the
// data-testid attributes of docs/ipc.md ("E2E selectors"), and reaches the parts of the
// desktop a person would use: the X clipboard (xclip), the screen (ImageMagick `display`), the
// keychain (secret-tool) and twofold-cli as a second opinion on codes.
//
// Run through scripts/e2e.sh, which provides Xvfb, a private Secret Service and these variables:
//   TWOFOLD_APP, TWOFOLD_CLI     the debug binaries (app embeds ui/dist)
//   TWOFOLD_VAULT                a temporary vault path (the app and the CLI both read it)
//   TWOFOLD_E2E_WORK             scratch folder (QR images, …)
//   TWOFOLD_E2E_ARTIFACTS        where screenshots/ go
//   TWOFOLD_E2E_SCREENSHOT       where the README's account-list screenshot goes
//   TWOFOLD_E2E_CORPUS           ../shared/qr-corpus
//   TWOFOLD_E2E_DIALOGS          the folder through which the app's `e2e-seam` build takes the
//                                answers to its native dialogs (src-tauri/src/native.rs)

import { spawn, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync, copyFileSync, existsSync, readdirSync, readlinkSync, readFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Builder, By, Key } from "selenium-webdriver";

export { By, Key, sleep };

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../../..");
const targetDir = process.env.CARGO_TARGET_DIR ?? join(root, "target");

/** Paths and settings, from scripts/e2e.sh's environment with sensible defaults. */
export const env = {
  app: process.env.TWOFOLD_APP ?? join(targetDir, "debug", "twofold"),
  cli: process.env.TWOFOLD_CLI ?? join(targetDir, "debug", "twofold-cli"),
  vault: process.env.TWOFOLD_VAULT ?? "",
  work: process.env.TWOFOLD_E2E_WORK ?? join(root, "artifacts", "work"),
  artifacts: process.env.TWOFOLD_E2E_ARTIFACTS ?? join(root, "artifacts"),
  readmeShot: process.env.TWOFOLD_E2E_SCREENSHOT ?? join(root, "docs", "screenshot-accounts.png"),
  corpus: process.env.TWOFOLD_E2E_CORPUS ?? resolve(root, "..", "shared", "qr-corpus"),
  dialogs: process.env.TWOFOLD_E2E_DIALOGS ?? "",
  // 0: a free port is picked at start (so runs side by side do not collide).
  driverPort: Number(process.env.TWOFOLD_E2E_DRIVER_PORT ?? 0),
  nativePort: Number(process.env.TWOFOLD_E2E_NATIVE_PORT ?? 0),
};

// ---- native dialogs ----
// A native dialog cannot be clicked through WebDriver. The app built for this suite (feature
// `e2e-seam`, scripts/e2e.sh; never the packaged build) answers its dialogs from files in
// TWOFOLD_E2E_DIALOGS and logs every confirmation it shows there.

/** The next native file or folder chooser returns `path` (as if the user picked it). */
export function pickNext(path) {
  writeFileSync(join(env.dialogs, "pick"), path);
}

/** The next native confirmation is declined (the default answer is yes). */
export function declineNext() {
  writeFileSync(join(env.dialogs, "answer"), "no");
}

/** Every native confirmation shown so far: `title<TAB>message`, oldest first. */
export function confirmations() {
  const log = join(env.dialogs, "confirmed.log");
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
}

/** How long to wait for the UI by default (debug build, software rendering, 2 cores). */
export const UI_TIMEOUT = 15_000;

let driverProcess = null;
let driverLog = "";

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
function portOpen(port) {
  return new Promise((resolvePort) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolvePort(true);
    });
    socket.once("error", () => resolvePort(false));
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts tauri-driver (it starts WebKitWebDriver on the native port) and waits for it. */
export async function startDriver() {
  if (env.driverPort === 0) env.driverPort = await freePort();
  while (env.nativePort === 0 || env.nativePort === env.driverPort) env.nativePort = await freePort();
  if (!env.vault) throw new Error("TWOFOLD_VAULT is not set: run the suite through scripts/e2e.sh");
  if (!env.dialogs) throw new Error("TWOFOLD_E2E_DIALOGS is not set: run the suite through scripts/e2e.sh");
  if (!existsSync(env.app)) throw new Error(`no app binary at ${env.app}: run scripts/e2e.sh`);
  if (!process.env.DISPLAY) throw new Error("DISPLAY is not set: run the suite through scripts/e2e.sh");
  if (await portOpen(env.driverPort)) {
    throw new Error(`port ${env.driverPort} is taken: another tauri-driver or WebDriver is running`);
  }
  driverProcess = spawn(
    "tauri-driver",
    ["--port", String(env.driverPort), "--native-port", String(env.nativePort)],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const keep = (chunk) => {
    driverLog = (driverLog + chunk.toString()).slice(-20_000);
  };
  // Never leave a tauri-driver behind, even when the test process dies early.
  const child = driverProcess;
  process.once("exit", () => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  driverProcess.stdout.on("data", keep);
  driverProcess.stderr.on("data", keep);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (driverProcess.exitCode !== null) {
      throw new Error(`tauri-driver exited with ${driverProcess.exitCode}: ${driverLog}`);
    }
    if (await portOpen(env.driverPort)) return;
    await sleep(100);
  }
  throw new Error(`tauri-driver did not listen on ${env.driverPort} within 20 s: ${driverLog}`);
}

/** Stops the tauri-driver this harness started (and so WebKitWebDriver). */
export async function stopDriver() {
  if (!driverProcess || driverProcess.exitCode !== null) return;
  const exited = new Promise((r) => driverProcess.once("exit", r));
  driverProcess.kill("SIGTERM");
  await Promise.race([exited, sleep(5_000)]);
  if (driverProcess.exitCode === null) driverProcess.kill("SIGKILL");
}

/** The last lines tauri-driver and WebKitWebDriver printed (for failure messages). */
export function driverOutput() {
  return driverLog;
}

/**
 * Pids of running app processes of this run: the binary under test, started with this run's
 * TWOFOLD_VAULT (others may run the same binary on their own display at the same time).
 */
export function appPids() {
  const pids = [];
  const mark = `TWOFOLD_VAULT=${env.vault}`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = readlinkSync(`/proc/${entry}/exe`).replace(/ \(deleted\)$/, "");
      if (exe !== env.app) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (environ.includes(mark)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** Waits until no app process is left (single instance: a new one would hand over to it). */
async function waitAppGone(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (appPids().length === 0) return true;
    await sleep(100);
  }
  return false;
}

/**
 * One WebDriver session = one app process. `open()` launches the app and waits for its page;
 * `close()` ends the session and makes sure the process is gone.
 */
export class App {
  constructor(driver) {
    this.driver = driver;
  }

  /** Launches the app (a fresh process) and waits for its document to be ready. */
  static async open() {
    if (!(await waitAppGone(5_000))) {
      throw new Error(`an app process is still running (pids ${appPids().join(", ")})`);
    }
    const capabilities = {
      browserName: "wry",
      "tauri:options": { application: env.app },
    };
    const driver = await new Builder()
      .usingServer(`http://127.0.0.1:${env.driverPort}/`)
      .withCapabilities(capabilities)
      .build();
    const app = new App(driver);
    await driver.wait(
      async () => (await driver.executeScript("return document.readyState")) === "complete",
      UI_TIMEOUT,
      "the app's page did not finish loading",
    );
    return app;
  }

  /** Ends the session; the app process must exit (a leftover one is killed, and reported). */
  async close() {
    try {
      await this.driver.quit();
    } catch {
      // the session may already be gone with its app
    }
    if (!(await waitAppGone(10_000))) {
      const pids = appPids();
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await waitAppGone(5_000);
      throw new Error(`the app did not exit when its session ended (killed pids ${pids.join(", ")})`);
    }
  }

  /** The locator of the element(s) with data-testid=`id`. */
  static sel(id, extra = "") {
    return By.css(`[data-testid="${id}"]${extra}`);
  }

  /** Waits for a displayed element with data-testid=`id` and returns it. */
  async find(id, { timeout = UI_TIMEOUT, extra = "" } = {}) {
    const locator = App.sel(id, extra);
    let element;
    await this.driver.wait(
      async () => {
        const all = await this.driver.findElements(locator);
        for (const candidate of all) {
          try {
            if (await candidate.isDisplayed()) {
              element = candidate;
              return true;
            }
          } catch {
            // stale: the UI re-rendered; look again
          }
        }
        return false;
      },
      timeout,
      `no visible [data-testid="${id}"${extra}] within ${timeout} ms`,
    );
    return element;
  }

  /** Every element with data-testid=`id` (visible or not), without waiting. */
  async all(id, extra = "") {
    return this.driver.findElements(App.sel(id, extra));
  }

  /** Every displayed element with data-testid=`id`, without waiting. */
  async visible(id, extra = "") {
    const shown = [];
    for (const element of await this.all(id, extra)) {
      try {
        if (await element.isDisplayed()) shown.push(element);
      } catch {
        // stale
      }
    }
    return shown;
  }

  /** Whether a displayed [data-testid=`id`] exists right now. */
  async isShown(id) {
    return (await this.visible(id)).length > 0;
  }

  /** Waits until no [data-testid=`id`] is displayed. */
  async gone(id, timeout = UI_TIMEOUT) {
    await this.driver.wait(
      async () => !(await this.isShown(id)),
      timeout,
      `[data-testid="${id}"] still visible after ${timeout} ms`,
    );
  }

  /** Waits for whichever of `ids` shows first and returns its id. */
  async oneOf(ids, timeout = UI_TIMEOUT) {
    let found;
    await this.driver.wait(
      async () => {
        for (const id of ids) {
          if (await this.isShown(id)) {
            found = id;
            return true;
          }
        }
        return false;
      },
      timeout,
      `none of ${ids.map((id) => `[data-testid="${id}"]`).join(", ")} became visible within ${timeout} ms`,
    );
    return found;
  }

  async click(id, opts) {
    const element = await this.find(id, opts);
    await element.click();
    return element;
  }

  /**
   * Replaces the text of the input [data-testid=`id`] with `text`, typing as a person would so
   * the page sees `input` events (WebDriver's Element Clear sets the value without any, and the
   * UI's state would keep the old text).
   */
  async type(id, text, opts) {
    const element = await this.find(id, opts);
    if ((await element.getAttribute("value")) !== "") {
      await element.sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
    }
    if (text !== "") await element.sendKeys(text);
    const value = await element.getAttribute("value");
    if (value !== text) {
      throw new Error(`[data-testid="${id}"] holds ${JSON.stringify(value)} after typing ${JSON.stringify(text)}`);
    }
    return element;
  }

  /** Sets a <select> [data-testid=`id`] to the option whose value (or text) is `value`. */
  async select(id, value, opts) {
    const element = await this.find(id, opts);
    const options = await element.findElements(By.css("option"));
    for (const option of options) {
      const v = await option.getAttribute("value");
      const t = (await option.getText()).trim();
      if (v === value || t.toLowerCase() === String(value).toLowerCase()) {
        await option.click();
        return element;
      }
    }
    throw new Error(`[data-testid="${id}"] has no option ${JSON.stringify(value)}`);
  }

  /** The rendered text (`innerText`, see `rows`) of the visible [data-testid=`id`]. */
  async text(id, opts) {
    const element = await this.find(id, opts);
    return (await this.driver.executeScript("return arguments[0].innerText", element)).trim();
  }

  /** The text of the first [data-testid=`id`], shown or not (e.g. an empty message line). */
  async textContent(id) {
    const found = await this.all(id);
    if (found.length === 0) return null;
    return (await this.driver.executeScript("return arguments[0].textContent", found[0])).trim();
  }

  /** The rendered text (`innerText`) of `element`. */
  async innerText(element) {
    return (await this.driver.executeScript("return arguments[0].innerText", element)).trim();
  }

  /**
   * Back to the bare list: closes whatever panel is open (add, preview, details, settings) with
   * Escape, so one failed test does not leave the next one behind a dialog.
   */
  async closePanels() {
    const panels = ["add-dialog", "import-preview", "account-details", "settings-view"];
    for (let i = 0; i < 4; i++) {
      const open = [];
      for (const id of panels) if (await this.isShown(id)) open.push(id);
      if (open.length === 0) return;
      const panel = (await this.visible(open[0]))[0];
      await this.driver.executeScript("arguments[0].focus()", panel);
      await panel.sendKeys(Key.ESCAPE);
      await sleep(300);
    }
  }

  /** Saves a PNG of the window to artifacts/screenshots/`name`.png and returns its path. */
  async screenshot(name) {
    const dir = join(env.artifacts, "screenshots");
    mkdirSync(dir, { recursive: true });
    const path = join(dir, `${name}.png`);
    // Let a running transition or the countdown settle.
    await sleep(400);
    writeFileSync(path, Buffer.from(await this.driver.takeScreenshot(), "base64"));
    return path;
  }

  /**
   * The visible account rows as { element, id, issuer, name, code, codeText }, read in one
   * script so a re-render cannot split a row. Texts are `innerText`: WebKitWebDriver's Get
   * Element Text answers "" inside rows styled `content-visibility: auto`.
   */
  async rows() {
    return this.driver.executeScript(`
      const text = (row, id) => row.querySelector('[data-testid="' + id + '"]')?.innerText.trim() ?? null;
      return [...document.querySelectorAll('[data-testid="account-row"]')]
        .filter((row) => row.getClientRects().length > 0 && getComputedStyle(row).visibility !== 'hidden')
        .map((row) => ({
          element: row,
          id: row.dataset.id,
          issuer: text(row, 'account-issuer'),
          name: text(row, 'account-name'),
          code: row.querySelector('[data-testid="code"]')?.dataset.code ?? null,
          codeText: text(row, 'code'),
        }));
    `);
  }

  /** Waits until the visible rows satisfy `predicate(rows)` and returns them. */
  async waitRows(predicate, message, timeout = UI_TIMEOUT) {
    let last = [];
    try {
      await this.driver.wait(
        async () => {
          last = await this.rows();
          return predicate(last);
        },
        timeout,
      );
    } catch {
      const seen = last.map((r) => `${r.issuer} / ${r.name}`).join("; ");
      throw new Error(`${message} (rows seen: [${seen}])`);
    }
    return last;
  }

  /** Sends keys to whatever element has the focus (the page body when none). */
  async keys(...keys) {
    const active = await this.driver.switchTo().activeElement();
    await active.sendKeys(...keys);
  }

  /** Runs `script` in the page and returns its result. */
  async exec(script, ...args) {
    return this.driver.executeScript(script, ...args);
  }
}

/** Copies a screenshot to the README's path (docs/screenshot-accounts.png). */
export function publishReadmeShot(path) {
  mkdirSync(dirname(env.readmeShot), { recursive: true });
  copyFileSync(path, env.readmeShot);
}

/** Runs twofold-cli with `args` (and `extraEnv` on top of ours); returns its trimmed stdout. */
export function cli(args, { input, extraEnv = {} } = {}) {
  return execFileSync(env.cli, args, {
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    env: { ...process.env, ...extraEnv },
  }).trim();
}

/**
 * Where scripts/e2e.sh's TWOFOLD_CAMERA_SOURCE reads the app's "camera" from: PNG frames
 * 000.png, 001.png, … played in a loop at 10 frames a second through the app's real GStreamer
 * pipeline.
 */
export const cameraFrames = () => join(env.work, "camera");

/**
 * Writes `pictures` (PNG paths) as camera frames, each held for `hold` frames, on an 800×600
 * gray canvas (ImageMagick), replacing the frames before.
 */
export function setCameraFrames(pictures, hold = 8) {
  const dir = cameraFrames();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const pic of pictures) {
    const first = join(dir, `${String(n).padStart(3, "0")}.png`);
    execFileSync("convert", [
      pic, "-colorspace", "Gray", "-resize", "560x560>", "-background", "#b4b4b4", "-gravity", "center",
      "-extent", "800x600", "-depth", "8", first,
    ]);
    n++;
    for (let i = 1; i < hold; i++, n++) copyFileSync(first, join(dir, `${String(n).padStart(3, "0")}.png`));
  }
}

/**
 * The app's GStreamer source threads (a camera's or the test source's streaming thread is
 * named after its element, e.g. "v4l2src0:src", "multifilesrc0:s"): while one lives, the
 * camera is on.
 */
export function cameraThreads(pid) {
  const names = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const comm = readFileSync(`/proc/${pid}/task/${task}/comm`, "utf8").trim();
        if (/src\d*:/.test(comm)) names.push(comm);
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return names;
}

/** The X clipboard's text (CLIPBOARD selection), or "" when it holds none. */
export function clipboardText() {
  const result = spawnSync("xclip", ["-o", "-selection", "clipboard"], { encoding: "utf8", timeout: 5_000 });
  return result.status === 0 ? result.stdout : "";
}

/** Puts `text` on the X clipboard (xclip owns it until someone else takes the selection). */
export function clipboardSetText(text) {
  const result = spawnSync("xclip", ["-selection", "clipboard", "-i"], {
    input: text,
    timeout: 5_000,
    stdio: ["pipe", "ignore", "ignore"],
  });
  if (result.status !== 0) throw new Error(`xclip -i failed with ${result.status}`);
}

/**
 * Puts a PNG on the X clipboard. xclip stays alive in the background as the selection's
 * owner (on X11 the content lives in its owner); returns it so the caller can stop it.
 */
export function clipboardImage(pngPath) {
  const child = spawn("xclip", ["-selection", "clipboard", "-t", "image/png", "-i", pngPath], {
    stdio: "ignore",
    detached: false,
  });
  return child;
}

/** The clipboard's offered targets (types), e.g. ["TARGETS", "image/png"]. */
export function clipboardTargets() {
  const result = spawnSync("xclip", ["-o", "-selection", "clipboard", "-t", "TARGETS"], {
    encoding: "utf8",
    timeout: 5_000,
  });
  return result.status === 0 ? result.stdout.split("\n").filter(Boolean) : [];
}

/** Draws `text` as a QR PNG with qrencode (module size `scale` px, 4-module quiet zone). */
export function makeQr(text, name, scale = 6) {
  mkdirSync(env.work, { recursive: true });
  const path = join(env.work, `${name}.png`);
  execFileSync("qrencode", ["-t", "PNG", "-s", String(scale), "-m", "4", "-o", path, text]);
  return path;
}

/**
 * Shows `pngPath` in a window on the X display at (`x`, `y`) with ImageMagick's `display`,
 * waits until it is mapped, and returns the child (kill it when done).
 */
export async function showOnScreen(pngPath, x, y) {
  const child = spawn("display", ["-geometry", `+${x}+${y}`, "-title", "twofold-e2e-qr", pngPath], {
    stdio: "ignore",
  });
  // Mapped when the pixel just inside its top-left corner (the QR's white quiet zone) is
  // white on the root window, which is black on a bare Xvfb.
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`display exited with ${child.exitCode}`);
    const pixel = spawnSync("import", ["-window", "root", "-crop", `1x1+${x + 5}+${y + 5}`, "txt:-"], {
      encoding: "utf8",
      timeout: 10_000,
    });
    if (pixel.status === 0 && /#FFFFFF|white/i.test(pixel.stdout)) return child;
    await sleep(200);
  }
  child.kill();
  throw new Error(`the QR image did not appear on the screen at +${x}+${y} within 15 s`);
}

/** Captures the whole X screen to `name`.png in artifacts/screenshots (ImageMagick `import`). */
export function screenCapture(name) {
  const dir = join(env.artifacts, "screenshots");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  execFileSync("import", ["-window", "root", path]);
  return path;
}

/** Attribute lines (never the secret) of the Secret Service items with service=twofold. */
export function keychainItems() {
  const result = spawnSync("secret-tool", ["search", "--all", "service", "twofold"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  const text = `${result.stdout}\n${result.stderr}`;
  const items = [];
  let current = null;
  for (const line of text.split("\n")) {
    if (/^\[\/.*\]$/.test(line.trim())) {
      current = {};
      items.push(current);
    } else if (current && line.startsWith("attribute.")) {
      const [key, ...rest] = line.slice("attribute.".length).split(" = ");
      current[key.trim()] = rest.join(" = ").trim();
    } else if (current && line.startsWith("label = ")) {
      current.label = line.slice("label = ".length).trim();
    }
  }
  return items;
}

/** Seconds since the Unix epoch, now. */
export function unixNow() {
  return Math.floor(Date.now() / 1000);
}
