/**
 * The route through a role of the bucket's account: `sts:AssumeRole` (the caller's identity
 * policy and the role's trust policy, with the external id it requires), then the role's
 * own session takes the direct route (review/evaluate/route-direct.ts).
 */
import { named, accountOfArn, partitionOfArn } from "./policies";
import type { AccessEvaluator } from "./access";
import { directRoute } from "./route-direct";
import { RouteResult, S3AccessRequest, StepResult } from "./types";

/** The session name of an assumed role's requests. */
const SESSION_NAME = "mlshare-review";

/** Evaluates a data request by assuming a role first: every request it takes, up to the first denied. */
export async function assumeRoleRoute(ev: AccessEvaluator, req: S3AccessRequest, route: { readonly kind: "assume-role"; readonly roleArn: string; readonly externalId?: string }): Promise<RouteResult> {
  const steps: StepResult[] = [];
  const assume = await ev.evaluate({
    step: "sts",
    principalArn: req.principalArn,
    action: "sts:AssumeRole",
    resourceArn: route.roleArn,
    resourceAccountId: accountOfArn(route.roleArn),
    resourcePolicy: named(ev.role(route.roleArn)?.trustPolicy),
    secureTransport: req.secureTransport,
    context: route.externalId ? { "sts:ExternalId": route.externalId } : {},
  });
  steps.push(assume);
  if (assume.decision !== "Allowed") return { route, allowed: false, steps };
  const session = `arn:${partitionOfArn(route.roleArn)}:sts::${accountOfArn(route.roleArn)}:assumed-role/${route.roleArn.split("/").pop()}/${SESSION_NAME}`;
  const inner = await directRoute(ev, { ...req, principalArn: session });
  steps.push(...inner.steps);
  return { route, allowed: inner.allowed, steps };
}
