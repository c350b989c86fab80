/**
 * The routes to a bucket's data, and which of them can admit a principal at all: the bucket
 * itself, its access points, and the roles of its account whose policies name it (assumed
 * through their trust policies). With pruning, routes whose resource policy has no Allow
 * that can match the principal, action, resource and context are left out before anything
 * is simulated.
 */
import { CollectedAccessPoint, CollectedBucket, CollectedPolicy, Collection, PolicyJson } from "../collect";
import { admittedBy, mayAdmit, mayAllowUnder, patternMayMatchUnder } from "../statement-reach";
import { ContextIndex, indexContext, relevantStatements, RequestPrincipal } from "../statements";
import { accessPointContext, s3RequestKeys, withKeys } from "./context";
import { optionalExternalId } from "./policies";
import { NamedPolicy, Route, S3AccessRequest } from "./types";

/** What the route finder needs of the evaluator. */
export interface RouteLookups {
  readonly collection: Collection;
  bucket(name: string): CollectedBucket;
  accessPoint(arn: string): CollectedAccessPoint;
  role(arn: string): { readonly trustPolicy?: CollectedPolicy } | undefined;
  roleArnOf(principalArn: string): string;
  requestPrincipal(principalArn: string): RequestPrincipal;
  identityPoliciesOf(principalArn: string): { readonly policies: readonly NamedPolicy[]; readonly skipped: readonly string[] };
  principalContext(principalArn: string, secureTransport: boolean, viaAwsService: boolean): Record<string, string | readonly string[]>;
}

/** Who the routes of a bucket admit, by the routes' positions ({@link RouteFinder.namingRoutes}). */
interface AdmitIndex {
  readonly anyone: readonly number[];
  readonly named: ReadonlyMap<string, readonly number[]>;
  readonly accessPointsOf: ReadonlyMap<string, readonly number[]>;
  readonly assumable: ReadonlySet<string>;
}

/**
 * Whether an Allow of a document can apply: to the request's own resource (`object`, or the
 * `root` itself for a listing or an assumed role), or to anything under `root`.
 */
type AllowTest = (doc: PolicyJson, action: string, root: string, object: string | undefined, p: RequestPrincipal | undefined, context: ContextIndex) => boolean;

/** An Allow that can apply to this very request. */
const thisRequest: AllowTest = (doc, action, root, object, p, context) => relevantStatements(doc, action, object ?? root, p, context).some((s) => s.prepared.effect === "Allow");

