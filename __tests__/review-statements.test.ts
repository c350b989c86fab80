/**
 * The statement filter the evaluator puts in front of the simulator (review/statements.ts):
 * it may only leave out statements that cannot apply, so every answer equals the
 * simulator's own answer over the whole policies.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { PolicyJson } from "../review/collect";
import { collectDirectory } from "../review/collect";
import { AccessEvaluator, namedPolicy } from "../review/evaluate";
import { ALLOWS_ITSELF_EVERYTHING } from "../review/principals";
import { mayAdmit } from "../review/statement-reach";
import { conditionsCouldHold, relevantStatements, trimConditionValues, withoutRequestKeys } from "../review/statements";
import { synthInput } from "./helpers/synth";
import { minimalInput } from "./helpers/topology";

const doc = (...Statement: Record<string, unknown>[]): PolicyJson => ({ Version: "2012-10-17", Statement } as unknown as PolicyJson);
const principal = { arn: "arn:aws:iam::100000000003:role/analyst", roleArn: "arn:aws:iam::100000000003:role/analyst", accountId: "100000000003" };

describe("which statements can apply", () => {
  const policy = doc(
    { Sid: "Get", Effect: "Allow", Action: "s3:Get*", Resource: ["arn:aws:s3:::b/events/*", "arn:aws:s3:::b/other/*"] },
    { Sid: "Put", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/events/*" },
    { Sid: "Var", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/${aws:username}/*" },
    { Sid: "Not", Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" },
  );

  test("keeps statements whose action and resource match (wildcards, any case), trimmed to the matching entries", () => {
    const kept = relevantStatements(policy, "S3:GETOBJECT", "arn:aws:s3:::b/events/x.csv");
    expect(kept.map((k) => k.prepared.sid)).toEqual(["Get", "Var", "Not"]);
    expect(kept[0].trimmed).toMatchObject({ Action: "S3:GETOBJECT", Resource: "arn:aws:s3:::b/events/*" });
    expect(kept.map((k) => k.exact)).toEqual([true, false, true]);
  });

  test("drops a resource-side statement whose principal is another account, keeps the principal's account and everyone", () => {
    const resource = doc(
      { Sid: "Other", Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "s3:GetObject", Resource: "*" },
      { Sid: "Mine", Effect: "Allow", Principal: { AWS: "arn:aws:iam::100000000003:root" }, Action: "s3:GetObject", Resource: "*" },
      { Sid: "Everyone", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" },
      { Sid: "Service", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: "*" },
    );
    expect(relevantStatements(resource, "s3:GetObject", "arn:aws:s3:::b/k", principal).map((k) => k.prepared.sid)).toEqual(["Mine", "Everyone"]);
    expect(mayAdmit(resource, principal)).toBe(true);
    expect(mayAdmit(doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999999999999:root" }, Action: "s3:*", Resource: "*" }), principal)).toBe(false);
  });

  test("drops a statement only when a condition certainly fails", () => {
    const context = { "aws:PrincipalArn": principal.roleArn, "s3:prefix": "events/", "aws:SecureTransport": "true" };
    const holds = (Condition: Record<string, unknown>) => conditionsCouldHold({ Effect: "Allow", Condition } as never, context);
    expect(holds({ ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::100000000003:role/other" } })).toBe(false);
    expect(holds({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::100000000003:role/*" } })).toBe(true);
    expect(holds({ StringLike: { "s3:prefix": ["other/*", "EVENTS/*"] } })).toBe(true);
    expect(holds({ StringEquals: { "s3:DataAccessPointAccount": "100000000002" } })).toBe(false);
    expect(holds({ StringEqualsIfExists: { "s3:DataAccessPointAccount": "100000000002" } })).toBe(true);
    expect(holds({ StringNotEquals: { "aws:PrincipalArn": "x" } })).toBe(true);
    expect(holds({ Bool: { "aws:SecureTransport": "false" } })).toBe(false);
    expect(holds({ Null: { "s3:prefix": "true" } })).toBe(false);
    expect(holds({ "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/x" } })).toBe(true);
  });

  test("cuts long value lists to the values that can match the context, and a wider statement drops request keys", () => {
    const values = Array.from({ length: 50 }, (_, i) => `ds-${i}/*`);
    expect(trimConditionValues({ StringLike: { "s3:prefix": values } }, { "s3:prefix": "ds-7/" })).toEqual({ StringLike: { "s3:prefix": ["ds-0/*", "ds-7/*"] } });
    expect(trimConditionValues({ StringNotLike: { "s3:prefix": values } }, { "s3:prefix": "zz/" })).toEqual({ StringNotLike: { "s3:prefix": "ds-0/*" } });
    expect(withoutRequestKeys({ Effect: "Allow", Condition: { StringLike: { "s3:prefix": "a/*" }, StringEquals: { "aws:PrincipalOrgID": "o-1" } } })).toEqual({
      Effect: "Allow",
      Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } },
    });
    expect(withoutRequestKeys({ Effect: "Allow", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } })).toBeUndefined();
  });
});

describe("the evaluator's answers equal the simulator's over the whole policies", () => {
  test("for every role of a synthesized topology and each S3 request, over TLS or not", async () => {
    const out = synthInput(minimalInput());
    const collection = collectDirectory(out.outdir);
    const intruder = "arn:aws:iam::100000000003:role/intruder";
    const ev = new AccessEvaluator(collection, {
      organization: { id: "o-abcdefghij", accountIds: ["100000000001", "100000000002", "100000000003"] },
      extraIdentityPolicies: { [intruder]: [ALLOWS_ITSELF_EVERYTHING] },
    });
    const bucket = collection.buckets.find((b) => b.name.startsWith("mini-data-"))!;
    const policy = namedPolicy(bucket.policy!);
    const requests: { action: string; resource: string; context: Record<string, string> }[] = [
      { action: "s3:GetObject", resource: `${bucket.arn}/events/a.csv`, context: {} },
      { action: "s3:GetObject", resource: `${bucket.arn}/other/a.csv`, context: {} },
      { action: "s3:ListBucket", resource: bucket.arn, context: { "s3:prefix": "events/" } },
      { action: "s3:ListBucket", resource: bucket.arn, context: { "s3:prefix": "other/" } },
      { action: "s3:PutObject", resource: `${bucket.arn}/events/b.csv`, context: { "s3:x-amz-server-side-encryption": "aws:kms" } },
    ];
    const principals = [...collection.roles.map((r) => r.arn), intruder];
    const mismatches: string[] = [];
    let compared = 0;
    for (const p of principals) {
      for (const r of requests) {
        for (const secure of [true, false]) {
          const step = await ev.evaluate({ step: "s3", principalArn: p, action: r.action, resourceArn: r.resource, resourceAccountId: bucket.accountId, resourcePolicy: policy, secureTransport: secure, context: r.context });
          const identity = ev.identityPoliciesOf(p).policies.map((x) => ({ name: x.name, policy: x.document }));
          const whole = await runSimulation(
            {
              request: { principal: p, action: r.action, resource: { resource: r.resource, accountId: bucket.accountId }, contextVariables: step.context as Record<string, string | string[]> },
              identityPolicies: identity,
              serviceControlPolicies: [],
              resourceControlPolicies: [],
              resourcePolicy: policy.document,
            },
            {},
          );
          compared++;
          if (whole.resultType !== "single" || whole.result.analysis.result !== step.decision) mismatches.push(`${p} ${r.action} ${r.resource} tls=${secure}: ${step.decision} vs ${whole.resultType === "single" ? whole.result.analysis.result : whole.resultType}`);
        }
      }
    }
    expect(compared).toBe(principals.length * requests.length * 2);
    expect(principals.length).toBeGreaterThanOrEqual(2);
    expect(mismatches).toEqual([]);
  });
});
