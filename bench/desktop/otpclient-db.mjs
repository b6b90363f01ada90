// Writes an OTPClient 3.x database holding `count` TOTP accounts, for scripts/bench-desktop.sh
// (issue 3: OTPClient is measured with the same 100 accounts as Twofold).
//
//   node otpclient-db.mjs OUT_FILE PASSWORD_FILE COUNT
//
// The layout is OTPClient 3.x's own (src/db-misc.c of that series; 4.x moved to Argon2id and a
// versioned header): a 48-byte header (16-byte IV, 32-byte salt), then the JSON array of
// accounts plus its terminating NUL, encrypted with AES-256-GCM under
// PBKDF2-HMAC-SHA512(password + NUL, salt, 100 000 iterations), the header as associated data,
// and the 16-byte tag last. The secrets are fresh random ones: nothing here is a real account.
import { createCipheriv, pbkdf2Sync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const [out, passwordFile, countArg] = process.argv.slice(2);
if (!out || !passwordFile || !countArg) {
  console.error("usage: node otpclient-db.mjs OUT_FILE PASSWORD_FILE COUNT");
  process.exit(2);
}
const count = Number(countArg);
const password = readFileSync(passwordFile, "utf8").split("\n")[0];

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** A random 160-bit secret in unpadded base32 (32 characters). */
function secret() {
  return Array.from(randomBytes(32), (b) => BASE32[b & 31]).join("");
}

const accounts = [];
for (let i = 1; i <= count; i++) {
  accounts.push({
    type: "TOTP",
    label: `user${i}@example.com`,
    issuer: `Service ${String(i).padStart(3, "0")}`,
    secret: secret(),
    digits: 6,
    algo: "SHA1",
    period: 30,
  });
}

const iv = randomBytes(16);
const salt = randomBytes(32);
const header = Buffer.concat([iv, salt]);
// OTPClient derives from strlen(pwd) + 1 bytes: the password with its NUL.
const key = pbkdf2Sync(Buffer.concat([Buffer.from(password, "utf8"), Buffer.from([0])]), salt, 100_000, 32, "sha512");
const cipher = createCipheriv("aes-256-gcm", key, iv);
cipher.setAAD(header);
const plain = Buffer.concat([Buffer.from(JSON.stringify(accounts), "utf8"), Buffer.from([0])]);
const body = Buffer.concat([cipher.update(plain), cipher.final()]);
writeFileSync(out, Buffer.concat([header, body, cipher.getAuthTag()]), { mode: 0o600 });
console.log(`otpclient-db: ${count} accounts written to ${out}`);
