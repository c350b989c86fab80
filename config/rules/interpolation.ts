/**
 * No string of a topology may hold a Terraform template sequence. mlshare writes topology
 * strings into the stacks' JSON as they are, and Terraform evaluates `${...}` (interpolation)
 * and `%{...}` (directives) in every JSON string it reads: an account name
 * `${file("/etc/hostname")}` would put the runner's host name into the plan. No field of the
 * topology needs a literal `${` or `%{` (tag keys and values cannot hold `$`, `%` or `{` at
 * all in AWS), so the sequences are refused rather than escaped.
 */
import { formatPath, show } from "../errors";
import { Checker } from "./common";

/** The sequences Terraform starts a template with. */
export const TEMPLATE_SEQUENCES = ["${", "%{"] as const;

/** The sequence a string holds, or undefined when it holds none. */
export function templateSequence(s: string): string | undefined {
  return TEMPLATE_SEQUENCES.find((seq) => s.includes(seq));
}

const RULE = "Terraform would evaluate it as a template; no string of a topology may contain ${ or %{";

/** Walks every value and every key of the document as written, and refuses the template sequences in each string. */
export function checkInterpolation(c: Checker, raw: unknown): void {
  walk(c, raw, []);
}

/** The string quoted for a message; a long one as an excerpt around the sequence, so the message always shows it. */
function around(s: string, seq: string): string {
  const whole = JSON.stringify(s);
  if (whole.length <= 80) return whole;
  const at = s.indexOf(seq);
  const start = Math.max(0, at - 30);
  const end = Math.min(s.length, at + 40);
  return `${start > 0 ? "..." : ""}${JSON.stringify(s.slice(start, end))}${end < s.length ? "..." : ""}`;
}

function walk(c: Checker, value: unknown, path: PropertyKey[]): void {
  if (typeof value === "string") {
    const seq = templateSequence(value);
    if (seq) c.add(formatPath(path), `${around(value, seq)} holds ${show(seq)}: ${RULE}`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walk(c, v, [...path, i]));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const seq = templateSequence(k);
      if (seq) c.add(formatPath([...path, k]), `the key ${around(k, seq)} holds ${show(seq)}: ${RULE}`);
      walk(c, v, [...path, k]);
    }
  }
}
