/**
 * Arranging statements so every policy fits its AWS quota: statements too large for one
 * document are split along a list (resources, or one Allow condition's values), and the
 * pieces are packed first-fit into as few documents as the capacities allow.
 */
import { documentJson, PolicyDocument, PolicyKind, Statement } from "./document";
import { policySize, QuotaKind, QUOTAS, QuotaError } from "./quotas";

/** The size a set of statements takes as one document. */
export function sizeOf(quota: QuotaKind, statements: readonly Statement[]): number {
  return policySize(quota, JSON.stringify(documentJson(statements)));
}

/** Per quota, the size of each statement measured alone as a document. */
const measured = new Map<QuotaKind, WeakMap<Statement, number>>();

/**
 * The size a statement takes alone as one document, measured once per statement: a role's
 * statements are packed at preflight and again when its policies are made, a thousand roles
 * of two hundred datasets each at the largest scale.
 */
export function statementSize(quota: QuotaKind, s: Statement): number {
  let sizes = measured.get(quota);
  if (!sizes) measured.set(quota, (sizes = new WeakMap()));
  let size = sizes.get(s);
  if (size === undefined) sizes.set(s, (size = sizeOf(quota, [s])));
  return size;
}

/** Splits a statement in two along its longest splittable list, or returns undefined. */
export function splitStatement(s: Statement): [Statement, Statement] | undefined {
  const halves = <T>(xs: readonly T[]): [T[], T[]] => [xs.slice(0, Math.ceil(xs.length / 2)), xs.slice(Math.ceil(xs.length / 2))];
  if (s.resources && s.resources.length > 1) {
    const [a, b] = halves(s.resources);
    return [
      { ...s, sid: `${s.sid}A`, resources: a },
      { ...s, sid: `${s.sid}B`, resources: b },
    ];
  }
  // Splitting the values of a condition keeps an Allow's meaning (the union of the pieces);
  // for a Deny it would not, so Deny statements are never split this way.
  if (s.effect === "Allow" && s.conditions) {
    for (const [op, keys] of Object.entries(s.conditions)) {
      if (op.includes("Not")) continue;
      for (const [key, value] of Object.entries(keys)) {
        if (Array.isArray(value) && value.length > 1) {
          const [a, b] = halves(value as string[]);
          const withValues = (v: string[]) => ({ ...s.conditions, [op]: { ...keys, [key]: v } });
          return [
            { ...s, sid: `${s.sid}A`, conditions: withValues(a) },
            { ...s, sid: `${s.sid}B`, conditions: withValues(b) },
          ];
        }
      }
    }
  }
  return undefined;
}

/** Options of {@link packStatements}. */
export interface PackOptions {
  readonly quota: QuotaKind;
  /** Capacity of each document in order; the last one repeats up to `maxDocuments`. */
  readonly capacities: readonly number[];
  readonly maxDocuments: number;
  /** The policy's name for errors. */
  readonly name: string;
  /** What the documents are, for errors ("one inline policy and 10 managed policies"). */
  readonly documents?: string;
  /** The change a user can make when the statements do not fit (default: the quota's). */
  readonly fix?: string;
}

/**
 * Packs statements into documents within their capacities. Throws QuotaError naming the
 * policy when they cannot fit.
 */
export function packStatements(statements: readonly Statement[], o: PackOptions): Statement[][] {
  const smallest = Math.min(...o.capacities);
  const pieces: Statement[] = [];
  const queue = [...statements];
  while (queue.length) {
    const s = queue.shift()!;
    const size = statementSize(o.quota, s);
    if (size <= smallest) {
      pieces.push(s);
      continue;
    }
    const split = splitStatement(s);
    if (!split) throw new QuotaError(`${o.name} (statement ${s.sid}, which cannot be split)`, size, QUOTAS[o.quota], smallest, o.fix);
    queue.unshift(...split);
  }
  const capacity = (i: number) => o.capacities[Math.min(i, o.capacities.length - 1)];
  const { docs, overflow } = firstFit(pieces, o.quota, capacity, o.maxDocuments);
  if (overflow && o.maxDocuments === 1) {
    // One document: its size is the measure, and the message says just that.
    throw new QuotaError(`${o.name} (one document)`, sizeOf(o.quota, pieces), QUOTAS[o.quota], capacity(0), o.fix);
  }
  if (overflow) {
    const total = sizeOf(o.quota, pieces);
    let limit = 0;
    for (let i = 0; i < o.maxDocuments; i++) limit += capacity(i);
    const needed = documentsNeeded(pieces, o.quota, capacity);
    const what = o.documents ?? `${o.maxDocuments} documents`;
    throw new QuotaError(
      o.name,
      total,
      QUOTAS[o.quota],
      limit,
      o.fix,
      `needs ${needed} documents, more than the ${o.maxDocuments} it may have (${what}, ${limit} characters in all): its statements take ${total} characters as one document, and ${total <= limit ? "statements fill documents whole, so the space left at the end of each is lost" : "that is over what the documents hold"}`,
    );
  }
  return docs;
}

/** How many documents first-fit packing of the pieces takes with no cap (for errors only). */
function documentsNeeded(pieces: readonly Statement[], quota: QuotaKind, capacity: (i: number) => number): number {
  return firstFit(pieces, quota, capacity, Infinity).docs.length;
}

/**
 * First-fit packing by measured sizes: a document's size is its frame plus its statements'
 * sizes plus the commas between them (AWS counts the minified JSON, so sizes add up), so each
 * piece is serialized once instead of every document once per piece tried.
 */
function firstFit(pieces: readonly Statement[], quota: QuotaKind, capacity: (i: number) => number, maxDocuments: number): { docs: Statement[][]; overflow: boolean } {
  const frame = sizeOf(quota, []);
  const docs: Statement[][] = [];
  const used: number[] = [];
  for (const piece of pieces) {
    const size = statementSize(quota, piece) - frame;
    let placed = false;
    for (let i = 0; i < docs.length && !placed; i++) {
      if (used[i] + 1 + size <= capacity(i)) {
        docs[i].push(piece);
        used[i] += 1 + size;
        placed = true;
      }
    }
    if (!placed) {
      if (docs.length >= maxDocuments) return { docs, overflow: true };
      docs.push([piece]);
      used.push(frame + size);
    }
  }
  return { docs, overflow: false };
}

/** Builds a checked document from statements. */
export function documentOf(name: string, kind: PolicyKind, statements: readonly Statement[]): PolicyDocument {
  const doc = new PolicyDocument(name, kind);
  for (const s of statements) doc.add(s);
  return doc;
}
