/** One broken rule of a topology: where, and what is wrong. */
export interface Problem {
  /** Where in the file, as `datasets[0].consumers[1].account` ("" for the whole file). */
  readonly path: string;
  /** The rule that was broken, naming the bad value and what was expected. */
  readonly message: string;
}

/** Renders a path of keys and indexes as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const key = String(part);
      const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
      out += plain ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Quotes a value for an error message, briefly. */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Raised when a topology breaks rules; carries all of them. */
export class TopologyError extends Error {
  /** Every problem found, in file order. */
  readonly problems: readonly Problem[];
  /** The file the problems are in, when known. */
  readonly file?: string;

  constructor(problems: readonly Problem[], file?: string) {
    super(renderProblems(problems, file));
    this.name = "TopologyError";
    this.problems = problems;
    this.file = file;
  }
}

/** The text printed for a list of problems: one line each, with a header. */
export function renderProblems(problems: readonly Problem[], file?: string): string {
  const where = file ? ` in ${file}` : "";
  const head = `mlshare: the topology${where} has ${problems.length} error${problems.length === 1 ? "" : "s"}:`;
  const lines = problems.map((p) => `  - ${p.path ? `${p.path}: ` : ""}${p.message}`);
  return [head, ...lines].join("\n");
}
