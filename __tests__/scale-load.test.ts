/**
 * Loading a topology costs time and memory in proportion to its size: JSON is read by
 * JSON.parse (with a one-pass check for repeated keys), and validation looks names up in
 * sets. A 40 MB topology (1,000 consumer accounts x 1,000 datasets) loads; before, the YAML
 * parser's syntax tree of it exhausted a 4 GB heap.
 */
import * as fs from "fs";
import * as path from "path";
import { scaleTopology } from "../bench/scale-topology";
import { duplicateJsonKey, loadTopology, parseText } from "../config/load";
import { TopologyError } from "../config/errors";
import { tempDir } from "./helpers/tmp";

describe("JSON topologies", () => {
  test("parse to the same value as the YAML parser gives", () => {
    const text = JSON.stringify(scaleTopology({ consumers: 3, datasets: 4 }), null, 2);
    expect(parseText(text).value).toEqual(scaleTopology({ consumers: 3, datasets: 4 }));
  });

  test("a key written twice is still refused, with its line, in JSON as in YAML", () => {
    const text = '{\n  "version": 1,\n  "project": "a",\n  "project": "b"\n}';
    expect(duplicateJsonKey(text)).toBe("project");
    expect(parseText(text).problems).toEqual([{ path: "", message: expect.stringMatching(/^not valid YAML\/JSON at line 4, column \d+: Map keys must be unique/) }]);
  });

  test("repeated keys are found per object, through escapes, and not among values or across objects", () => {
    expect(duplicateJsonKey('{"a": "a", "b": {"a": 1}, "c": [{"a": 1}, {"a": 2}]}')).toBeUndefined();
    expect(duplicateJsonKey('{"a\\u0062": 1, "ab": 2}')).toBe("ab");
    expect(duplicateJsonKey('{"x": "\\"y\\":", "y": 1}')).toBeUndefined();
    expect(duplicateJsonKey('[{"k": 1, "l": {"m": 1}, "k": 2}]')).toBe("k");
  });

  test("text that is not JSON (YAML flow style, a broken file) still gets the YAML parser's answer", () => {
    expect(parseText("{version: 1}").value).toEqual({ version: 1 });
    expect(parseText('{"version": 1,').problems[0].message).toMatch(/^not valid YAML\/JSON at line 1/);
  });
});

test("a 40 MB topology of 1,000 accounts x 1,000 datasets loads, and a problem in a large one is still reported with its path", () => {
  const dir = tempDir("mlshare-load-");
  const file = path.join(dir, "topology.json");
  const topology = scaleTopology({ consumers: 1000, datasets: 1000 }) as any;
  fs.writeFileSync(file, JSON.stringify(topology));
  expect(fs.statSync(file).size).toBeGreaterThan(35_000_000);
  // How fast it loads is the benchmark's business (npm run bench); here, that it loads at all
  // (it used to exhaust the heap) and says where a problem is.
  const loaded = loadTopology(file);
  expect(loaded.datasets).toHaveLength(1000);
  expect(loaded.accounts).toHaveLength(1002);

  // The error path at a tenth of the size: the same code, a tenth of the suite's time.
  const smaller = scaleTopology({ consumers: 100, datasets: 1000 }) as any;
  smaller.datasets[999].consumers[99].account = "ml-nope";
  fs.writeFileSync(file, JSON.stringify(smaller));
  let error: unknown;
  try {
    loadTopology(file);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(TopologyError);
  expect((error as Error).message).toContain("datasets[999].consumers[99].account");
  expect((error as Error).message).toContain('unknown account "ml-nope"');
}, 120_000);
