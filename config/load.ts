/**
 * Reads a topology file (YAML or JSON), validates it completely and resolves it.
 * Every problem of a file is reported in one `TopologyError`.
 */
import * as fs from "fs";
import * as path from "path";
import { CST, LineCounter, Parser, parseDocument } from "yaml";
import { z } from "zod";
import { formatPath, Problem, show, TopologyError } from "./errors";
import { Topology } from "./model";
import { resolveTopology } from "./resolve";
import { PROJECT_ROOT } from "./paths";
import { checkRules } from "./rules";
import { topologySchema } from "./schema";

/** The environment variable that points the app at a topology file. */
export const CONFIG_ENV = "MLSHARE_CONFIG";

/** The topology used when `MLSHARE_CONFIG` is unset: the reference topology of TOPOLOGY.md. */
export const DEFAULT_TOPOLOGY = path.join(PROJECT_ROOT, "examples", "reference.yaml");

/**
 * The folder the user typed the command in. npm runs scripts (`npm run validate`) in the
 * package's folder and keeps the user's in INIT_CWD; npx sets it too. A relative path the user
 * gave is resolved from here.
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env): string {
  const init = env.INIT_CWD;
  return init && path.isAbsolute(init) ? init : process.cwd();
}

/** The topology file the app should read, from the environment (relative to {@link userCwd}) or the default. */
export function topologyPath(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[CONFIG_ENV];
  return chosen && chosen.trim() ? path.resolve(userCwd(env), chosen) : DEFAULT_TOPOLOGY;
}

/**
 * The offset where a quoted string or a flow collection (`{...}`, `[...]`) that is still open
 * at `offset` starts. The parser notices a missing closing quote or bracket only where the
 * text stops making sense, often lines later; the cause is where it opened.
 */
function openedAt(text: string, offset: number): number | undefined {
  let found: number | undefined;
  const consider = (token: CST.Token | undefined) => {
    if (!token || token.offset >= offset || (found !== undefined && token.offset <= found)) return;
    if (token.type === "double-quoted-scalar" || token.type === "single-quoted-scalar") {
      const body = token.source.trimEnd();
      const closed = body.length >= 2 && body.endsWith(body[0]);
      if (!closed && token.offset + token.source.length >= offset) found = token.offset;
    } else if (token.type === "flow-collection") {
      if (!token.end.some((t) => t.type === "flow-map-end" || t.type === "flow-seq-end")) found = token.offset;
    }
  };
  for (const doc of new Parser().parse(text)) {
    if (doc.type !== "document") continue;
    CST.visit(doc, (item) => {
      consider(item.key ?? undefined);
      consider(item.value);
    });
  }
  return found;
}

/**
 * The first key that appears twice in one object of JSON text, or undefined. One pass over
 * the text (a stack of the open objects' keys), so a large file costs time in proportion to
 * its size; JSON.parse would keep the last value silently.
 */
export function duplicateJsonKey(text: string): string | undefined {
  const stack: (Set<string> | undefined)[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) stack.push(new Set());
    else if (c === 0x5b /* [ */) stack.push(undefined);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    else if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
          continue;
        }
        if (d === 0x22) break;
        j++;
      }
      const keys = stack[stack.length - 1];
      if (keys) {
        let k = j + 1;
        while (k < n && (text[k] === " " || text[k] === "\n" || text[k] === "\r" || text[k] === "\t")) k++;
        if (text[k] === ":") {
          const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
          if (keys.has(key)) return key;
          keys.add(key);
        }
      }
      i = j;
    }
  }
  return undefined;
}

/**
 * JSON text parsed by JSON.parse, when it is JSON with no repeated key; undefined otherwise
 * (the YAML parser then reads it, and says where it is wrong). A topology of 1,000 accounts
 * and 1,000 datasets is a 40 MB JSON file: the YAML parser's syntax tree of it does not fit
 * in a 4 GB heap, JSON.parse reads it in a fraction of a second.
 */
function parseJson(text: string): { value: unknown } | undefined {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return duplicateJsonKey(text) === undefined ? { value } : undefined;
}

/** Parses YAML or JSON text (JSON is YAML); syntax errors become problems with a line. */
export function parseText(text: string): { value?: unknown; problems: Problem[] } {
  const json = parseJson(text);
  if (json) return { value: json.value, problems: [] };
  // With prettyErrors off, errors carry no linePos; the counter gives the line from the offset.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => {
        const noticed = lines.linePos(e.pos[0]);
        const opened = openedAt(text, e.pos[0]);
        const at = opened === undefined ? noticed : lines.linePos(opened);
        const later = at.line !== noticed.line ? ` (opened here; noticed at line ${noticed.line}, column ${noticed.col})` : "";
        return {
          path: "",
          message: `not valid YAML/JSON at line ${at.line}, column ${at.col}: ${e.message.split("\n")[0]}${later}`,
        };
      }),
    };
  }
  return { value: doc.toJS({ maxAliasCount: 100 }), problems: [] };
}

