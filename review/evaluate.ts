/**
 * Evaluates access over the collected policies of a synthesized `cdktf.out` with
 * `@cloud-copilot/iam-simulate` (AWS's evaluation logic; AGPL-3.0, a dev-time dependency):
 * "may role X perform action A on resource R, over TLS or not?", answered allowed or denied,
 * with the statements that decided.
 *
 * The simulator fills in no request context itself, so every request here carries the
 * context AWS would send: `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalOrgID`
 * (for accounts of an organization), `aws:SecureTransport`, `aws:PrincipalIsAWSService`,
 * `aws:ViaAWSService`, and per service `s3:prefix`, `s3:DataAccessPointAccount`/`Arn`,
 * `s3:x-amz-server-side-encryption(-aws-kms-key-id)`, `kms:ViaService`, `kms:CallerAccount`,
 * `kms:ResourceAliases`, `sts:ExternalId`. A context key the simulator would ignore is an
 * error ({@link IgnoredContextKeyError}), never a silent pass.
 *
 * Cross-account S3 access is evaluated end to end, the way AWS authorizes it:
 * - through the bucket: the S3 request (identity policy + bucket policy), then the KMS
 *   request S3 makes on the caller's behalf (identity policy + key policy of the key that
 *   encrypts the object: the key a bucket policy requires for the object's prefix, else the
 *   bucket's default key);
 * - through an access point: the access point request (identity + access point policy), the
 *   bucket policy's check of the same request (delegation by `s3:DataAccessPointAccount`),
 *   then KMS;
 * - through a role: `sts:AssumeRole` (caller identity + the role's trust policy), then the
 *   role's own S3 and KMS access.
 *
 * Organization policies collected from the stacks apply too: SCPs to the principal's
 * account, RCPs to the resource's account (each level also carrying AWS's default
 * full-access policy, as AWS attaches it).
 *
 * The parts, by concern: review/evaluate/types.ts (questions and answers),
 * context.ts (the request context), requests.ts (single requests), decision.ts (the
 * statements that decided), organization.ts (SCP and RCP levels), access.ts (S3 end to end),
 * routes.ts (which routes can admit a principal), route-direct.ts, route-access-point.ts,
 * route-assume-role.ts (one file per route), s3-kms.ts (the KMS request S3 makes),
 * policies.ts (policy documents), explain.ts (results in words).
 */
export * from "./evaluate/types";
export { AccessEvaluator } from "./evaluate/access";
export { RequestEvaluator } from "./evaluate/requests";
export { explain } from "./evaluate/explain";
export { levelsAlong, organizationFromPolicies, organizationLevels } from "./evaluate/organization";
export { externalIdOf, namedPolicy, policyLabel } from "./evaluate/policies";
