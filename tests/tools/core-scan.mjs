#!/usr/bin/env node
// Scans files (core dumps) for byte strings: the proof that no known test secret is left in a
// process's memory (security.md §4.3; issue 6 "Secrets in memory").
//
//   node tests/tools/core-scan.mjs NEEDLES.json FILE...
//   node tests/tools/core-scan.mjs NEEDLES.json --pid PID
//
// With --pid, the live memory of process PID is read instead (/proc/PID/maps and /proc/PID/mem:
// root, or the same user with ptrace rights): every readable private or anonymous region, the
// same bytes gcore would write, without writing gigabytes to disk (WebKit's processes map
// several GiB). File-backed read-only regions (code, fonts, locale data) are left out.
//
// NEEDLES.json is a JSON array of { "label": "...", "hex": "..." }: each needle's bytes in hex
// (so raw secrets, their base32 text and any other spelling are all plain bytes here; the
// labels must not contain the secrets). Each FILE is read in 64 MiB chunks that overlap by the
// longest needle, so a needle across a chunk boundary is found once.
//
// Prints one JSON object: { files: [{ file, bytes, found: [{ label, offset }] }], total }.
// Exit status: 0 when no needle occurs, 1 when any does, 2 on a usage or read error.
// Only the labels and offsets are printed, never the bytes around them.

import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";

const CHUNK = 64 * 1024 * 1024;
const PAGE = 4096;

function usage(message) {
  process.stderr.write(`core-scan: ${message}\nusage: core-scan.mjs NEEDLES.json FILE...\n`);
  process.exit(2);
}

/** Reads and checks the needle list. */
function loadNeedles(path) {
  let list;
  try {
    list = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    usage(`cannot read the needles in ${path}: ${e.message}`);
  }
  if (!Array.isArray(list) || list.length === 0) usage(`${path} must hold a non-empty JSON array`);
  return list.map((n, i) => {
    if (typeof n?.label !== "string" || typeof n?.hex !== "string" || !/^([0-9a-f]{2})+$/i.test(n.hex)) {
      usage(`needle ${i} must be { label: string, hex: even-length hex string }`);
    }
    const bytes = Buffer.from(n.hex, "hex");
    if (bytes.length < 8) usage(`needle ${i} (${n.label}) is shorter than 8 bytes: too many false hits`);
    return { label: n.label, bytes };
  });
}

const ZEROS = Buffer.alloc(CHUNK + 4096);

/**
 * Every offset in [`start`, `end`) of the open file `fd` where each needle starts, appended to
 * `found`; `buffer` is scratch space of CHUNK + the longest needle.
 */
function scanRange(fd, start, end, needles, longest, buffer, found, absent = null) {
  // `carry` bytes at the start of `buffer` are the previous chunk's tail.
  let carry = 0;
  let base = start; // file offset of buffer[0]
  for (;;) {
    const want = Math.min(CHUNK, end - (base + carry));
    // Live memory: a chunk with no page in RAM or swap reads as zeros; skip it unread.
    if (absent && want > 0 && absent(base + carry, want)) {
      base += carry + want;
      carry = 0;
      if (base >= end) return;
      continue;
    }
    let read = 0;
    if (want > 0) {
      try {
        read = readSync(fd, buffer, carry, want, base + carry);
      } catch (e) {
        // A live region can vanish or be unreadable (guard pages): what was read is scanned.
        if (e.code !== "EIO" && e.code !== "EFAULT") throw e;
      }
    }
    const length = carry + read;
    const view = buffer.subarray(0, length);
    // Untouched memory reads as zeros: nothing to find there.
    if (read > 0 && !view.equals(ZEROS.subarray(0, length))) {
      for (const needle of needles) {
        // A match lying wholly in the carried tail was reported with the previous chunk.
        let at = view.indexOf(needle.bytes, 0);
        while (at !== -1) {
          if (carry === 0 || at + needle.bytes.length > carry) found.push({ label: needle.label, offset: base + at });
          at = view.indexOf(needle.bytes, at + 1);
        }
      }
    }
    if (read === 0 || base + length >= end) return;
    const keep = Math.min(longest - 1, length);
    buffer.copy(buffer, 0, length - keep, length);
    base += length - keep;
    carry = keep;
  }
}

