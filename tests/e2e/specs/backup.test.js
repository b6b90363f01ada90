// End-to-end tests of issue 5 in the real window: import an encrypted Aegis export from
// ../shared/fixtures/interop (its password from EXPECTED.md) through Import from file, see the
// preview and the imported accounts in the list; export a Twofold backup (age) to a temporary
// path with a backup password that the strength meter accepts (and one it refuses); verify that
// backup with the restore drill ("Matches: 7 accounts", and a wrong password refused); then an
// automatic backup written with "Back up now". File dialogs cannot be driven by WebDriver: the
// screens' path fields take the paths (as the add dialog's file-path does).
//
// The suite shares TWOFOLD_VAULT and the settings file with the other specs: a vault left by
// app.test.js is moved aside first and put back at the end, and the settings (automatic backups
// are switched on here) are restored, so this file runs on a fresh vault whatever ran before it
// and leaves nothing behind for the next.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { App, Key, confirmations, declineNext, env, pickNext, sleep, startDriver, stopDriver } from "../lib/harness.js";

const TEST_TIMEOUT = 180_000;
const SHARED = dirname(env.corpus);
const AEGIS_ENCRYPTED = join(SHARED, "fixtures", "interop", "aegis", "importers", "aegis_encrypted.json");
const AEGIS_PASSWORD = "test"; // EXPECTED.md: aegis_encrypted.json, password `test`
// EXPECTED.md's V1–V7 (V8 is not in this file): issuer / name.
const EXPECTED = [
  ["Deno", "Mason"],
  ["SPDX", "James"],
  ["Airbnb", "Elijah"],
  ["Issuu", "James"],
  ["Air Canada", "Benjamin"],
  ["WWE", "Mason"],
  ["Boeing", "Sophia"],
];
const BACKUP_PASSWORD = "tulip orbit cascade walnut ferry e2e";
const AUTO_PASSWORD = "granite lantern mosaic harbor velvet";

/** Moves the vault and its siblings (generations) aside; returns a function putting them back. */
function moveVaultAside() {
  const dir = dirname(env.vault);
  const name = basename(env.vault);
  const aside = join(env.work, "vault-before-backup-test");
  mkdirSync(aside, { recursive: true });
  const moved = [];
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) {
      if (f.startsWith(name)) {
        renameSync(join(dir, f), join(aside, f));
        moved.push(f);
      }
    }
  }
  return () => {
    if (existsSync(dir)) {
      for (const f of readdirSync(dir)) if (f.startsWith(name)) rmSync(join(dir, f), { force: true });
    }
    for (const f of moved) renameSync(join(aside, f), join(dir, f));
  };
}

/** Closes any panel (the harness' ones, and this issue's) with Escape, then opens the settings. */
async function openSettings(app) {
  await app.closePanels();
  for (const panel of ["file-import", "export-view", "verify-view"]) {
    if (await app.isShown(panel)) {
      const el = (await app.visible(panel))[0];
      await app.driver.executeScript("arguments[0].focus()", el);
      await el.sendKeys(Key.ESCAPE);
      await app.gone(panel);
    }
  }
  await app.click("open-settings");
  await app.find("settings-view");
}

/** Scrolls [data-testid=`id`] to the middle of the panel, then clicks it. */
async function clickInView(app, id) {
  const element = await app.find(id);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", element);
  await sleep(200);
  await element.click();
  return element;
}

/** Opens the settings and clicks the button `id` of the backups section. */
async function fromSettings(app, id) {
  await openSettings(app);
  await clickInView(app, id);
}