/** The keys a strict object at `path` of the schema allows (for unknown-key errors). */
function allowedKeys(path: readonly PropertyKey[]): string[] {
  let s: z.ZodType = topologySchema;
  for (const part of path) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = s.shape[String(part)];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else if (s instanceof z.ZodRecord) s = s.valueType as z.ZodType;
    else return [];
    if (!s) return [];
  }
  s = unwrap(s);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

/** Zod's name of an expected type, in the words of a YAML/JSON file. */
function typeName(expected: string): string {
  return expected === "record" ? "object" : expected;
}

/**
 * Messages for issues whose schema gives none (schema-level messages, such as the account id
 * format's "written as a quoted string", take precedence over this per-parse map).
 */
const defaultMessages: z.core.$ZodErrorMap = (issue) =>
  issue.code === "invalid_type" ? `must be ${typeName(issue.expected)}` : undefined;

/** Turns zod's issues into problems that name the path, the value and the rule. */
function shapeProblems(issues: readonly z.core.$ZodIssue[]): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const where = formatPath(issue.path);
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeys(issue.path);
      for (const key of issue.keys) {
        out.push({
          path: formatPath([...issue.path, key]),
          message: `unknown key ${show(key)}; allowed here: ${allowed.join(", ")}`,
        });
      }
      continue;
    }
    const input = (issue as { input?: unknown }).input;
    if (issue.code === "invalid_type" && input === undefined) {
      out.push({ path: where, message: `is required (${typeName(issue.expected)})` });
      continue;
    }
    if (issue.code === "invalid_value" && input === undefined) {
      // A missing literal (version): say it is missing, then what it must be.
      out.push({ path: where, message: `is required: ${issue.message}` });
      continue;
    }
    // A bad record key: the key schema's own issue says what keys must look like.
    const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    out.push({ path: where, message: `${message} (value: ${show(input)})` });
  }
  return out;
}

/**
 * Validates a parsed topology; returns it resolved, or throws every problem at once. Files the
 * topology names (`currentPolicies`) are relative to `baseDir`, the topology file's folder
 * (default: the working directory).
 */
export function validateTopology(value: unknown, file?: string, baseDir: string = process.cwd()): Topology {
  const parsed = topologySchema.safeParse(value, { reportInput: true, error: defaultMessages });
  const problems = [...(parsed.success ? [] : shapeProblems(parsed.error.issues)), ...checkRules(value, baseDir)];
  if (problems.length || !parsed.success) throw new TopologyError(problems, file);
  return resolveTopology(parsed.data, { baseDir });
}

/** How {@link loadTopology} names the file in its messages. */
export interface LoadOptions {
  /** The file as the user wrote it, for the header of the error list; default: `file`. */
  readonly shown?: string;
  /** Where the path came from, added to "no such file" (e.g. `named by MLSHARE_CONFIG`). */
  readonly origin?: string;
}

/** The one problem of a file that cannot be read as a topology, or none. */
function readProblem(file: string, origin: string | undefined): { text?: string; problem?: Problem } {
  const abs = path.resolve(file);
  const from = origin ? ` (${origin})` : "";
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" || code === "ENOTDIR" ? `no such file: ${abs}` : `${abs}: ${(e as Error).message}`;
    return { problem: { path: "", message: `cannot read the topology file: ${why}${from}` } };
  }
  if (stat.isDirectory()) {
    return { problem: { path: "", message: `cannot read the topology file: ${abs} is a directory; name a YAML or JSON file${from}` } };
  }
  try {
    return { text: fs.readFileSync(abs, "utf8") };
  } catch (e) {
    return { problem: { path: "", message: `cannot read the topology file ${abs}: ${(e as Error).message}${from}` } };
  }
}

/** What the file's top level must be, said for a value that is not an object. */
function notAnObject(value: unknown): Problem | undefined {
  const what = "a topology is one YAML or JSON object, starting with `version: 1`";
  if (value === null || value === undefined) return { path: "", message: `the file is empty (nothing but blank lines or comments): ${what}` };
  if (typeof value !== "object" || Array.isArray(value)) {
    return { path: "", message: `the file holds ${Array.isArray(value) ? "a list" : `a ${typeof value}`}, not an object: ${what} (value: ${show(value)})` };
  }
  return undefined;
}

/** Where {@link topologyPath} got its path, for "no such file": the environment variable when it is set. */
export function configOrigin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env[CONFIG_ENV];
  return chosen && chosen.trim() ? `named by ${CONFIG_ENV}=${chosen}` : undefined;
}

/**
 * Reads, validates and resolves a topology file. Without a file: the one {@link topologyPath}
 * names. A missing file, a directory, an empty file and a syntax error are problems like any
 * other, naming the path tried.
 */
export function loadTopology(file?: string, options: LoadOptions = {}): Topology {
  const chosen = file ?? topologyPath();
  const origin = options.origin ?? (file === undefined ? configOrigin() : undefined);
  const shown = options.shown ?? chosen;
  const read = readProblem(chosen, origin);
  if (read.problem) throw new TopologyError([read.problem], shown);
  const { value, problems } = parseText(read.text!);
  if (problems.length) throw new TopologyError(problems, shown);
  const shape = notAnObject(value);
  if (shape) throw new TopologyError([shape], shown);
  return validateTopology(value, shown, path.dirname(path.resolve(chosen)));
}
