/**
 * S3 access end to end: "may this role read (or write, or list) this object?", over every
 * route to the bucket (review/evaluate/route-direct.ts, route-access-point.ts,
 * route-assume-role.ts), the first route that allows answering. The KMS key that encrypts an
 * object and the buckets, keys and access points of the stacks are looked up here.
 */
import { Collection, CollectedAccessPoint, CollectedBucket, CollectedKey } from "../collect";
import { indexContext } from "../statements";
import { s3ContextOf } from "./context";
import { asList, isRecord, statementsOf, wildcardMatch } from "./policies";
import { RequestEvaluator } from "./requests";
import { accessPointRoute } from "./route-access-point";
import { assumeRoleRoute } from "./route-assume-role";
import { directRoute } from "./route-direct";
import { RouteFinder } from "./routes";
import { AccessResult, EvaluatorOptions, Route, RouteResult, S3AccessRequest, SimulationError } from "./types";

/**
 * Answers access questions over a {@link Collection}: single requests
 * ({@link RequestEvaluator}) and S3 data access over every route. Create one per collection
 * (and per set of options); it keeps its indexes and answers between questions.
 */
export class AccessEvaluator extends RequestEvaluator {
  private readonly buckets = new Map<string, CollectedBucket>();
  private readonly keysByArn = new Map<string, CollectedKey>();
  private readonly accessPoints = new Map<string, CollectedAccessPoint>();
  private readonly routes = new RouteFinder(this);

  constructor(collection: Collection, options: EvaluatorOptions) {
    super(collection, options);
    for (const b of collection.buckets) this.buckets.set(b.name, b);
    for (const k of collection.keys) this.keysByArn.set(k.arn, k);
    for (const ap of collection.accessPoints) this.accessPoints.set(ap.arn, ap);
  }


  /** The bucket named `name`, or an error naming the buckets known. */
  bucket(name: string): CollectedBucket {
    const b = this.buckets.get(name);
    if (!b) throw new SimulationError(`no bucket ${name} in the stacks; buckets: ${[...this.buckets.keys()].join(", ")}`, name);
    return b;
  }

  /** The collected key with an ARN, alias name or alias ARN, in an account. */
  key(idOrAlias: string, accountId: string): CollectedKey {
    const alias = /^arn:[^:]+:kms:[^:]*:\d{12}:(alias\/.+)$/.exec(idOrAlias)?.[1] ?? (idOrAlias.startsWith("alias/") ? idOrAlias : undefined);
    const found = alias
      ? this.collection.keys.find((k) => k.accountId === accountId && k.aliases.includes(alias))
      : (this.keysByArn.get(idOrAlias) ?? this.collection.keys.find((k) => k.accountId === accountId && k.logicalId === idOrAlias));
    if (!found) throw new SimulationError(`no KMS key ${idOrAlias} of account ${accountId} in the stacks`, idOrAlias);
    return found;
  }

  /**
   * The KMS key that encrypts an object: the key the bucket policy requires for uploads under
   * the object's prefix (a Deny of PutObject on `<bucket>/<prefix>/*` unless
   * `s3:x-amz-server-side-encryption-aws-kms-key-id` equals it), else the bucket's default
   * key; undefined when the bucket is not KMS-encrypted.
   */
  objectKey(bucket: CollectedBucket, objectKey: string): CollectedKey | undefined {
    const object = `${bucket.arn}/${objectKey}`;
    for (const s of statementsOf(bucket.policy?.document)) {
      if (s.Effect !== "Deny" || !asList(s.Action).some((a) => typeof a === "string" && wildcardMatch(a, "s3:PutObject"))) continue;
      const resources = asList(s.Resource).filter((r): r is string => typeof r === "string");
      if (!resources.some((r) => r !== `${bucket.arn}/*` && wildcardMatch(r, object))) continue;
      const cond = isRecord(s.Condition) ? s.Condition.StringNotEquals : undefined;
      const keys = isRecord(cond) ? asList(cond["s3:x-amz-server-side-encryption-aws-kms-key-id"]) : [];
      if (keys.length === 1 && typeof keys[0] === "string") return this.key(keys[0], bucket.accountId);
    }
    const enc = bucket.encryption;
    if (!enc || !enc.algorithm.startsWith("aws:kms")) return undefined;
    if (!enc.kmsKeyId) throw new SimulationError(`bucket ${bucket.name} uses the AWS managed key aws/s3, which the stacks do not describe`, bucket);
    return this.key(enc.kmsKeyId, bucket.accountId);
  }


  /**
   * Every route to a bucket's data: direct, its access points, and the roles of its account
   * whose policies name it. Given a principal, routes whose resource policy names it come
   * first (they are the likely ones; the order changes no answer, only how soon it comes).
   */
  routesTo(bucketName: string, principalArn?: string): Route[] {
    return [...this.routes.routesTo(bucketName, principalArn)];
  }

  /**
   * May the principal perform an S3 data action? With `via: "any"` (the default) every
   * route is tried and the first one that allows answers; a denial means every route
   * denied.
   */
  async s3(req: S3AccessRequest): Promise<AccessResult> {
    const any = !req.via || req.via === "any";
    const prune = any && this.options.pruneUnreachableRoutes;
    let routes: readonly Route[] = !any ? [req.via as Route] : prune ? [] : this.routes.routesTo(req.bucket, req.principalArn);
    let unreachable = 0;
    if (prune) {
      const naming = this.routes.namingRoutes(req.bucket, req.principalArn);
      const all = naming.all;
      const p = this.requestPrincipal(req.principalArn);
      // Routes that cannot admit the principal for any object of the bucket are left out
      // from memory; only the others are tested against this very request.
      const possible = naming.routes.filter((r) => this.routes.routeMayEverAdmit(req, r, p));
      if (possible.length) {
        const base = indexContext({ ...this.principalContext(req.principalArn, req.secureTransport ?? true, false), ...s3ContextOf(req) });
        const bucketOk = new Map<string, boolean>();
        const bucketAdmits = (ap?: CollectedAccessPoint) => {
          const k = ap ? ap.arn : "";
          let ok = bucketOk.get(k);
          if (ok === undefined) bucketOk.set(k, (ok = this.routes.bucketCouldAdmit(req, p, base, ap)));
          return ok;
        };
        routes = possible.filter((r) => this.routes.routeCouldAdmit(req, r, p, base, bucketAdmits));
      } else routes = [];
      unreachable = all - routes.length;
    }
    const extra = this.options.pruneUnreachableRoutes && any ? { unreachableRoutes: unreachable } : {};
    const results: RouteResult[] = [];
    for (const route of routes) {
      const r = await this.route(req, route);
      results.push(r);
      if (r.allowed) return { allowed: true, via: route, routes: results, ...extra };
    }
    return { allowed: false, routes: results, ...extra };
  }

  /** Evaluates one route: every request it takes, in order, up to the first one denied. */
  private async route(req: S3AccessRequest, route: Route): Promise<RouteResult> {
    if (route.kind === "assume-role") return assumeRoleRoute(this, req, route);
    if (route.kind === "access-point") return accessPointRoute(this, req, route.arn);
    return directRoute(this, req);
  }

  /** The access point with this ARN, or an error. */
  accessPoint(arn: string): CollectedAccessPoint {
    const ap = this.accessPoints.get(arn);
    if (!ap) throw new SimulationError(`no access point ${arn} in the stacks`, arn);
    return ap;
  }
}