describe("Import from file, export, verify and automatic backups (issue 5)", { concurrency: false }, () => {
  /** @type {App} */
  let app;
  let restoreVault = () => {};
  const settingsPath = join(process.env.XDG_CONFIG_HOME ?? join(process.env.HOME ?? "", ".config"), "app.twofold.desktop", "settings.json");
  let oldSettings = null;
  const backupPath = join(env.work, "e2e-backup.age");
  const autoDir = join(env.work, "auto-backups");

  before(async () => {
    assert.ok(existsSync(AEGIS_ENCRYPTED), `the interop fixture ${AEGIS_ENCRYPTED} exists`);
    mkdirSync(env.work, { recursive: true });
    rmSync(backupPath, { force: true });
    rmSync(autoDir, { recursive: true, force: true });
    restoreVault = moveVaultAside();
    if (existsSync(settingsPath)) oldSettings = readFileSync(settingsPath);
    await startDriver();
    app = await App.open();
  });

  after(async () => {
    try {
      if (app) await app.close();
    } finally {
      await stopDriver();
      restoreVault();
      if (oldSettings) writeFileSync(settingsPath, oldSettings, { mode: 0o600 });
      else rmSync(settingsPath, { force: true });
    }
  });

  it("1. a fresh vault (keychain, no password)", { timeout: TEST_TIMEOUT }, async () => {
    await app.click("create-submit", { timeout: 30_000 });
    await app.find("recovery-key", { timeout: 60_000 });
    await app.click("recovery-ack");
    const cont = await app.find("recovery-continue");
    await app.driver.wait(async () => cont.isEnabled(), 5_000, "Continue enabled after the ack");
    await cont.click();
    await app.find("empty-state");
  });

  it("2. imports the encrypted Aegis export with its password: preview, then the accounts in the list", { timeout: TEST_TIMEOUT }, async () => {
    await fromSettings(app, "settings-import-file");
    await app.find("file-import");
    // The native chooser is Rust's: the page only ever holds a token for the file.
    pickNext(AEGIS_ENCRYPTED);
    await app.click("file-import-choose");
    // Encrypted: the password is asked for first.
    await app.find("file-import-password");
    assert.match(await app.text("file-import-format"), /encrypted Aegis file/);
    await app.type("file-import-password", "not the password");
    await app.click("file-import-read");
    const error = await app.find("file-import-error", { timeout: 60_000 });
    assert.match(await app.innerText(error), /wrong password/i);
    await app.type("file-import-password", AEGIS_PASSWORD);
    await app.click("file-import-read");

    // The preview: the seven accounts by label, no secret.
    await app.driver.wait(async () => (await app.visible("file-entry")).length === 7, 60_000, "7 entries in the preview");
    const texts = [];
    for (const e of await app.visible("file-entry")) texts.push(await app.innerText(e));
    for (const [issuer, name] of EXPECTED) {
      assert.ok(texts.some((t) => t.includes(issuer) && t.includes(name)), `the preview lists ${issuer} / ${name}: ${texts.join(" | ")}`);
    }
    const preview = await app.innerText(await app.find("file-import"));
    assert.ok(!preview.includes("4SJHB4GSD43FZBAI7C2HLRJGPQ"), "the preview shows no secret");
    assert.match(await app.text("file-import-format"), /^Aegis: 7 accounts found/);
    await app.screenshot("b01-import-preview");

    await app.click("file-import-confirm");
    assert.match(await app.text("file-import-result", { timeout: 30_000 }), /^Imported 7 accounts/);
    await app.click("file-import-done");
    const rows = await app.waitRows((rs) => rs.length === 7, "7 accounts in the list after the import");
    for (const [issuer, name] of EXPECTED) {
      assert.ok(rows.some((r) => r.issuer === issuer && r.name === name), `the list shows ${issuer} / ${name}`);
    }
  });

  it("3. exports a Twofold backup: a weak password is refused, a strong one writes a private age file", { timeout: TEST_TIMEOUT }, async () => {
    await fromSettings(app, "settings-export");
    await app.find("export-view");
    await app.click("export-format-twofold");
    assert.match(await app.text("export-loses"), /keeps everything/);
    await app.type("export-password", "password");
    await app.type("export-password-repeat", "password");
    pickNext(backupPath);
    await app.click("export-choose");
    await app.driver.wait(async () => (await app.textContent("export-path")) === backupPath, 15_000, "the chosen path is shown");
    await app.click("export-submit");
    assert.match(await app.text("export-error"), /too easy to guess/);
    assert.ok(!existsSync(backupPath), "nothing is written with a weak password");

    await app.type("export-password", BACKUP_PASSWORD);
    // The meter shows Rust's verdict (password_strength), once it has judged the passphrase.
    const meter = await app.find("export-strength", { extra: '[data-accepted="true"]' });
    assert.ok(Number(await meter.getAttribute("data-score")) >= 3, "the meter accepts the passphrase");
    await app.type("export-password-repeat", BACKUP_PASSWORD);
    // Declined in the native confirmation (outside the page): nothing is written.
    const shownBefore = confirmations().length;
    declineNext();
    await app.click("export-submit");
    await app.driver.wait(async () => confirmations().length > shownBefore, 60_000, "the native confirmation was shown");
    await sleep(500);
    assert.ok(!existsSync(backupPath), "a declined export writes nothing");
    const asked = confirmations().at(-1);
    assert.match(asked, /^Export accounts\tExport 7 accounts as Twofold backup to /, asked);
    assert.ok(asked.includes(backupPath), `the dialog names the destination: ${asked}`);
    // Confirmed: written.
    await app.click("export-submit");
    assert.match(await app.text("export-done", { timeout: 60_000 }), new RegExp(backupPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.ok(existsSync(backupPath), "the backup file exists");
    assert.equal(statSync(backupPath).mode & 0o777, 0o600, "the backup is readable by its owner only");
    const head = readFileSync(backupPath).subarray(0, 64).toString("latin1");
    assert.match(head, /age-encryption\.org\/v1/, "the backup is an age file");
    await app.screenshot("b02-export");
  });

  it("4. the restore drill: the backup matches the vault; a wrong password is refused", { timeout: TEST_TIMEOUT }, async () => {
    await fromSettings(app, "settings-verify");
    await app.find("verify-view");
    pickNext(backupPath);
    await app.click("verify-choose");
    await app.driver.wait(async () => (await app.textContent("verify-path")) === basename(backupPath), 15_000, "the chosen file is shown");
    await app.type("verify-password", "wrong horse");
    await app.click("verify-submit");
    assert.match(await app.text("verify-error", { timeout: 60_000 }), /wrong password/i);

    await app.type("verify-password", BACKUP_PASSWORD);
    await app.click("verify-submit");
    const result = await app.find("verify-result", { timeout: 60_000 });
    assert.equal(await result.getAttribute("data-matches"), "true", await app.innerText(result));
    assert.equal(await app.innerText(result), "Matches: 7 accounts");
    await app.screenshot("b03-verify");
  });

  it("5. automatic backups: folder, own password, Back up now → a backup file and the status line", { timeout: TEST_TIMEOUT }, async () => {
    mkdirSync(autoDir, { recursive: true });
    await openSettings(app);
    // The folder comes from the native chooser, confirmed in a native dialog naming it.
    pickNext(autoDir);
    await clickInView(app, "settings-auto-backup-choose");
    await app.driver.wait(async () => (await app.textContent("settings-auto-backup-dir")) === autoDir, 15_000, "the folder is set");
    assert.ok(confirmations().some((c) => c.startsWith("Automatic backups\t") && c.includes(autoDir)), confirmations().join("\n"));
    await clickInView(app, "settings-auto-backup");
    await app.type("settings-auto-backup-password", AUTO_PASSWORD);
    await app.type("settings-auto-backup-password-repeat", AUTO_PASSWORD);
    await clickInView(app, "settings-auto-backup-password-save");
    await clickInView(app, "settings-backup-now");
    await app.driver.wait(
      async () => /^Last backup/.test((await app.textContent("settings-auto-backup-status")) ?? ""),
      60_000,
      "the status line reports the backup",
    );
    const files = readdirSync(autoDir).filter((f) => /^twofold-backup-\d{8}-\d{6}\.age$/.test(f));
    assert.ok(files.length >= 1, `an automatic backup in ${autoDir}: ${readdirSync(autoDir).join(", ")}`);
    assert.equal(statSync(join(autoDir, files[0])).mode & 0o777, 0o600);
    await app.screenshot("b04-auto-backup");
  });
});
