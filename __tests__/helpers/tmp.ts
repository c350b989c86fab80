/**
 * Temporary folders for tests: each is removed after the tests of the file that made it
 * (setup.ts, and the test environment, helpers/environment.js, for a file that fails to
 * load), so the suite leaves nothing in the temporary directory (checked by the jest global
 * teardown, helpers/temp-guard.js).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

// On globalThis: the setup file, the test file and the test environment see the same list.
const KEY = Symbol.for("mlshare.test.tempDirs");
const registry = globalThis as unknown as { [KEY]?: string[] };

function made(): string[] {
  return (registry[KEY] ??= []);
}

/** A fresh folder in the temporary directory, removed after this test file's tests. */
export function tempDir(prefix = "mlshare-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made().push(dir);
  return dir;
}

/** Removes every folder {@link tempDir} made so far. */
export function removeTempDirs(): void {
  const dirs = made();
  while (dirs.length) fs.rmSync(dirs.pop()!, { recursive: true, force: true });
}
