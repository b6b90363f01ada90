// A portable WebDriver smoke test of the real app: the first run, through tauri-driver, on any OS
// tauri-driver supports. The end-to-end suite (tests/e2e) is Linux-only (Xvfb, /proc, xclip,
// secret-tool); this is what the GitHub workflow's Windows job runs instead, with Microsoft
// Edge WebDriver behind tauri-driver, and scripts/e2e.sh runs it on Linux (WebKitWebDriver) so
// it cannot rot unseen.
//
//   node tests/tools/webdriver-smoke.mjs APP [SCREENSHOT.png]
//
// Starts tauri-driver (from PATH; on Windows with --native-driver $TWOFOLD_NATIVE_DRIVER, else
// msedgedriver.exe in $EDGEWEBDRIVER, the runner's copy), opens a session of APP with
// TWOFOLD_VAULT pointing at a new file, and goes through the first run as a person would:
// create the vault with the OS keychain (which must be offered and available), see the recovery
// key, acknowledge it, reach the empty account list; then the vault file must exist. Prints one
// line a step; exits non-zero on the first failure.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createConnection, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

// selenium-webdriver is the end-to-end suite's (tests/e2e/package-lock.json): one pinned copy.
const require = createRequire(new URL("../e2e/package.json", import.meta.url));
const { Builder, By } = require("selenium-webdriver");

const [appArg, shotArg] = process.argv.slice(2);
if (!appArg) {
  console.error("usage: node tests/tools/webdriver-smoke.mjs APP [SCREENSHOT.png]");
  process.exit(2);
}
const app = resolve(appArg);
if (!existsSync(app)) throw new Error(`no app at ${app}`);
const vault = process.env.TWOFOLD_VAULT;
if (!vault) throw new Error("set TWOFOLD_VAULT to a file that does not exist yet");
if (existsSync(vault)) throw new Error(`the vault ${vault} exists already: the smoke test needs a first run`);
mkdirSync(dirname(resolve(vault)), { recursive: true });
const TIMEOUT = 60_000;
const step = (text) => console.log(`webdriver-smoke: ${text}`);

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}
function portOpen(port) {
  return new Promise((ok) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      ok(true);
    });
    socket.once("error", () => ok(false));
  });
}

const port = await freePort();
let nativePort = await freePort();
while (nativePort === port) nativePort = await freePort();
const args = ["--port", String(port), "--native-port", String(nativePort)];
if (process.platform === "win32") {
  const native =
    process.env.TWOFOLD_NATIVE_DRIVER ??
    (process.env.EDGEWEBDRIVER ? join(process.env.EDGEWEBDRIVER, "msedgedriver.exe") : undefined);
  if (!native || !existsSync(native)) {
    throw new Error(`no Microsoft Edge WebDriver (TWOFOLD_NATIVE_DRIVER, or msedgedriver.exe in EDGEWEBDRIVER): ${native}`);
  }
  args.push("--native-driver", native);
}
let driverLog = "";
const driver = spawn("tauri-driver", args, { stdio: ["ignore", "pipe", "pipe"] });
for (const stream of [driver.stdout, driver.stderr]) {
  stream.on("data", (chunk) => {
    driverLog = (driverLog + chunk.toString()).slice(-10_000);
  });
}
process.once("exit", () => {
  if (driver.exitCode === null) driver.kill();
});
const deadline = Date.now() + 20_000;
while (!(await portOpen(port))) {
  if (driver.exitCode !== null) throw new Error(`tauri-driver exited with ${driver.exitCode}: ${driverLog}`);
  if (Date.now() > deadline) throw new Error(`tauri-driver did not listen on ${port} within 20 s: ${driverLog}`);
  await sleep(100);
}
step(`tauri-driver on port ${port} (${args.join(" ")})`);

let session;
try {
  session = await new Builder()
    .usingServer(`http://127.0.0.1:${port}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: app } })
    .build();
  const find = async (id, timeout = TIMEOUT) => {
    const locator = By.css(`[data-testid="${id}"]`);
    let found;
    await session.wait(
      async () => {
        for (const element of await session.findElements(locator)) {
          if (await element.isDisplayed().catch(() => false)) {
            found = element;
            return true;
          }
        }
        return false;
      },
      timeout,
      `no visible [data-testid="${id}"] within ${timeout} ms`,
    );
    return found;
  };
  step(`session open: ${app}`);

  await find("create-submit");
  const keychain = await find("create-use-keychain");
  if (!(await keychain.isSelected()) || !(await keychain.isEnabled())) {
    throw new Error("the first-run screen does not offer the OS keychain (selected and enabled)");
  }
  step("first run: the keychain is offered and available");
  await (await find("create-submit")).click();
  const key = (await session.executeScript("return arguments[0].innerText", await find("recovery-key"))).trim();
  if (!/^[A-Z0-9][A-Z0-9 -]{15,}$/i.test(key)) throw new Error("no recovery key shown after creating the vault");
  step("vault created with the keychain; recovery key shown");
  await (await find("recovery-ack")).click();
  const next = await find("recovery-continue");
  await session.wait(async () => next.isEnabled(), 5_000, "Continue stays disabled after the acknowledgement");
  await next.click();
  await find("empty-state");
  await session.wait(
    async () => {
      for (const element of await session.findElements(By.css('[data-testid="recovery-key"]'))) {
        if (await element.isDisplayed().catch(() => false)) return false;
      }
      return true;
    },
    5_000,
    "the recovery key is still shown on the account list",
  );
  step("empty account list reached, the recovery key gone");
  if (!existsSync(vault)) throw new Error(`no vault file at ${vault}`);
  step(`vault file written: ${vault}`);
  if (shotArg) {
    await sleep(400); // let the view's transition settle
    mkdirSync(dirname(resolve(shotArg)), { recursive: true });
    writeFileSync(shotArg, Buffer.from(await session.takeScreenshot(), "base64"));
    step(`screenshot: ${shotArg}`);
  }
} catch (err) {
  console.error(`webdriver-smoke: FAIL: ${err.message}\ntauri-driver said:\n${driverLog}`);
  process.exitCode = 1;
} finally {
  if (session) await session.quit().catch(() => {});
  driver.kill();
}
if (!process.exitCode) step("ok");
