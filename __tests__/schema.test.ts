/**
 * The JSON Schema editors use (schema/topology.schema.json): generated from config/schema.ts by
 * bin/schema.ts, committed, and never stale.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { DEFAULT_SCHEMA_PATH, SCHEMA_TITLE, topologyJsonSchema, topologyJsonSchemaText, writeSchema } from "../bin/schema";
import { DEFAULT_TOPOLOGY } from "../config/load";
import { topologySchema } from "../config/schema";
import { minimalInput, referenceInput } from "./helpers/topology";
import { tempDir } from "./helpers/tmp";

type Schema = Record<string, any>;

/** The keywords `conforms` understands; a schema using any other one fails the test instead of passing unchecked. */
const KEYWORDS = new Set([
  "$schema", "title", "description", "type", "properties", "required", "additionalProperties",
  "items", "enum", "const", "pattern", "propertyNames", "minItems", "minLength", "maxLength",
]);

/**
 * The errors of `value` against a JSON Schema, for the keywords zod emits for this schema.
 * Patterns compile with the `u` flag, as editors (vscode-json-languageservice) and ajv compile them.
 */
function conforms(s: Schema, value: unknown, at = "$"): string[] {
  const unknownKeyword = Object.keys(s).find((k) => !KEYWORDS.has(k));
  if (unknownKeyword) throw new Error(`the test validator does not know the keyword ${unknownKeyword} (at ${at})`);
  const errors: string[] = [];
  const kind = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  if (s.type && s.type !== kind) return [`${at}: expected ${s.type}, got ${kind}`];
  if (s.const !== undefined && value !== s.const) errors.push(`${at}: must be ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(value)) errors.push(`${at}: must be one of ${s.enum.join(", ")}`);
  if (typeof value === "string") {
    if (s.pattern && !new RegExp(s.pattern, "u").test(value)) errors.push(`${at}: does not match ${s.pattern}`);
    if (s.minLength !== undefined && value.length < s.minLength) errors.push(`${at}: too short`);
    if (s.maxLength !== undefined && value.length > s.maxLength) errors.push(`${at}: too long`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) errors.push(`${at}: too few items`);
    if (s.items) value.forEach((v, i) => errors.push(...conforms(s.items, v, `${at}[${i}]`)));
  }
  if (kind === "object") {
    const o = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (!(key in o)) errors.push(`${at}: missing ${key}`);
    for (const [key, v] of Object.entries(o)) {
      if (s.propertyNames) errors.push(...conforms(s.propertyNames, key, `${at} key ${key}`));
      if (s.properties?.[key]) errors.push(...conforms(s.properties[key], v, `${at}.${key}`));
      else if (s.additionalProperties === false) errors.push(`${at}: unknown key ${key}`);
      else if (typeof s.additionalProperties === "object") errors.push(...conforms(s.additionalProperties, v, `${at}.${key}`));
    }
  }
  return errors;
}

/** Every sub-schema of a JSON Schema, with where it is. */
function* subSchemas(s: Schema, at = "$"): Generator<[string, Schema]> {
  yield [at, s];
  for (const [key, v] of Object.entries(s.properties ?? {})) yield* subSchemas(v as Schema, `${at}.${key}`);
  if (s.items) yield* subSchemas(s.items, `${at}[]`);
  if (typeof s.additionalProperties === "object") yield* subSchemas(s.additionalProperties, `${at}.*`);
  if (s.propertyNames) yield* subSchemas(s.propertyNames, `${at} keys`);
}

const committed = (): string => fs.readFileSync(DEFAULT_SCHEMA_PATH, "utf8");

describe("the committed JSON Schema", () => {
  test("is what npm run schema generates from config/schema.ts now (run npm run schema after changing the schema)", () => {
    expect(committed()).toBe(topologyJsonSchemaText());
  });

  test("is zod's JSON Schema of the topology schema, with a title added", () => {
    const { title, ...generated } = JSON.parse(committed());
    expect(title).toBe(SCHEMA_TITLE);
    expect(generated).toEqual(z.toJSONSchema(topologySchema, { target: "draft-2020-12", io: "input" }));
  });

  test("is 2-space JSON with a trailing newline", () => {
    const text = committed();
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });

  test("is the file the reference topology names for editors", () => {
    const firstLine = fs.readFileSync(DEFAULT_TOPOLOGY, "utf8").split("\n")[0];
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine);
    expect(m).not.toBeNull();
    expect(path.resolve(path.dirname(DEFAULT_TOPOLOGY), m![1])).toBe(DEFAULT_SCHEMA_PATH);
  });
});

describe("the schema's content", () => {
  const schema = topologyJsonSchema();

  test("is a draft 2020-12 schema with a title and no $id, so it is referenced by relative path", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe(SCHEMA_TITLE);
    expect(topologyJsonSchemaText()).not.toContain('"$id"');
  });

  test("refuses unknown keys at the top level", () => {
    expect(schema.additionalProperties).toBe(false);
  });

  test("refuses unknown keys in every nested object that has fixed keys", () => {
    const open = [...subSchemas(schema)].filter(([, s]) => s.properties && s.additionalProperties !== false).map(([at]) => at);
    expect(open).toEqual([]);
  });

  test("requires what the topology contract requires", () => {
    expect(schema.required).toEqual(["version", "project", "defaultRegion", "organization", "state", "accounts"]);
    expect((schema.properties as Schema).organization.required).toEqual(["id", "managementAccount"]);
  });

  test("has patterns that compile as Unicode regular expressions, as editors compile them", () => {
    const patterns = [...subSchemas(schema)].filter(([, s]) => s.pattern).map(([at, s]) => [at, s.pattern] as const);
    expect(patterns.length).toBeGreaterThan(20);
    for (const [, p] of patterns) expect(() => new RegExp(p, "u")).not.toThrow();
  });

  test("accepts the reference topology and the minimal one", () => {
    expect(conforms(schema, parse(fs.readFileSync(DEFAULT_TOPOLOGY, "utf8")))).toEqual([]);
    expect(conforms(schema, minimalInput())).toEqual([]);
  });

  test("refuses a misspelled key, an unquoted account id and a bad enum value, as an editor would", () => {
    const t = referenceInput();
    t.datasets[0].consumers[0].acess = "read";
    t.accounts["ml-dev"].id = 333333333333;
    t.datasets[0].classification = "secret";
    expect(conforms(schema, t)).toEqual([
      "$.accounts.ml-dev.id: expected string, got number",
      "$.datasets[0].classification: must be one of internal, confidential, restricted",
      "$.datasets[0].consumers[0]: unknown key acess",
    ]);
  });
});

test("npm run schema writes the schema to the path it is given", () => {
  const file = path.join(tempDir("mlshare-schema-"), "nested", "topology.schema.json");
  expect(writeSchema(file)).toBe(file);
  expect(fs.readFileSync(file, "utf8")).toBe(topologyJsonSchemaText());
});