/** Role ARNs as they stand in a policy's text (JSON strings end them). */
const ROLE_ARNS = /arn:[a-z-]+:iam::\d{12}:role\/[^"\\]+/g;

/** Finds and orders the routes to buckets; one per evaluator (it caches per bucket and principal). */
export class RouteFinder {
  private readonly routeCache = new Map<string, readonly { route: Route; policy?: CollectedPolicy }[]>();
  private readonly orderedRoutes = new Map<string, readonly Route[]>();
  private readonly namingRouteCache = new Map<string, { readonly routes: readonly Route[]; readonly all: number }>();
  private readonly admitIndexCache = new Map<string, AdmitIndex>();
  private readonly roleIndexCache = new Map<string, ReadonlyMap<string, ReadonlySet<CollectedPolicy | undefined>>>();
  private readonly everAdmits = new Map<string, boolean>();

  constructor(private readonly ev: RouteLookups) {}

  /**
   * Every route to a bucket's data: direct, its access points, and the roles of its account
   * whose policies name it. Given a principal, routes whose resource policy names it come
   * first (they are the likely ones; the order changes no answer, only how soon it comes).
   */
  routesTo(bucketName: string, principalArn?: string): readonly Route[] {
    const bucket = this.ev.bucket(bucketName);
    const who = principalArn ? this.ev.roleArnOf(principalArn) : undefined;
    const cacheKey = `${bucket.name} ${who ?? ""}`;
    // Shared, not copied: a bucket of 1,000 consumers has as many routes, asked for per request.
    const cached = this.orderedRoutes.get(cacheKey);
    if (cached) return cached;
    // Which routes' policies name the principal: looked up in an index of the role ARNs each
    // policy's text holds, built once per bucket (searching every policy's text for every
    // principal was most of the review's time at a thousand consumer accounts).
    const ordered = this.likelyFirst(
      bucket,
      who,
      this.baseRoutes(bucket).filter((r) => r.route.kind !== "assume-role" || r.route.roleArn !== who),
    );
    if (this.orderedRoutes.size < 100_000) this.orderedRoutes.set(cacheKey, ordered);
    return ordered;
  }

  /** Routes (in their order) with those whose policy's text names the role first: the likely ones. */
  private likelyFirst(bucket: CollectedBucket, who: string | undefined, routes: readonly { route: Route; policy?: CollectedPolicy }[]): Route[] {
    const naming = who ? this.roleIndex(bucket).get(who) : undefined;
    return [...routes.filter((r) => naming?.has(r.policy)), ...routes.filter((r) => !naming?.has(r.policy))].map((r) => r.route);
  }

  /** Per role ARN, the policies of a bucket's routes whose text names it. */
  private roleIndex(bucket: CollectedBucket): ReadonlyMap<string, ReadonlySet<CollectedPolicy | undefined>> {
    let index = this.roleIndexCache.get(bucket.name);
    if (!index) {
      const built = new Map<string, Set<CollectedPolicy | undefined>>();
      for (const { policy } of this.baseRoutes(bucket)) {
        for (const arn of policy?.text.match(ROLE_ARNS) ?? []) {
          const set = built.get(arn) ?? new Set();
          set.add(policy);
          built.set(arn, set);
        }
      }
      this.roleIndexCache.set(bucket.name, (index = built));
    }
    return index;
  }

  /** Every route to a bucket, with the policy that names who may take it. */
  private baseRoutes(bucket: CollectedBucket): readonly { route: Route; policy?: CollectedPolicy }[] {
    let routes = this.routeCache.get(bucket.name);
    if (!routes) {
      const aps = this.ev.collection.accessPoints.filter((ap) => ap.bucket === bucket.name && ap.accountId === bucket.accountId);
      const roles = this.ev.collection.roles.filter(
        (r) => r.accountId === bucket.accountId && r.trustPolicy && [...r.inlinePolicies, ...r.managedPolicies].some((p) => p.text.includes(bucket.arn)),
      );
      routes = [
        { route: { kind: "bucket" }, policy: bucket.policy },
        ...aps.map((ap) => ({ route: { kind: "access-point" as const, arn: ap.arn }, policy: ap.policy })),
        ...roles.map((r) => ({ route: { kind: "assume-role" as const, roleArn: r.arn, ...optionalExternalId(r.trustPolicy) }, policy: r.trustPolicy })),
      ];
      this.routeCache.set(bucket.name, routes);
    }
    return routes;
  }

  /**
   * May the principal perform an S3 data action? With `via: "any"` (the default) every
   * route is tried and the first one that allows answers; a denial means every route


  /**
   * The routes to a bucket whose policies can name the principal at all (by `Principal`: a
   * quick test per principal and bucket, before the full test per request), likely ones first
   * as {@link routesTo} orders them, and how many routes there are in all for it. Found from an
   * index of who each route's policy names, not by asking every route: a bucket of a thousand
   * consumer accounts has as many access points, asked of each of their principals.
   */
  namingRoutes(bucketName: string, principalArn: string): { readonly routes: readonly Route[]; readonly all: number } {
    const key = `${bucketName} ${principalArn}`;
    let found = this.namingRouteCache.get(key);
    if (!found) {
      const p = this.ev.requestPrincipal(principalArn);
      const bucket = this.ev.bucket(bucketName);
      const base = this.baseRoutes(bucket);
      const ix = this.admitIndex(bucket);
      const who = this.ev.roleArnOf(principalArn);
      const candidates = new Set<number>([0]);
      for (const id of [p.accountId, p.roleArn.toLowerCase(), p.arn.toLowerCase()]) for (const i of ix.named.get(id) ?? []) candidates.add(i);
      for (const i of ix.anyone) candidates.add(i);
      for (const i of ix.accessPointsOf.get(p.accountId) ?? []) candidates.add(i);
      const names = (policy: CollectedPolicy | undefined, accountId: string) => accountId === p.accountId || (!!policy?.document && mayAdmit(policy.document, p));
      const bucketNames = names(bucket.policy, bucket.accountId);
      const naming = [...candidates]
        .sort((a, b) => a - b)
        .map((i) => base[i])
        .filter(({ route: r }) => {
          if (r.kind === "bucket") return bucketNames;
          if (r.kind === "assume-role") return r.roleArn !== who && names(this.ev.role(r.roleArn)?.trustPolicy, "");
          const ap = this.ev.accessPoint(r.arn);
          if (!bucketNames) return false;
          // In its own account a principal takes an access point its policy names, or one its
          // identity policies may reach; in another account, only one whose policy names it.
          if (ap.accountId === p.accountId) return (!!ap.policy?.document && mayAdmit(ap.policy.document, p)) || this.identityMayReach(principalArn, ap.arn);
          return names(ap.policy, ap.accountId);
        });
      const routes = this.likelyFirst(bucket, who, naming);
      const all = base.length - (ix.assumable.has(who) ? 1 : 0);
      found = { routes, all };
      if (this.namingRouteCache.size > 50_000) this.namingRouteCache.clear();
      this.namingRouteCache.set(key, found);
    }
    return found;
  }

  /** Per bucket, by position among its routes: the routes whose policy admits anyone, those naming each account or principal, each account's access points, the roles assumed. */
  private admitIndex(bucket: CollectedBucket): AdmitIndex {
    let ix = this.admitIndexCache.get(bucket.name);
    if (!ix) {
      const anyone: number[] = [];
      const named = new Map<string, number[]>();
      const accessPointsOf = new Map<string, number[]>();
      const assumable = new Set<string>();
      this.baseRoutes(bucket).forEach(({ route, policy }, i) => {
        if (route.kind === "assume-role") assumable.add(route.roleArn);
        if (route.kind === "access-point") {
          const account = this.ev.accessPoint(route.arn).accountId;
          accessPointsOf.set(account, [...(accessPointsOf.get(account) ?? []), i]);
        }
        const doc = route.kind === "assume-role" ? this.ev.role(route.roleArn)?.trustPolicy?.document : policy?.document;
        if (!doc) return;
        const a = admittedBy(doc);
        if (a.anyone) anyone.push(i);
        for (const id of a.named) named.set(id, [...(named.get(id) ?? []), i]);
      });
      this.admitIndexCache.set(bucket.name, (ix = { anyone, named, accessPointsOf, assumable }));
    }
    return ix;
  }


  /**
   * Whether any Allow of the principal's identity policies has a resource that can match the
   * access point or an object through it: an over-approximation (actions and conditions are
   * left to the per-request test), so it leaves out only routes that cannot admit.
   */
  private identityMayReach(principalArn: string, accessPointArn: string): boolean {
    return this.identityAllows(principalArn, (document) => {
      const doc = document as { Statement?: unknown };
      const statements = ([] as Record<string, unknown>[]).concat((doc.Statement ?? []) as Record<string, unknown>[]);
      return statements.some((st) => {
        if (st.Effect !== "Allow") return false;
        if (st.NotResource !== undefined) return true;
        return ([] as string[]).concat((st.Resource ?? []) as string[]).some((pattern) => patternMayMatchUnder(pattern, accessPointArn));
      });
    });
  }

  /**
   * The principal's identity policies when every document is known; undefined when some are
   * not (a skipped policy, or policies that cannot be gathered), which could allow anything.
   */
  private knownIdentityPolicies(principalArn: string): readonly NamedPolicy[] | undefined {
    try {
      const identity = this.ev.identityPoliciesOf(principalArn);
      return identity.skipped.length ? undefined : identity.policies;
    } catch {
      return undefined;
    }
  }

  /**
   * Whether a route can admit the principal for the action on any object (or listing) of the
   * bucket, whatever the prefix, key or encryption headers: {@link routeCouldAdmit} asked with
   * every resource under the route and every value of the request's own keys, remembered per
   * principal, action and route. False means false for every dataset of the bucket, so a
   * principal no route names is left out once, not once per dataset.
   */
  routeMayEverAdmit(req: S3AccessRequest, route: Route, p: RequestPrincipal): boolean {
    const secure = req.secureTransport ?? true;
    const target = route.kind === "bucket" ? "" : route.kind === "access-point" ? route.arn : `${route.roleArn} ${route.externalId ?? ""}`;
    const key = `${req.bucket}\u0000${req.principalArn}\u0000${req.action}\u0000${secure}\u0000${route.kind}\u0000${target}`;
    let ok = this.everAdmits.get(key);
    if (ok === undefined) {
      // The request's own S3 keys (listing prefix, encryption headers) may take any value.
      const open = s3RequestKeys(req.action);
      const anywhere: AllowTest = (doc, action, root, _object, who, context) => mayAllowUnder(doc, action, root, who, context, open);
      const base = indexContext(this.ev.principalContext(req.principalArn, secure, false));
      ok = this.admits(req, route, p, base, anywhere, (ap) => this.bucketAdmits(req, p, base, anywhere, ap));
      if (this.everAdmits.size > 200_000) this.everAdmits.clear();
      this.everAdmits.set(key, ok);
    }
    return ok;
  }

  /**
   * Whether a route can admit the principal at all for this request. A cross-account request
   * needs an Allow in the resource's policy naming the principal, its account or everyone, for
   * the action and resource; an assumed role needs its trust policy to name the caller.
   */
  routeCouldAdmit(req: S3AccessRequest, route: Route, p: RequestPrincipal, base: ContextIndex, bucketAdmits: (ap?: CollectedAccessPoint) => boolean): boolean {
    return this.admits(req, route, p, base, thisRequest, bucketAdmits);
  }

  /**
   * Whether the bucket's policy can admit the principal for the request, directly or (given
   * the access point) for a request through an access point; always in the bucket's own account.
   */
  bucketCouldAdmit(req: S3AccessRequest, p: RequestPrincipal, base: ContextIndex, ap?: CollectedAccessPoint): boolean {
    return this.bucketAdmits(req, p, base, thisRequest, ap);
  }

  /** A route's policies asked with `test`: the trust of a role to assume, or the access point's (or identity) and the bucket's. */
  private admits(req: S3AccessRequest, route: Route, p: RequestPrincipal, base: ContextIndex, test: AllowTest, bucketAdmits: (ap?: CollectedAccessPoint) => boolean): boolean {
    if (route.kind === "assume-role") {
      const trust = this.ev.role(route.roleArn)?.trustPolicy?.document;
      return !!trust && test(trust, "sts:AssumeRole", route.roleArn, undefined, p, route.externalId ? withKeys(base, { "sts:ExternalId": route.externalId }) : base);
    }
    if (route.kind === "bucket") return bucketAdmits();
    const ap = this.ev.accessPoint(route.arn);
    const object = req.action === "s3:ListBucket" ? undefined : `${ap.arn}/object/${req.key}`;
    const context = withKeys(base, accessPointContext(ap));
    // In another account the access point's policy must allow; in its own account its policy
    // or the principal's identity policies may. A role of the provider account (a reader role)
    // whose identity policies name no access point takes none of them: trying each of a
    // bucket's hundreds of access points for it made the review grow with their number.
    const atAccessPoint =
      (!!ap.policy?.document && test(ap.policy.document, req.action, ap.arn, object, p, context)) ||
      (p.accountId === ap.accountId && this.identityAllows(req.principalArn, (doc) => test(doc, req.action, ap.arn, object, undefined, context)));
    return atAccessPoint && bucketAdmits(ap);
  }

  /** The bucket's policy asked with `test`, for a request to the bucket or through an access point. */
  private bucketAdmits(req: S3AccessRequest, p: RequestPrincipal, base: ContextIndex, test: AllowTest, ap?: CollectedAccessPoint): boolean {
    const bucket = this.ev.bucket(req.bucket);
    if (p.accountId === bucket.accountId) return true;
    const doc = bucket.policy?.document;
    const object = req.action === "s3:ListBucket" ? undefined : `${bucket.arn}/${req.key}`;
    return !!doc && test(doc, req.action, bucket.arn, object, p, ap ? withKeys(base, accessPointContext(ap)) : base);
  }

  /**
   * Whether the principal's identity policies may allow, by `test`. A policy whose document is
   * unknown (skipped) could allow anything, and so can a principal whose policies cannot be
   * gathered: both leave the route in, for the evaluation to decide.
   */
  private identityAllows(principalArn: string, test: (doc: PolicyJson) => boolean): boolean {
    const policies = this.knownIdentityPolicies(principalArn);
    if (!policies) return true;
    return policies.some((policy) => test(policy.document));
  }

}