function longestOf(needles) {
  return Math.max(...needles.map((n) => n.bytes.length));
}

/** Every offset in the file at `path` where each needle starts. */
export function scanFile(path, needles) {
  const longest = longestOf(needles);
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  const found = [];
  try {
    scanRange(fd, 0, size, needles, longest, Buffer.alloc(CHUNK + longest), found);
  } finally {
    closeSync(fd);
  }
  return { file: path, bytes: size, found };
}

/**
 * Every address in the live memory of process `pid` where each needle starts: its readable
 * regions except file-backed read-only ones ([vvar] and [vsyscall] cannot be read).
 */
export function scanPid(pid, needles) {
  const longest = longestOf(needles);
  const maps = readFileSync(`/proc/${pid}/maps`, "latin1").split("\n").filter(Boolean);
  const fd = openSync(`/proc/${pid}/mem`, "r");
  // /proc/PID/pagemap: 8 bytes a page, bit 63 "present", bit 62 "swapped". WebKit reserves tens
  // of GiB it never touches; only chunks with a page in use are read.
  const pagemap = openSync(`/proc/${pid}/pagemap`, "r");
  const entries = Buffer.alloc((CHUNK / PAGE) * 8);
  const absent = (address, length) => {
    const first = Math.floor(address / PAGE);
    const count = Math.ceil((address + length) / PAGE) - first;
    const got = readSync(pagemap, entries, 0, count * 8, first * 8);
    for (let i = 0; i + 8 <= got; i += 8) {
      if (entries[i + 7] & 0xc0) return false;
    }
    return true;
  };
  const buffer = Buffer.alloc(CHUNK + longest);
  const found = [];
  let bytes = 0;
  let regions = 0;
  try {
    for (const line of maps) {
      const [range, perms, , , inode, ...rest] = line.trim().split(/\s+/);
      const name = rest.join(" ");
      if (perms[0] !== "r") continue;
      if (name === "[vvar]" || name === "[vsyscall]" || name === "[vvar_vclock]") continue;
      // File-backed and not writable: program text and data files, the same in every process.
      if (inode !== "0" && perms[1] !== "w") continue;
      const [start, end] = range.split("-").map((h) => Number.parseInt(h, 16));
      if (!Number.isSafeInteger(end)) continue;
      scanRange(fd, start, end, needles, longest, buffer, found, absent);
      bytes += end - start;
      regions++;
    }
  } finally {
    closeSync(fd);
    closeSync(pagemap);
  }
  return { file: `/proc/${pid}/mem`, bytes, regions, found };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [needlesPath, ...files] = process.argv.slice(2);
  if (!needlesPath || files.length === 0) usage("need a needle file and at least one file to scan");
  const needles = loadNeedles(needlesPath);
  const report = { files: [], total: 0 };
  if (files[0] === "--pid") {
    if (files.length !== 2 || !/^\d+$/.test(files[1])) usage("--pid takes one process id");
    try {
      const result = scanPid(Number(files[1]), needles);
      report.files.push(result);
      report.total += result.found.length;
    } catch (e) {
      process.stderr.write(`core-scan: cannot read the memory of process ${files[1]}: ${e.message}\n`);
      process.exit(2);
    }
    process.stdout.write(`${JSON.stringify(report)}\n`);
    process.exit(report.total === 0 ? 0 : 1);
  }
  for (const file of files) {
    try {
      const result = scanFile(file, needles);
      report.files.push(result);
      report.total += result.found.length;
    } catch (e) {
      process.stderr.write(`core-scan: cannot read ${file}: ${e.message}\n`);
      process.exit(2);
    }
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(report.total === 0 ? 0 : 1);
}
