/**
 * `npm run schema -- [output]`: writes the JSON Schema of the topology file, generated from
 * the zod schema in config/schema.ts (the one definition of the file's shape), so editors
 * can complete and check topologies. Default output: schema/topology.schema.json, which the
 * example topologies name in their `yaml-language-server: $schema=` comment.
 *
 * The JSON Schema checks shapes and formats only; references between parts of the file are
 * checked by `npm run validate`.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { topologySchema } from "../config/schema";
import { PROJECT_ROOT } from "../config/paths";

/** Where `npm run schema` writes the JSON Schema by default. */
export const DEFAULT_SCHEMA_PATH = path.join(PROJECT_ROOT, "schema", "topology.schema.json");

/** The title editors show for topology files. */
export const SCHEMA_TITLE = "mlshare topology, version 1";

/**
 * The JSON Schema document of the topology file. It describes what users write (`io: "input"`),
 * and has no `$id`, so the file can be referenced by a relative path.
 */
export function topologyJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(topologySchema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
  delete rest.$id;
  return { $schema, title: SCHEMA_TITLE, ...rest };
}

/** The JSON Schema as file text: 2-space JSON with a trailing newline, the same on every run. */
export function topologyJsonSchemaText(): string {
  return `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;
}

/** Writes the JSON Schema to `file`; returns the path written. */
export function writeSchema(file: string = DEFAULT_SCHEMA_PATH): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, topologyJsonSchemaText());
  return file;
}

/** The command: `npm run schema -- [output]`. Returns the exit code. */
export function main(args: readonly string[]): number {
  if (args.some((a) => a === "-h" || a === "--help")) {
    process.stdout.write("Usage: npm run schema -- [output]\n\nWrites the topology JSON Schema (default: schema/topology.schema.json).\n");
    return 0;
  }
  if (args.length > 1 || args.some((a) => a.startsWith("-"))) {
    process.stderr.write("Usage: npm run schema -- [output]\n");
    return 2;
  }
  const written = writeSchema(args[0] ? path.resolve(args[0]) : DEFAULT_SCHEMA_PATH);
  process.stdout.write(`wrote ${path.relative(process.cwd(), written) || written}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
