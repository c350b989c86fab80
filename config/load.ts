/**
 * Reads a topology file (YAML or JSON), validates it completely and resolves it.
 * Every problem of a file is reported in one `TopologyError`.
 */
import * as fs from "fs";
import * as path from "path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { formatPath, Problem, show, TopologyError } from "./errors";
import { resolveTopology, Topology } from "./model";
import { PROJECT_ROOT } from "./paths";
import { checkRules } from "./rules";
import { topologySchema } from "./schema";

/** The environment variable that points the app at a topology file. */
export const CONFIG_ENV = "MLSHARE_CONFIG";

/** The topology used when `MLSHARE_CONFIG` is unset: the reference topology of TOPOLOGY.md. */
export const DEFAULT_TOPOLOGY = path.join(PROJECT_ROOT, "examples", "reference.yaml");

/** The topology file the app should read, from the environment or the default. */
export function topologyPath(env: NodeJS.ProcessEnv = process.env): string {
  const chosen = env[CONFIG_ENV];
  return chosen && chosen.trim() ? path.resolve(chosen) : DEFAULT_TOPOLOGY;
}

/** Parses YAML or JSON text (JSON is YAML); syntax errors become problems with a line. */
export function parseText(text: string): { value?: unknown; problems: Problem[] } {
  // With prettyErrors off, errors carry no linePos; the counter gives the line from the offset.
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length) {
    return {
      problems: doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return {
          path: "",
          message: `not valid YAML/JSON at line ${at.line}, column ${at.col}: ${e.message.split("\n")[0]}`,
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

/** Validates a parsed topology; returns it resolved, or throws every problem at once. */
export function validateTopology(value: unknown, file?: string): Topology {
  const parsed = topologySchema.safeParse(value, { reportInput: true, error: defaultMessages });
  const problems = [...(parsed.success ? [] : shapeProblems(parsed.error.issues)), ...checkRules(value)];
  if (problems.length || !parsed.success) throw new TopologyError(problems, file);
  return resolveTopology(parsed.data);
}

/** Reads, validates and resolves a topology file. */
export function loadTopology(file: string = topologyPath()): Topology {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new TopologyError([{ path: "", message: `cannot read the topology file: ${reason} (set ${CONFIG_ENV} to a topology path)` }], file);
  }
  const { value, problems } = parseText(text);
  if (problems.length) throw new TopologyError(problems, file);
  return validateTopology(value, file);
}
