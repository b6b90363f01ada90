// Checks the GitHub workflows in .github/workflows/ (issue 18: a workflow GitHub refused ran
// no job, and nothing here noticed). Run by `scripts/test.sh quick`:
//
//   node tests/tools/check-workflows.mjs
//
//   1. schema: each file passes action-validator (YAML syntax and the workflow schema);
//   2. the check can fail: copies mutated the way workflows break (an unquoted ": " in a plain
//      run: scalar, the bug of issue 18; a misspelt job key) must be rejected by it, and the
//      unmutated copy accepted;
//   3. shellcheck: every run: block, as bash (the shell every step must use, so none escapes),
//      with each ${{ … }} expression replaced by a placeholder;
//   4. no drift from the scripts: every path under scripts/, tests/tools/ or .ci/ that a run:
//      block names exists, and every stage it gives scripts/test.sh is one test.sh knows
//      (`scripts/test.sh --list-stages`); a missing script and an unknown stage planted in a
//      copy must be reported.
//
// Tools: action-validator and the YAML parser from tests/tools/node_modules (scripts/setup.sh
// installs them from tests/tools/package-lock.json), shellcheck from apt. Prints one line a
// finding and `check-workflows: ok`; exits 1 on any failure.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const validator = join(here, "node_modules/@action-validator/cli/cli.mjs");
const workflowsDir = join(root, ".github/workflows");
const PLACEHOLDER = "GHA_EXPRESSION";

let failures = 0;
const say = (text) => console.log(`check-workflows: ${text}`);
const fail = (text) => {
  failures++;
  console.log(`check-workflows: FAIL: ${text}`);
};

if (!existsSync(validator)) {
  console.error(`check-workflows: no action-validator at ${validator}: run scripts/setup.sh`);
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), "twofold-workflows-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

/** action-validator on `text`, written as `name` (the name decides workflow or action schema). */
function validate(name, text) {
  const dir = mkdtempSync(join(scratch, "v-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  const run = spawnSync(process.execPath, [validator, file], { encoding: "utf8" });
  const output = `${run.stdout}${run.stderr}`.trim();
  let errors = [];
  try {
    errors = JSON.parse(output.slice(output.indexOf("{"))).errors ?? [];
  } catch {
    // no JSON: a pass prints nothing
  }
  return { ok: run.status === 0, output, errors };
}

const summary = (errors) =>
  errors.map((e) => `${e.code}: ${e.title}${e.detail ? ` (${e.detail})` : ""}${e.path ? ` at ${e.path}` : ""}`).join("; ");

/** The shell a step's run: block gets: the step's, the job's default, the workflow's. */
function shellOf(workflow, job, step) {
  return step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? null;
}

/** Every run: block of a parsed workflow, with where it is. */
function runBlocks(workflow) {
  const blocks = [];
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    (job.steps ?? []).forEach((step, index) => {
      if (typeof step.run !== "string") return;
      blocks.push({ where: `job ${jobId}, step ${index + 1} (${step.name ?? step.uses ?? "unnamed"})`, job, step });
    });
  }
  return blocks;
}

const stages = execFileSync("bash", [join(root, "scripts/test.sh"), "--list-stages"], { encoding: "utf8" })
  .split("\n")
  .filter(Boolean);

/** Paths and test.sh stages named in the run: blocks; returns the problems found. */
function drift(workflow) {
  const problems = [];
  const paths = new Set();
  let stageUses = 0;
  for (const { where, step } of runBlocks(workflow)) {
    const script = step.run.replace(/\$\{\{[^}]*\}\}/g, PLACEHOLDER);
    for (const m of script.matchAll(/(?<![\w./-])(?:\.\/)?((?:scripts|tests\/tools|\.ci)\/[\w.\/-]+)/g)) {
      const path = m[1].replace(/\/+$/, "");
      paths.add(path);
      if (!existsSync(join(root, path))) problems.push(`${where} names ${path}, which does not exist`);
    }
    for (const m of script.matchAll(/scripts\/test\.sh((?:[ \t]+[A-Za-z][\w-]*)*)/g)) {
      for (const stage of m[1].trim().split(/\s+/).filter(Boolean)) {
        stageUses++;
        if (!stages.includes(stage)) problems.push(`${where} runs scripts/test.sh ${stage}: no such stage (${stages.join(", ")})`);
      }
    }
  }
  return { problems, paths: [...paths].sort(), stageUses };
}

const files = readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));
if (files.length === 0) fail(`no workflow in ${workflowsDir}`);

