// Lists the Rust crates compiled into the given workspace binaries, with their versions and
// licenses, for /usr/share/doc/twofold/rust-crates.txt (scripts/package.sh; the copyright file
// points at it):
//
//   node packaging/rust-crates.mjs PACKAGE…       e.g. twofold twofold-cli
//
// From `cargo metadata --locked` for the host platform: the normal dependencies of PACKAGE…,
// transitively. Build dependencies and proc macros run only at compile time and are left out,
// as are the workspace's own crates (GPL-3.0-or-later, the copyright file's main paragraph).
import { execFileSync } from "node:child_process";

const roots = process.argv.slice(2);
if (roots.length === 0) {
  console.error("usage: node packaging/rust-crates.mjs PACKAGE…");
  process.exit(2);
}
const host = /^host: (.+)$/m.exec(execFileSync("rustc", ["-vV"], { encoding: "utf8" }))[1];
const metadata = JSON.parse(
  execFileSync("cargo", ["metadata", "--format-version", "1", "--locked", "--filter-platform", host], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  }),
);
const packages = new Map(metadata.packages.map((p) => [p.id, p]));
const nodes = new Map(metadata.resolve.nodes.map((n) => [n.id, n]));
const members = new Set(metadata.workspace_members);
const procMacro = (p) => p.targets.every((t) => t.kind.includes("proc-macro"));

const queue = roots.map((name) => {
  const id = [...members].find((m) => packages.get(m).name === name);
  if (!id) throw new Error(`no workspace package named ${name}`);
  return id;
});
const seen = new Set(queue);
while (queue.length > 0) {
  for (const dep of nodes.get(queue.shift()).deps) {
    if (seen.has(dep.pkg) || !dep.dep_kinds.some((k) => k.kind === null)) continue;
    if (procMacro(packages.get(dep.pkg))) continue;
    seen.add(dep.pkg);
    queue.push(dep.pkg);
  }
}
const crates = [...seen]
  .filter((id) => !members.has(id))
  .map((id) => packages.get(id))
  .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version, undefined, { numeric: true }));
const width = Math.max(...crates.map((p) => `${p.name} ${p.version}`.length));
console.log(`Rust crates compiled into ${roots.join(" and ")} (${crates.length}), each under its own license`);
console.log("(SPDX expression as the crate declares it; the texts are in each crate's source on crates.io).");
console.log("");
for (const p of crates) {
  console.log(`${`${p.name} ${p.version}`.padEnd(width)}  ${p.license ?? `see ${p.license_file ?? "the crate"}`}`);
}
