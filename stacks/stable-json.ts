/**
 * A stack's JSON written to its file as cdktf writes it (json-stable-stringify with two spaces:
 * keys sorted, empty objects and arrays broken over two lines), a part at a time. cdktf builds
 * the whole text first, each level of nesting joining the text of the level below: the largest
 * provider's stack at a thousand accounts is 86 MB of text, copied once per level, and the
 * synthesis peaked in memory there.
 */
import * as fs from "fs";

const SPACE = "  ";
/** Text gathered before it is written to the file. */
const FLUSH_AT = 1 << 20;

/** Writes `value` to `file` as json-stable-stringify(value, { space: 2 }) makes it. */
export function writeStableJson(file: string, value: unknown): void {
  const fd = fs.openSync(file, "w");
  try {
    const out = new Output(fd);
    const top = withToJson(value);
    if (omitted(top)) throw new TypeError(`no JSON for ${typeof top}`);
    write(out, top, 0, new Set());
    out.flush();
  } finally {
    fs.closeSync(fd);
  }
}

/** The text of `value` as json-stable-stringify(value, { space: 2 }) makes it. */
export function stableJson(value: unknown): string {
  const parts: string[] = [];
  const top = withToJson(value);
  if (omitted(top)) throw new TypeError(`no JSON for ${typeof top}`);
  write({ push: (s: string) => parts.push(s) }, top, 0, new Set());
  return parts.join("");
}

interface Sink {
  push(s: string): void;
}

class Output implements Sink {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly fd: number) {}

  push(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (!this.parts.length) return;
    fs.writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
}

/** Per level of nesting: what opens its first entry, what opens each next one, what closes it. */
const firsts: string[] = [];
const nexts: string[] = [];
const closes: string[] = [];
function level(n: number): void {
  while (firsts.length <= n + 1) {
    const indent = SPACE.repeat(firsts.length);
    firsts.push(`\n${indent}`);
    nexts.push(`,\n${indent}`);
    closes.push(`\n${indent}`);
  }
}

/** A value after its toJSON, which json-stable-stringify calls once (only objects have one in JSON data). */
function withToJson(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const toJson = (value as { toJSON?: unknown }).toJSON;
  return typeof toJson === "function" ? toJson.call(value) : value;
}

/** Values that have no JSON: left out of objects, `null` in arrays. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/** Writes a value json-stable-stringify does not omit (toJSON already applied). */
function write(out: Sink, value: unknown, depth: number, ancestors: Set<object>): void {
  if (typeof value === "string") {
    out.push(JSON.stringify(value));
    return;
  }
  if (typeof value !== "object" || value === null) {
    out.push(JSON.stringify(value));
    return;
  }
  level(depth);
  const first = firsts[depth + 1];
  const next = nexts[depth + 1];
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      out.push(i === 0 ? first : next);
      const item = withToJson(value[i]);
      if (omitted(item)) out.push("null");
      else write(out, item, depth + 1, ancestors);
    }
    out.push(closes[depth]);
    out.push("]");
    return;
  }
  if (ancestors.has(value)) throw new TypeError("Converting circular structure to JSON");
  ancestors.add(value);
  out.push("{");
  let opened = false;
  const keys = Object.keys(value).sort();
  for (let i = 0; i < keys.length; i++) {
    const item = withToJson((value as Record<string, unknown>)[keys[i]]);
    if (omitted(item)) continue;
    out.push(opened ? next : first);
    opened = true;
    out.push(JSON.stringify(keys[i]));
    out.push(": ");
    write(out, item, depth + 1, ancestors);
  }
  ancestors.delete(value);
  out.push(closes[depth]);
  out.push("}");
}
