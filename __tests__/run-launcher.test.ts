/** bin/run.js runs compiled code only when it is as new as every source: an edit is never ignored. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const { compiledIsFresh } = require("../bin/run.js") as { compiledIsFresh: (root: string) => boolean };

function project(files: Record<string, number>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-run-"));
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
