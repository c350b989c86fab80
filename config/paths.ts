/** Where the project's own files are, whether it runs from TypeScript sources or from dist/. */
import * as fs from "fs";
import * as path from "path";

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(start, "..");
    dir = parent;
  }
  return dir;
}

/** The folder holding package.json, examples/ and schema/. */
export const PROJECT_ROOT = findRoot(__dirname);
