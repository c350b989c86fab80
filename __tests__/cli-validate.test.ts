/**
 * `npm run validate`: bin/validate.ts, run as a user runs it (a child process), plus its
 * argument handling in-process.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main, USAGE } from "../bin/validate";
import { CONFIG_ENV } from "../config/load";
import { REFERENCE_ACCOUNTS } from "./helpers/problems";
import { tempDir } from "./helpers/tmp";
import { referenceInput, writeTopology } from "./helpers/topology";

const ROOT = path.join(__dirname, "..");
const REFERENCE_SUMMARY = "valid (5 accounts, 1 dataset, 2 model artifact sets (1 made for ML projects), 1 SageMaker domain, 1 ML project, 1 RAM share)";

/** Runs the validate command in a child process; stderr without npm's own warnings. */
function validate(args: string[], env: NodeJS.ProcessEnv = {}) {
  return run("node", ["bin/run.js", "bin/validate", ...args], ROOT, env);
}

/** `npm run validate -- args`, typed in `cwd` (a folder of the project), as a user types it. */
function npmValidate(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return run("npm", ["run", "--silent", "validate", "--", ...args], cwd, env);
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env[CONFIG_ENV] === undefined) delete childEnv[CONFIG_ENV];
  // The folder the command is typed in, as npm records it (npm sets it again itself).
  if (env.INIT_CWD === undefined) childEnv.INIT_CWD = cwd;
  const r = spawnSync(command, args, { cwd, env: childEnv, encoding: "utf8" });
  if (r.error) throw r.error;
  const stderr = r.stderr
    .split("\n")
    .filter((l) => !/^npm (warn|notice)/i.test(l))
    .join("\n");
  return { status: r.status, stdout: r.stdout, stderr };
}

