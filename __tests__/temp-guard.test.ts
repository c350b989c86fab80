/**
 * The check that ends every jest run (helpers/temp-guard.js): a run whose temporary
 * directory is not empty at the end fails, naming what was left.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { tempDir, removeTempDirs } from "./helpers/tmp";

const guard = require("./helpers/temp-guard") as {
  RUN_TMPDIR: string;
  leftovers: (dir: string) => string[];
  assertEmpty: (dir: string) => void;
};

test("the run's temporary directory is a folder of its own, and os.tmpdir() is it", () => {
  const dir = process.env[guard.RUN_TMPDIR];
  expect(dir).toBeDefined();
  expect(path.basename(dir!)).toMatch(/^mlshare-jest-/);
  expect(os.tmpdir()).toBe(dir);
});

test("an empty directory passes", () => {
  const dir = tempDir();
  expect(() => guard.assertEmpty(dir)).not.toThrow();
});

test("a leftover file or folder fails the check, named with what it holds", () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "stray.json"), "{}");
  fs.mkdirSync(path.join(dir, "mlshare-synth-abc", "cdktf.out"), { recursive: true });
  expect(guard.leftovers(dir)).toEqual(["mlshare-synth-abc/ (cdktf.out)", "stray.json"]);
  expect(() => guard.assertEmpty(dir)).toThrow(/THE TESTS LEFT 2 ENTRIES IN THE TEMPORARY DIRECTORY[\s\S]*mlshare-synth-abc\/ \(cdktf\.out\)\n  stray\.json/);
});

test("tempDir folders are removed by removeTempDirs (what setup.ts runs after each test file)", () => {
  const a = tempDir();
  const b = tempDir();
  fs.writeFileSync(path.join(b, "file"), "x");
  removeTempDirs();
  expect([fs.existsSync(a), fs.existsSync(b)]).toEqual([false, false]);
});

test("the test environment removes a test file's folders when it is torn down, which jest does even when the file fails to load", async () => {
  const Environment = require("./helpers/environment");
  const env = new Environment(
    { globalConfig: {}, projectConfig: { testEnvironmentOptions: {}, globals: {} } },
    { console, docblockPragmas: {}, testPath: __filename },
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-env-"));
  fs.writeFileSync(path.join(dir, "file"), "x");
  env.global[Symbol.for("mlshare.test.tempDirs")] = [dir];
  await env.teardown();
  expect(fs.existsSync(dir)).toBe(false);
});