for (const name of files) {
  const text = readFileSync(join(workflowsDir, name), "utf8");
  const label = `.github/workflows/${name}`;

  // 1. Schema.
  const result = validate(name, text);
  if (!result.ok) {
    fail(`${label} is not a valid workflow: ${summary(result.errors) || result.output}`);
    continue;
  }
  say(`${label}: valid (action-validator: YAML and the workflow schema)`);

  // 2. The check rejects what breaks a workflow.
  const lines = text.split("\n");
  const plainRun = lines.findIndex((l) => /^\s+(?:- )?run: [^|>\s]/.test(l));
  const mutations = [];
  if (plainRun >= 0) {
    const indent = lines[plainRun].match(/^(\s+(?:- )?)run:/)[1];
    const mutated = [...lines];
    mutated[plainRun] = `${indent}run: echo "::error::unquoted: a colon and a space in a plain scalar"`;
    mutations.push({ what: `an unquoted ": " in the plain run: scalar of line ${plainRun + 1}`, text: mutated.join("\n"), expect: "parse_error" });
  } else {
    fail(`${label}: no plain (single-line) run: scalar to mutate`);
  }
  const runsOn = lines.findIndex((l) => /^\s+runs-on:/.test(l));
  if (runsOn >= 0) {
    const mutated = [...lines];
    mutated[runsOn] = mutated[runsOn].replace("runs-on:", "runs_on:");
    mutations.push({ what: `a misspelt job key (runs_on) at line ${runsOn + 1}`, text: mutated.join("\n"), expect: null });
  }
  for (const m of mutations) {
    const r = validate(name, m.text);
    if (r.ok) {
      fail(`${label}: the validator accepted ${m.what}`);
    } else if (m.expect && !r.errors.some((e) => e.code === m.expect)) {
      fail(`${label}: ${m.what} was rejected, but not as ${m.expect}: ${summary(r.errors) || r.output}`);
    } else {
      say(`${label}: mutation rejected as it must be, ${m.what}: ${summary(r.errors)}`);
    }
  }

  // 3. shellcheck of every run: block.
  const workflow = parse(text);
  const blocks = runBlocks(workflow);
  const scripts = [];
  for (const [i, { where, job, step }] of blocks.entries()) {
    const shell = shellOf(workflow, job, step);
    if (shell !== "bash") {
      fail(`${label}: ${where} runs in ${shell ?? "the runner's default shell"}, not bash: shellcheck cannot lint it (set shell: bash)`);
      continue;
    }
    const file = join(scratch, `${name}-run-${String(i + 1).padStart(2, "0")}.sh`);
    writeFileSync(file, `#!/usr/bin/env bash\n# ${where}\n${step.run.replace(/\$\{\{[^}]*\}\}/g, PLACEHOLDER)}`);
    scripts.push({ file, where });
  }
  if (scripts.length > 0) {
    const sc = spawnSync("shellcheck", ["-s", "bash", "-f", "gcc", ...scripts.map((s) => s.file)], { encoding: "utf8" });
    if (sc.error) {
      fail(`shellcheck did not run: ${sc.error.message} (scripts/setup.sh installs it)`);
    } else if (sc.status !== 0) {
      for (const line of sc.stdout.trim().split("\n")) {
        const s = scripts.find((x) => line.startsWith(x.file));
        fail(`${label}: ${s ? `${s.where}: ${line.slice(s.file.length + 1)}` : line}`);
      }
    } else {
      say(`${label}: ${scripts.length} run: blocks, all bash, pass shellcheck`);
    }
  }

  // 4. Scripts and stages named exist.
  const found = drift(workflow);
  for (const p of found.problems) fail(`${label}: ${p}`);
  if (found.problems.length === 0) {
    say(`${label}: the ${found.paths.length} scripts it names exist (${found.paths.join(", ")}); ${found.stageUses} scripts/test.sh stage(s) named, all known`);
  }
  const planted = structuredClone(workflow);
  const someJob = Object.values(planted.jobs)[0];
  someJob.steps.push({ name: "planted", run: "bash scripts/no-such-script.sh\nbash scripts/test.sh quick no-such-stage" });
  const caught = drift(planted).problems;
  if (caught.some((p) => p.includes("scripts/no-such-script.sh")) && caught.some((p) => p.includes("no-such-stage"))) {
    say(`${label}: a planted missing script and unknown stage are reported`);
  } else {
    fail(`${label}: the drift check missed a planted missing script or unknown stage: ${JSON.stringify(caught)}`);
  }
}

if (failures > 0) {
  console.log(`check-workflows: ${failures} problem(s)`);
  process.exit(1);
}
say("ok");