describe("as a command", () => {
  test("reports a valid file on stdout and exits 0", () => {
    const file = writeTopology(referenceInput(), "valid.json");
    const r = validate([file]);
    expect(r.stdout).toBe(`${file}: ${REFERENCE_SUMMARY}\n`);
    expect(r.stderr.trim()).toBe("");
    expect(r.status).toBe(0);
  });

  test("reports every problem of a broken file on stderr, without a stack trace, and exits 1", () => {
    const t = referenceInput();
    t.project = "ACME";
    t.datasets[0].consumers[1].account = "ml-qa";
    t.ramShares[0].resources[0].arn = "arn:aws:s3:::acme-ml-data";
    const file = writeTopology(t, "broken.json");

    const r = validate([file]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`mlshare: the topology in ${file} has 3 errors:\n`);
    expect(r.stderr).toContain('\n  - project: must be 3-20 characters of [a-z0-9-], starting with a letter (value: "ACME")\n');
    expect(r.stderr).toContain(`\n  - datasets[0].consumers[1].account: unknown account "ml-qa"; known: ${REFERENCE_ACCOUNTS}\n`);
    expect(r.stderr).toContain('\n  - ramShares[0].resources[0].arn: "arn:aws:s3:::acme-ml-data" is a resource of S3. RAM cannot share S3 buckets');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test(`checks the file named by ${CONFIG_ENV} when no file is given`, () => {
    const t = referenceInput();
    t.accounts["ml-dev"].id = "1";
    const file = writeTopology(t, "from-env.json");
    const r = validate([], { [CONFIG_ENV]: file });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`mlshare: the topology in ${file} has 1 error:\n  - accounts.ml-dev.id: must be a 12-digit AWS account id`);
  });
});

describe("files that are no topology, as a command", () => {
  test("an empty file: says it is empty, naming the file", () => {
    const file = path.join(tempDir(), "empty.yaml");
    fs.writeFileSync(file, "# to be written\n");
    const r = validate([file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `mlshare: the topology in ${file} has 1 error:\n  - the file is empty (nothing but blank lines or comments): a topology is one YAML or JSON object, starting with \`version: 1\`\n`,
    );
  });

  test("a directory: says so, naming it, without EISDIR", () => {
    const dir = tempDir();
    const r = validate([dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`mlshare: the topology in ${dir} has 1 error:\n  - cannot read the topology file: ${dir} is a directory; name a YAML or JSON file\n`);
  });

  test("a missing relative path: names the path it tried, from the folder the command was typed in", () => {
    const here = tempDir();
    const r = validate(["nope.yaml"], { INIT_CWD: here });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`mlshare: the topology in nope.yaml has 1 error:\n  - cannot read the topology file: no such file: ${path.join(here, "nope.yaml")}\n`);
    expect(r.stderr).not.toContain(CONFIG_ENV);
  });

  test(`a missing file named by ${CONFIG_ENV}: says so`, () => {
    const here = tempDir();
    const r = validate([], { INIT_CWD: here, [CONFIG_ENV]: "gone.yaml" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`no such file: ${path.join(here, "gone.yaml")} (named by ${CONFIG_ENV}=gone.yaml)`);
  });

  test("a syntax error: the line where the unclosed quote opens", () => {
    const file = path.join(tempDir(), "broken.yaml");
    fs.writeFileSync(file, 'version: 1\nproject: "acme-ml\ndefaultRegion: us-east-1\n');
    const r = validate([file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("  - not valid YAML/JSON at line 2, column 10: Missing closing \"quote (opened here; noticed at line 4, column 1)");
  });
});

describe("npm run validate, typed in a subfolder (npm runs the script in the package's folder)", () => {
  const examples = path.join(ROOT, "examples");

  test("a relative path is the user's, from the subfolder", () => {
    const r = npmValidate(["reference.yaml"], examples);
    expect(r.stderr.trim()).toBe("");
    expect(r.stdout).toBe(`reference.yaml: ${REFERENCE_SUMMARY}\n`);
    expect(r.status).toBe(0);
  });

  test(`so is a relative ${CONFIG_ENV}`, () => {
    const r = npmValidate([], examples, { [CONFIG_ENV]: "reference.yaml" });
    expect(r.stdout).toBe(`reference.yaml: ${REFERENCE_SUMMARY}\n`);
    expect(r.status).toBe(0);
  });

  test("a missing relative path names the path tried in the subfolder", () => {
    const r = npmValidate(["no-such-topology.yaml"], examples);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`no such file: ${path.join(examples, "no-such-topology.yaml")}`);
  });
});

describe("arguments", () => {
  let out: string;
  let err: string;
  let saved: string | undefined;

  beforeEach(() => {
    out = "";
    err = "";
    saved = process.env[CONFIG_ENV];
    delete process.env[CONFIG_ENV];
    jest.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
    jest.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    if (saved === undefined) delete process.env[CONFIG_ENV];
    else process.env[CONFIG_ENV] = saved;
  });

  test("checks the reference topology when no file is given and the environment names none", () => {
    const cwd = process.cwd();
    const initCwd = process.env.INIT_CWD;
    process.chdir(ROOT);
    process.env.INIT_CWD = ROOT;
    try {
      expect(main([])).toBe(0);
    } finally {
      process.chdir(cwd);
      if (initCwd === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = initCwd;
    }
    expect(out).toBe(`${path.join("examples", "reference.yaml")}: ${REFERENCE_SUMMARY}\n`);
  });

  test("counts accounts to be created and accounts outside the organization", () => {
    const t = referenceInput();
    t.accounts["ml-sandbox"] = { create: true, email: "ml-sandbox@example.com", name: "ML sandbox" };
    t.accounts.partner = { id: "999999999999", outsideOrganization: true };
    const file = writeTopology(t);
    expect(main([file])).toBe(0);
    expect(out).toMatch(/: valid \(7 accounts, .*, 1 RAM share, 1 to be created\)\n$/);
  });

  test("prints its usage with --help and exits 0", () => {
    expect(main(["--help"])).toBe(0);
    expect(out).toBe(`${USAGE}\n`);
    expect(out).toMatch(/^Usage: npm run validate -- \[file\]/);
    expect(out).toContain(`$${CONFIG_ENV}`);
  });

  test("refuses an unknown option with exit status 2", () => {
    expect(main(["--strict", "topology.yaml"])).toBe(2);
    expect(err).toMatch(/^mlshare validate: unknown option --strict\n\nUsage:/);
    expect(out).toBe("");
  });

  test("refuses more than one file with exit status 2", () => {
    expect(main(["a.yaml", "b.yaml"])).toBe(2);
    expect(err).toMatch(/^mlshare validate: give at most one topology file\n/);
  });
});
