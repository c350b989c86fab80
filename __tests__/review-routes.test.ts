/**
 * Route pruning stays sound: an access point is left out for a principal of its own account
 * only when no Allow of the principal's identity policies has a resource that can reach it,
 * and a route is left out for every object of a bucket only when no request of the kind could
 * find an Allow in its policy.
 */
import { PolicyJson } from "../review/collect";
import { s3RequestKeys } from "../review/evaluate/context";
import { mayAllowUnder, patternMayMatchUnder } from "../review/statement-reach";
import { indexContext, relevantStatements, RequestPrincipal } from "../review/statements";

const AP = "arn:aws:s3:us-east-1:111111111111:accesspoint/ml-222222222222-1";

test("patterns that can reach the access point or an object through it are kept", () => {
  for (const p of ["*", AP, `${AP}/object/*`, `${AP}/object/data/x`, "arn:aws:s3:*", "arn:aws:s3:us-east-1:111111111111:accesspoint/*", "arn:aws:s3:us-east-1:111111111111:accesspoint/ml-*", "arn:aws:s3:*:*:accesspoint/${aws:username}"]) {
    expect({ p, kept: patternMayMatchUnder(p, AP) }).toEqual({ p, kept: true });
  }
});

test("patterns that cannot are left out: the bucket, another access point, one whose name only starts alike", () => {
  for (const p of ["arn:aws:s3:::data-bucket/*", "arn:aws:s3:::data-bucket", `${AP}0`, `${AP}0/object/*`, "arn:aws:s3:us-east-1:111111111111:accesspoint/other-*", "arn:aws:kms:us-east-1:111111111111:key/*"]) {
    expect({ p, kept: patternMayMatchUnder(p, AP) }).toEqual({ p, kept: false });
  }
});

describe("a route that can never admit is left out for every object at once", () => {
  const account = "222222222222";
  const reader = `arn:aws:iam::${account}:role/reader`;
  const admin = `arn:aws:iam::${account}:role/admin`;
  const principal = (arn: string): RequestPrincipal => ({ arn, roleArn: arn, accountId: arn.split(":")[4] });
  const orgKeys = (arn: string) => indexContext({ "aws:PrincipalArn": arn, "aws:PrincipalAccount": arn.split(":")[4], "aws:PrincipalOrgID": "o-abc123", "aws:SecureTransport": "true" });
  const policy: PolicyJson = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Objects",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ["s3:GetObject"],
        Resource: [`${AP}/object/sales/*`, `${AP}/object/returns/*`],
        Condition: { ArnEquals: { "aws:PrincipalArn": reader }, StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
      },
      {
        Sid: "List",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "s3:ListBucket",
        Resource: AP,
        Condition: { ArnEquals: { "aws:PrincipalArn": reader }, StringLike: { "s3:prefix": ["sales/*", "returns/*"] } },
      },
      {
        Sid: "Uploads",
        Effect: "Allow",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: `${AP}/object/sales/*`,
        Condition: { StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms", "aws:PrincipalOrgID": "o-abc123" } },
      },
    ],
  };

  test("the named role may be admitted, whatever the listing prefix or upload headers; its administrator and other organizations never", () => {
    expect(mayAllowUnder(policy, "s3:GetObject", AP, principal(reader), orgKeys(reader), s3RequestKeys("s3:GetObject"))).toBe(true);
    expect(mayAllowUnder(policy, "s3:ListBucket", AP, principal(reader), orgKeys(reader), s3RequestKeys("s3:ListBucket"))).toBe(true);
    expect(mayAllowUnder(policy, "s3:PutObject", AP, principal(admin), orgKeys(admin), s3RequestKeys("s3:PutObject"))).toBe(true);
    expect(mayAllowUnder(policy, "s3:GetObject", AP, principal(admin), orgKeys(admin), s3RequestKeys("s3:GetObject"))).toBe(false);
    expect(mayAllowUnder(policy, "s3:ListBucket", AP, principal(admin), orgKeys(admin), s3RequestKeys("s3:ListBucket"))).toBe(false);
    const outsider = "arn:aws:iam::333333333333:role/reader";
    expect(mayAllowUnder(policy, "s3:PutObject", AP, principal(outsider), indexContext({ "aws:PrincipalArn": outsider, "aws:PrincipalAccount": "333333333333" }), s3RequestKeys("s3:PutObject"))).toBe(false);
    expect(mayAllowUnder(policy, "s3:GetObject", `${AP}0`, principal(reader), orgKeys(reader), s3RequestKeys("s3:GetObject"))).toBe(false);
  });

  test("a key only a route sets (the access point's account) is absent on the direct route, whatever the request", () => {
    const bucketArn = "arn:aws:s3:::data-bucket";
    const delegate: PolicyJson = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject", "s3:ListBucket", "s3:PutObject"], Resource: [bucketArn, `${bucketArn}/*`], Condition: { StringEquals: { "s3:DataAccessPointAccount": "111111111111", "aws:PrincipalOrgID": "o-abc123" } } }],
    };
    for (const action of ["s3:GetObject", "s3:ListBucket", "s3:PutObject"]) {
      expect({ action, direct: mayAllowUnder(delegate, action, bucketArn, principal(admin), orgKeys(admin), s3RequestKeys(action)) }).toEqual({ action, direct: false });
      const viaAccessPoint = indexContext({ ...Object.fromEntries(orgKeys(admin)), "s3:dataaccesspointaccount": "111111111111" });
      expect({ action, viaAccessPoint: mayAllowUnder(delegate, action, bucketArn, principal(admin), viaAccessPoint, s3RequestKeys(action)) }).toEqual({ action, viaAccessPoint: true });
    }
  });

  test("never says no where one request of the kind finds an Allow that can apply", () => {
    const objects = ["sales/a", "sales/b/c", "returns/x", "other/y", "salesman/z"];
    const encryptions: Record<string, string>[] = [{}, { "s3:x-amz-server-side-encryption": "aws:kms" }, { "s3:x-amz-server-side-encryption": "AES256" }];
    let allowed = 0;
    for (const who of [reader, admin, "arn:aws:iam::333333333333:role/reader"]) {
      const p = principal(who);
      for (const action of ["s3:GetObject", "s3:ListBucket", "s3:PutObject", "s3:DeleteObject"]) {
        const requests =
          action === "s3:ListBucket"
            ? objects.map((o) => ({ resource: AP, keys: { "s3:prefix": o } }))
            : objects.flatMap((o) => encryptions.map((e) => ({ resource: `${AP}/object/${o}`, keys: action === "s3:PutObject" ? e : {} })));
        const some = requests.some((r) => {
          const context = indexContext({ ...Object.fromEntries(orgKeys(who)), ...r.keys });
          return relevantStatements(policy, action, r.resource, p, context).some((s) => s.prepared.effect === "Allow");
        });
        if (some) allowed++;
        expect({ who, action, may: mayAllowUnder(policy, action, AP, p, orgKeys(who), s3RequestKeys(action)) || !some }).toEqual({ who, action, may: true });
      }
    }
    expect(allowed).toBeGreaterThan(2);
  });
});
