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
    const size = sizeOf(o.quota, [s]);
    if (size <= smallest) {
      pieces.push(s);
      continue;
    }
    const split = splitStatement(s);
    if (!split) throw new QuotaError(`${o.name} (statement ${s.sid}, which cannot be split)`, size, QUOTAS[o.quota], smallest);
    queue.unshift(...split);
  }
  const docs: Statement[][] = [];
  const capacity = (i: number) => o.capacities[Math.min(i, o.capacities.length - 1)];
  for (const piece of pieces) {
    let placed = false;
    for (let i = 0; i < docs.length && !placed; i++) {
      if (sizeOf(o.quota, [...docs[i], piece]) <= capacity(i)) {
        docs[i].push(piece);
        placed = true;
      }
    }
    if (!placed) {
      if (docs.length >= o.maxDocuments) {
        const total = sizeOf(o.quota, pieces);
        let limit = 0;
        for (let i = 0; i < o.maxDocuments; i++) limit += capacity(i);
        throw new QuotaError(`${o.name} (more than ${o.maxDocuments} documents)`, total, QUOTAS[o.quota], limit);
      }
      docs.push([piece]);
    }
  }
  return docs;
}

/** Builds a checked document from statements. */
export function documentOf(name: string, kind: PolicyKind, statements: readonly Statement[]): PolicyDocument {
  const doc = new PolicyDocument(name, kind);
  for (const s of statements) doc.add(s);
  return doc;
}
