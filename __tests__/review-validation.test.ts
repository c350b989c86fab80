/**
 * Policies the simulator would refuse are refused by the review's evaluator too, naming the
 * policy, with the errors `runSimulation` gives for them (the evaluator validates each
 * document once with the same rules, without a simulation around it).
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { Collection } from "../review/collect";
import { RequestEvaluator, SimulationError } from "../review/evaluate";

const ACCOUNT = "111111111111";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const BUCKET = "arn:aws:s3:::lake-data";
const EMPTY = { stacks: [], roles: [], buckets: [], accessPoints: [], keys: [], organization: { policies: [], units: [], accounts: [] }, modelPackageGroupPolicies: [], sagemakerDomains: [], ramShares: [], tableGrants: [], policies: [], unresolved: [] } as unknown as Collection;

function evaluator(): RequestEvaluator {
  return new RequestEvaluator(EMPTY, { organization: { id: "o-abc123", accountIds: [ACCOUNT] } });
}

const request = { step: "s3" as const, principalArn: ROLE, action: "s3:GetObject", resourceArn: `${BUCKET}/a`, resourceAccountId: ACCOUNT };
const badIdentity = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3GetObject", Resource: "*" }] };
const badBucket = { Version: "2012-10-17", Statement: [{ Effect: "Perhaps", Principal: "*", Action: "s3:GetObject", Resource: `${BUCKET}/*` }] };

async function simulatorErrors(identity: object | undefined, resource: object | undefined): Promise<unknown> {
  const r = await runSimulation(
    {
      request: { principal: ROLE, action: "s3:GetObject", resource: { resource: `${BUCKET}/a`, accountId: ACCOUNT }, contextVariables: {} },
      identityPolicies: identity ? [{ name: "0:reader-policy", policy: identity }] : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: resource,
    },
    {},
  );
  return r.resultType === "error" ? r.errors : undefined;
}

test("an identity policy the simulator refuses is refused, named, with the simulator's errors", async () => {
  const expected = await simulatorErrors(badIdentity, undefined);
  expect(expected).toMatchObject({ message: "policy.errors" });
  const e = await evaluator()
    .evaluate(request, [{ name: "reader-policy", document: badIdentity }])
    .then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(SimulationError);
  expect((e as Error).message).toBe(`the simulator refused policies (reader-policy): ${JSON.stringify(expected)}`);
});

test("a resource policy with an unknown effect is refused, named", async () => {
  const expected = await simulatorErrors(undefined, badBucket);
  expect(expected).toMatchObject({ message: "policy.errors" });
  const e = await evaluator()
    .evaluate({ ...request, resourcePolicy: { name: "bucket policy of lake-data", document: badBucket } }, [])
    .then(() => undefined, (x: unknown) => x);
  expect((e as Error).message).toBe(`the simulator refused policies (resource policy bucket policy of lake-data): ${JSON.stringify(expected)}`);
});

test("valid policies pass and are evaluated", async () => {
  const ok = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `${BUCKET}/*` }] };
  const step = await evaluator().evaluate(request, [{ name: "reader-policy", document: ok }]);
  expect(step.decision).toBe("Allowed");
});

describe("a policy variable is read like a condition key", () => {
  // The bucket admits the principal to list a prefix that is the start of its own name: what
  // the statement matches changes with s3:prefix, which it reads only as a variable.
  const owner = "333333333333";
  const bucketPolicy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "s3:ListBucket", Resource: BUCKET, Condition: { StringLike: { "aws:PrincipalArn": `arn:aws:iam::${ACCOUNT}:\${s3:prefix}*` } } }],
  };
  const identity = [{ name: "reader-policy", document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: BUCKET }] } }];
  const list = (prefix: string) => ({ step: "s3" as const, principalArn: ROLE, action: "s3:ListBucket", resourceArn: BUCKET, resourceAccountId: owner, resourcePolicy: { name: "bucket policy", document: bucketPolicy }, context: { "s3:prefix": prefix } });
  const collection = { ...EMPTY } as Collection;

  test("answers do not carry over between requests that differ only in that key, in either order", async () => {
    for (const order of [["clicks/", "role/"], ["role/", "clicks/"]]) {
      const ev = new RequestEvaluator(collection, { organization: { id: "o-abc123", accountIds: [ACCOUNT, owner] } });
      const decisions: Record<string, string> = {};
      for (const prefix of order) decisions[prefix] = (await ev.evaluate(list(prefix), identity)).decision;
      expect({ order, decisions }).toEqual({ order, decisions: { "clicks/": "ImplicitlyDenied", "role/": "Allowed" } });
    }
  });
});
