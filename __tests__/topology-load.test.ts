/**
 * Reading topology files (config/load.ts): YAML and JSON, syntax errors with their line,
 * unreadable files, which file the app reads, and every problem of a file reported at once.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { TopologyError } from "../config/errors";
import { CONFIG_ENV, DEFAULT_TOPOLOGY, loadTopology, parseText, topologyPath, userCwd } from "../config/load";
import { REFERENCE_ACCOUNTS } from "./helpers/problems";
import { minimalInput, referenceInput, writeTopology } from "./helpers/topology";

/** The TopologyError `load` throws (fails the test when it throws nothing or something else). */
function loadError(load: () => unknown): TopologyError {
  try {
    load();
  } catch (e) {
    if (e instanceof TopologyError) return e;
    throw e;
  }
  throw new Error("expected a TopologyError, but the topology loaded");
}

/** Writes `text` verbatim to a fresh temp file named `name`; returns its path. */
function writeText(text: string, name: string): string {
  const file = writeTopology({}, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("files", () => {
  test("the default topology is the reference topology that ships in the repo", () => {
    expect(topologyPath({})).toBe(DEFAULT_TOPOLOGY);
    expect(path.relative(path.join(__dirname, ".."), DEFAULT_TOPOLOGY)).toBe(path.join("examples", "reference.yaml"));
  });

  test(`${CONFIG_ENV} points the app at another file, resolved from the working directory`, () => {
    expect(topologyPath({ [CONFIG_ENV]: "topologies/prod.yaml" })).toBe(path.resolve("topologies/prod.yaml"));
  });

  test(`a blank ${CONFIG_ENV} means the default topology`, () => {
    expect(topologyPath({ [CONFIG_ENV]: "  " })).toBe(DEFAULT_TOPOLOGY);
  });

  test("loads the reference topology file", () => {
    const t = loadTopology(DEFAULT_TOPOLOGY);
    expect(t.project).toBe("acme-ml");
    expect(t.accounts.map((a) => a.key)).toEqual(["management", "data-lake", "ml-dev", "ml-staging", "ml-prod"]);
  });

  test("loads a JSON file and a YAML file with the same content into the same topology", () => {
    const json = writeTopology(referenceInput(), "topology.json");
    const yaml = writeText(stringify(referenceInput()), "topology.yaml");
    expect(fs.readFileSync(json, "utf8").trimStart().startsWith("{")).toBe(true);
    const fromJson = loadTopology(json);
    expect(fromJson).toEqual(loadTopology(yaml));
    expect(fromJson).toEqual(loadTopology(DEFAULT_TOPOLOGY));
  });

  test("reports a missing file, naming the path it tried", () => {
    const missing = path.join(path.dirname(writeTopology({})), "nope.yaml");
    const e = loadError(() => loadTopology(missing));
    expect(e.problems).toEqual([{ path: "", message: `cannot read the topology file: no such file: ${missing}` }]);
    expect(e.message).toBe(`mlshare: the topology in ${missing} has 1 error:\n  - cannot read the topology file: no such file: ${missing}`);
  });

  test(`says when the missing file was named by ${CONFIG_ENV}`, () => {
    const missing = path.join(path.dirname(writeTopology({})), "gone.yaml");
    const saved = process.env[CONFIG_ENV];
    process.env[CONFIG_ENV] = missing;
    try {
      expect(loadError(() => loadTopology()).problems).toEqual([
        { path: "", message: `cannot read the topology file: no such file: ${missing} (named by ${CONFIG_ENV}=${missing})` },
      ]);
    } finally {
      if (saved === undefined) delete process.env[CONFIG_ENV];
      else process.env[CONFIG_ENV] = saved;
    }
  });

  test("shows the file as the user wrote it in the header, and the path tried in the problem", () => {
    const dir = path.dirname(writeTopology({}));
    const e = loadError(() => loadTopology(path.join(dir, "typo.yaml"), { shown: "typo.yaml" }));
    expect(e.message).toBe(`mlshare: the topology in typo.yaml has 1 error:\n  - cannot read the topology file: no such file: ${path.join(dir, "typo.yaml")}`);
  });

  test("reports a directory as one, not as EISDIR", () => {
    const dir = path.dirname(writeTopology({}));
    expect(loadError(() => loadTopology(dir)).problems).toEqual([
      { path: "", message: `cannot read the topology file: ${dir} is a directory; name a YAML or JSON file` },
    ]);
  });

  test.each([
    ["an empty file", ""],
    ["a file of blank lines", "\n\n  \n"],
    ["a file of comments only", "# version: 1\n# project: acme-ml\n"],
  ])("says that %s is empty", (_name, text) => {
    const file = writeText(text, "empty.yaml");
    expect(loadError(() => loadTopology(file)).problems).toEqual([
      { path: "", message: "the file is empty (nothing but blank lines or comments): a topology is one YAML or JSON object, starting with `version: 1`" },
    ]);
  });

  test("says that a file holding a list is not an object", () => {
    const file = writeText("- version: 1\n- project: acme-ml\n", "list.yaml");
    expect(loadError(() => loadTopology(file)).problems).toEqual([
      {
        path: "",
        message: 'the file holds a list, not an object: a topology is one YAML or JSON object, starting with `version: 1` (value: [{"version":1},{"project":"acme-ml"}])',
      },
    ]);
  });

  test(`${CONFIG_ENV} and file arguments are relative to the folder the user typed the command in (INIT_CWD under npm)`, () => {
    expect(userCwd({ INIT_CWD: "/home/me/topologies" })).toBe("/home/me/topologies");
    expect(userCwd({})).toBe(process.cwd());
    expect(userCwd({ INIT_CWD: "relative/is/no/folder" })).toBe(process.cwd());
    expect(topologyPath({ [CONFIG_ENV]: "prod.yaml", INIT_CWD: "/home/me/topologies" })).toBe("/home/me/topologies/prod.yaml");
  });
});

describe("syntax errors", () => {
  test("reports a YAML syntax error with its line and column", () => {
    const file = writeText("version: 1\nproject: acme-ml\ndefaultRegion: us-east-1: x\n", "broken.yaml");
    const e = loadError(() => loadTopology(file));
    expect(e.problems).toEqual([
      { path: "", message: "not valid YAML/JSON at line 3, column 16: Nested mappings are not allowed in compact mappings" },
    ]);
    expect(e.message).toContain(`in ${file} has 1 error`);
  });

  test("an unclosed quote is reported where it opens, not where the parser gave up", () => {
    const { problems } = parseText('version: 1\nproject: "acme-ml\ndefaultRegion: us-east-1\nstate:\n  backend: s3\n');
    expect(problems).toEqual([{ path: "", message: 'not valid YAML/JSON at line 2, column 10: Missing closing "quote (opened here; noticed at line 6, column 1)' }]);
  });

  test("an unclosed flow mapping is reported where it opens", () => {
    const { problems } = parseText('version: 1\naccounts:\n  lake: { id: "222222222222"\n  ml-dev: { id: "333333333333" }\n');
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^not valid YAML\/JSON at line 3, column 9: .* \(opened here; noticed at line 4, column 3\)$/);
  });

  test("a closed quote before the error does not move it", () => {
    const { problems } = parseText('version: 1\nproject: "acme-ml"\nproject: "again"\n');
    expect(problems).toEqual([{ path: "", message: "not valid YAML/JSON at line 3, column 1: Map keys must be unique" }]);
  });

  test("reports a JSON syntax error with its line", () => {
    const { problems } = parseText('{\n  "version": 1,\n  "project": "acme-ml",,\n  "accounts": {}\n}\n');
    expect(problems).toEqual([{ path: "", message: "not valid YAML/JSON at line 3, column 24: Unexpected , in flow map" }]);
  });

  test("refuses a key written twice, which YAML would otherwise resolve silently", () => {
    const { problems } = parseText("version: 1\nproject: acme-ml\nproject: other\n");
    expect(problems).toEqual([{ path: "", message: "not valid YAML/JSON at line 3, column 1: Map keys must be unique" }]);
  });
});

describe("every problem at once", () => {
  test("reports shape and reference errors of one topology together", () => {
    const t = referenceInput();
    t.project = "Acme";
    t.regoin = "us-east-1";
    t.accounts["ml-dev"].id = 333333333333;
    t.state.locking = "dynamodb";
    t.datasets[0].consumers[1].account = "ml-qa";
    t.datasets[0].consumers.push({ account: "data-lake" });
    t.sagemaker.domains[0].vpcId = "vpc-1";
    t.ramShares[0].resources.push({ arn: "arn:aws:s3:::acme-ml-data" });
    t.tags.ManagedBy = "me";
    const file = writeTopology(t, "many-errors.json");

    const e = loadError(() => loadTopology(file));
    const lines = e.problems.map((p) => `${p.path}: ${p.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'project: must be 3-20 characters of [a-z0-9-], starting with a letter (value: "Acme")',
        expect.stringMatching(/^regoin: unknown key "regoin"; allowed here: \$schema, version, project, /),
        'accounts.ml-dev.id: must be a string: a 12-digit AWS account id written as a quoted string ("012345678901") (value: 333333333333)',
        'sagemaker.domains[0].vpcId: must be a VPC id: vpc- followed by 8 or 17 hexadecimal digits (value: "vpc-1")',
        "state.dynamodbTable: is required when locking is dynamodb",
        `datasets[0].consumers[1].account: unknown account "ml-qa"; known: ${REFERENCE_ACCOUNTS}`,
        expect.stringMatching(/^datasets\[0\]\.consumers\[2\]\.account: a dataset's consumer is never its own account/),
        expect.stringMatching(/^ramShares\[0\]\.resources\[1\]\.arn: "arn:aws:s3:::acme-ml-data" is a resource of S3\. RAM cannot share S3 buckets/),
        "tags.ManagedBy: is set by mlshare itself (ManagedBy = mlshare); remove it",
      ]),
    );
    expect(lines).toHaveLength(9);
    expect(e.message.split("\n")[0]).toBe(`mlshare: the topology in ${file} has 9 errors:`);
    expect(e.message.split("\n").slice(1)).toEqual(lines.map((l) => `  - ${l}`));
  });

  test("reports the problems of a broken minimal topology, each once", () => {
    const t = minimalInput();
    delete t.state;
    delete t.version;
    t.accounts.lake.id = "2";
    const e = loadError(() => loadTopology(writeTopology(t)));
    expect(e.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "version: is required: must be 1 (the only topology version)",
      "state: is required (object)",
      'accounts.lake.id: must be a 12-digit AWS account id written as a quoted string ("012345678901") (value: "2")',
    ]);
  });
});
