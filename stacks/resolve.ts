/**
 * cdktf's resolve, with the plain data walked here and only what may hold a token handed to
 * cdktf. cdktf's own walk makes a resolution context, two closures and a copy of the path for
 * every value it visits, tokens or not; a stack's JSON is nearly all plain strings (policies,
 * ARNs, the outputs' maps of datasets), and at a thousand accounts walking them that way was a
 * third of the synthesis time. A value is handed to cdktf, with the path cdktf would give it,
 * whenever it may be or hold a token (a marker in a string or key, a number, an object with a
 * `resolve` method, a list with a list or number token); everything else is copied as cdktf
 * copies it (undefined values left out), so the result is the same, value for value.
 */
import { DefaultTokenResolver, StringConcat, Token, Tokenization } from "cdktf";
import { IConstruct } from "constructs";
// cdktf's resolve with a path, which the public Tokenization API does not take.
import { resolve as resolveTokens } from "cdktf/lib/tokens/private/resolve";

const resolver = new DefaultTokenResolver(new StringConcat());

/** Every token marker cdktf writes into a string (string, list and map tokens) has this. */
const TOKEN_MARKER = "TfToken[";
/**
 * Whether a string matches cdktf's pattern of a number token written into a string,
 * `[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)` (tokens/private/encoding): it does exactly when one of the
 * first characters is right before an `e` and one of the second right after it. Tested that way,
 * without the pattern's backtracking through every run of digits in a policy.
 */
const NUMBER_TOKEN = /[-|\d.+]e[-|\d.eE+]/;

/** Whether cdktf would look for a number token in `s` (its pattern matches). */
export function looksLikeNumberToken(s: string): boolean {
  return NUMBER_TOKEN.test(s);
}
/** cdktf rejects deeper values as circular. */
const MAX_DEPTH = 200;

/** Whether cdktf might resolve a string to anything else (or reject it). */
function mayHoldToken(s: string): boolean {
  return s.includes(TOKEN_MARKER) || looksLikeNumberToken(s) || s === Token.STRING_MAP_TOKEN_VALUE || s === Token.ANY_MAP_TOKEN_VALUE;
}

/** What cdktf's resolve returns for `value` in `scope`, walking plain data without it. */
export function resolveOnce(scope: IConstruct, value: unknown, preparing = false): any {
  const path: string[] = [];
  const cdktf = (x: unknown) => resolveTokens(x, { scope, prefix: [...path], resolver, preparing });
  const walk = (x: unknown): unknown => {
    if (x === undefined || x === null || typeof x === "boolean") return x;
    if (typeof x === "string") return mayHoldToken(x) ? cdktf(x) : x;
    // Numbers may be tokens; functions are rejected by cdktf.
    if (typeof x !== "object") return cdktf(x);
    if (x instanceof Date) return x;
    if (path.length > MAX_DEPTH) return cdktf(x);
    if (Array.isArray(x)) {
      if (x.some((e) => typeof e === "number" || (typeof e === "string" && e.includes(TOKEN_MARKER)))) return cdktf(x);
      const out: unknown[] = [];
      for (let i = 0; i < x.length; i++) {
        path.push(`${i}`);
        const v = walk(x[i]);
        path.pop();
        if (v !== undefined) out.push(v);
      }
      return out;
    }
    const keys = Object.keys(x);
    if (Tokenization.isResolvable(x) || isConstruct(x) || keys.some(mayHoldToken)) return cdktf(x);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      path.push(key);
      const v = walk((x as Record<string, unknown>)[key]);
      path.pop();
      if (v !== undefined) out[key] = v;
    }
    return out;
  };
  return walk(value);
}

/** cdktf's test for a construct, which it refuses to resolve. */
function isConstruct(x: object): boolean {
  return (x as { _children?: unknown })._children !== undefined && (x as { _metadata?: unknown })._metadata !== undefined;
}
