/**
 * `review.json` as written: the {@link Review} with its access matrix factored, so the file
 * grows with the grants and not with the statements each grant repeats. At 100 consumer
 * accounts x 200 datasets the matrix held 20,000 copies of the same few deciding statements
 * and request routes (49 MB); here each distinct deciding statement is written once
 * (`statements`), each distinct route (the steps of a grant, its resources written with
 * `{object}` for the shared resource's own sample object) once (`routes`), and a grant is its
 * principal's label, its `via` and the index of its route. {@link expandReviewJson} gives the
 * {@link Review} back, unchanged.
 */
import { SAMPLE_OBJECT } from "./matrix";
import { AccessGrant, DecidingStatementRef, DecidingStep, Review, ReviewPrincipal, SharedResource } from "./model";

/** What stands for a shared resource's sample object key in a route's resources. */
export const OBJECT_PLACEHOLDER = "{object}";

/** A step of a route: its deciding statements as indexes into `statements`. */
export interface RouteStep {
  readonly step: string;
  readonly action: string;
  readonly resource: string;
  readonly statements: readonly number[];
}

/**
 * A grant in the file: the principal's label (see `principals`), how, and its route; its ARN
 * and kind only when `principals` does not give them (a RAM principal, say).
 */
export interface GrantJson {
  readonly principal: string;
  readonly arn?: string;
  readonly kind?: AccessGrant["kind"];
  readonly via: string;
  readonly route: number;
}

/** A shared resource in the file. */
export interface SharedResourceJson extends Omit<SharedResource, "access"> {
  /** The object key `{object}` stands for in this resource's routes, when there is one. */
  readonly objectKey?: string;
  readonly access: Readonly<Record<string, readonly GrantJson[]>>;
}

/** `review.json`. */
export interface ReviewJson extends Omit<Review, "matrix"> {
  /** How `matrix` is written: grants refer to `routes`, routes to `statements`. */
  readonly matrixEncoding: "routes";
  readonly statements: readonly DecidingStatementRef[];
  readonly routes: readonly (readonly RouteStep[])[];
  readonly matrix: readonly SharedResourceJson[];
}

/** The object key of a shared resource's sample object, for S3 locations (`s3://bucket/prefix`). */
function objectKeyOf(r: SharedResource): string | undefined {
  const m = /^s3:\/\/[^/]+\/(.*)$/.exec(r.location);
  return m ? `${m[1]}${SAMPLE_OBJECT}` : undefined;
}

/** Interns values by their JSON text. */
class Table<T> {
  readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  add(item: T): number {
    const key = JSON.stringify(item);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(item);
      this.index.set(key, i);
    }
    return i;
  }
}

/** The review as `review.json` holds it, with any extra top-level fields (the base diff) kept. */
export function reviewToJson<E extends object>(review: Review, extra?: E): ReviewJson & E {
  const statements = new Table<DecidingStatementRef>();
  const routes = new Table<RouteStep[]>();
  const principals = new Map(review.principals.map((p) => [p.label, p]));
  const matrix = review.matrix.map((r): SharedResourceJson => {
    const objectKey = objectKeyOf(r);
    // Only "/<key>" at the end of a resource stands for the object, so nothing else is touched.
    const suffix = objectKey ? `/${objectKey}` : undefined;
    let used = false;
    const access: Record<string, GrantJson[]> = {};
    for (const [verb, grants] of Object.entries(r.access)) {
      access[verb] = grants.map((g) => {
        const route = g.steps.map((s): RouteStep => {
          let resource = s.resource;
          if (suffix && resource.endsWith(suffix) && !resource.includes(OBJECT_PLACEHOLDER)) {
            resource = `${resource.slice(0, -objectKey!.length)}${OBJECT_PLACEHOLDER}`;
            used = true;
          }
          return { step: s.step, action: s.action, resource, statements: s.statements.map((x) => statements.add({ policy: x.policy, side: x.side, effect: x.effect, statement: x.statement })) };
        });
        const p = principals.get(g.principal);
        const known = p !== undefined && p.arn === g.arn && p.kind === g.kind;
        return { principal: g.principal, ...(known ? {} : { arn: g.arn, kind: g.kind }), via: g.via, route: routes.add(route) };
      });
    }
    const { access: _, ...rest } = r;
    return { ...rest, ...(used ? { objectKey } : {}), access };
  });
  const { matrix: _, ...rest } = review;
  return { ...rest, matrixEncoding: "routes", statements: statements.items, routes: routes.items, matrix, ...(extra ?? ({} as E)) };
}

/** The {@link Review} a `review.json` holds, its matrix expanded (grants with their steps). */
export function expandReviewJson(json: ReviewJson): Review {
  const principals = new Map<string, ReviewPrincipal>(json.principals.map((p) => [p.label, p]));
  const matrix = json.matrix.map((r): SharedResource => {
    const { objectKey, access, ...rest } = r;
    const expanded: Record<string, AccessGrant[]> = {};
    for (const [verb, grants] of Object.entries(access)) {
      expanded[verb] = grants.map((g) => {
        const p = principals.get(g.principal);
        const arn = g.arn ?? p?.arn;
        const kind = g.kind ?? p?.kind;
        if (arn === undefined || kind === undefined) throw new Error(`review.json: grant of ${r.id} names principal ${JSON.stringify(g.principal)}, which principals does not list`);
        const route = json.routes[g.route];
        if (!route) throw new Error(`review.json: grant of ${g.principal} on ${r.id} names route ${g.route}, of ${json.routes.length}`);
        const steps = route.map(
          (s): DecidingStep => ({
            step: s.step,
            action: s.action,
            resource: objectKey && s.resource.endsWith(OBJECT_PLACEHOLDER) ? `${s.resource.slice(0, -OBJECT_PLACEHOLDER.length)}${objectKey}` : s.resource,
            statements: s.statements.map((i) => json.statements[i]),
          }),
        );
        return { principal: g.principal, arn, kind, via: g.via, steps };
      });
    }
    return { ...rest, access: expanded };
  });
  const { matrixEncoding: _e, statements: _s, routes: _r, matrix: _m, ...rest } = json;
  return { ...rest, matrix } as Review;
}
