/** bin/run.js runs compiled code only when it is as new as every source: an edit is never ignored. */
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./helpers/tmp";

const { compiledIsFresh } = require("../bin/run.js") as { compiledIsFresh: (root: string) => boolean };

function project(files: Record<string, number>): string {
  const root = tempDir("mlshare-run-");
  for (const [file, mtime] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), "");
    fs.utimesSync(path.join(root, file), mtime, mtime);
  }
  return root;
}

test("uses the compiled code when every source has a compiled file at least as new", () => {
  expect(compiledIsFresh(project({ "main.ts": 100, "config/a.ts": 100, "dist/main.js": 200, "dist/config/a.js": 100 }))).toBe(true);
});

test("falls back to the sources when one source is newer than its compiled file", () => {
  expect(compiledIsFresh(project({ "main.ts": 100, "config/a.ts": 300, "dist/main.js": 200, "dist/config/a.js": 200 }))).toBe(false);
});

test("falls back to the sources when a source has no compiled file yet", () => {
  expect(compiledIsFresh(project({ "main.ts": 100, "config/a.ts": 100, "config/new.ts": 100, "dist/main.js": 200, "dist/config/a.js": 200 }))).toBe(false);
});

test("falls back to the sources when nothing was compiled", () => {
  expect(compiledIsFresh(project({ "main.ts": 100 }))).toBe(false);
});

test("checks the sources of the output publisher too (output/)", () => {
  expect(compiledIsFresh(project({ "main.ts": 100, "output/publish.ts": 300, "dist/main.js": 200, "dist/output/publish.js": 200 }))).toBe(false);
});

describe("bin/cdktf.js, what npm run synth runs", () => {
  const { cliEnv } = require("../bin/cdktf.js") as { cliEnv: (env: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));

  test("npm run synth goes through it", () => {
    expect(pkg.scripts.synth).toBe("node bin/cdktf.js synth");
  });

  test("turns HashiCorp's version check off unless the environment says otherwise", () => {
    expect(cliEnv({ PATH: "/bin" })).toEqual({ PATH: "/bin", CHECKPOINT_DISABLE: "1" });
    expect(cliEnv({ CHECKPOINT_DISABLE: "" }).CHECKPOINT_DISABLE).toBe("");
  });
});

test("help begins with mlshare, not with cdktf's project template", () => {
  const help = fs.readFileSync(path.join(__dirname, "..", "help"), "utf8");
  expect(help).not.toContain("Your cdktf TypeScript project is ready");
  expect(help.split("\n").find((l) => l.trim() && !/^=+$/.test(l))?.trim()).toMatch(/^mlshare: /);
});
