/**
 * The scale the product promises: 100 consumer accounts x 200 datasets, every consumer
 * reading every dataset. Every policy stays within its AWS quota and every stack passes
 * terraform validate. (Timings live in `npm run bench`, not here.)
 */
import { scaleTopology } from "../bench/scale-topology";
import { policySize, QuotaKind, QUOTAS } from "../policies/quotas";
import { synthInput } from "./helpers/synth";
import { validateStacks } from "./helpers/terraform";

const out = synthInput(scaleTopology());

/** Every policy of the output with the quota it counts against. */
function policies(): { where: string; kind: QuotaKind; size: number }[] {
  const found: { where: string; kind: QuotaKind; size: number }[] = [];
  const attrs: Record<string, [string, QuotaKind]> = {
    aws_s3_bucket_policy: ["policy", "bucket"],
    aws_s3_access_point: ["policy", "access-point"],
    aws_kms_key: ["policy", "key"],
    aws_iam_policy: ["policy", "managed"],
    aws_iam_role: ["assume_role_policy", "trust"],
  };
  for (const [stack, json] of Object.entries(out.stacks)) {
    for (const [type, [attr, kind]] of Object.entries(attrs)) {
      for (const [name, r] of Object.entries((json.resource?.[type] ?? {}) as Record<string, any>)) {
        found.push({ where: `${stack}/${type}.${name}`, kind, size: policySize(kind, r[attr]) });
      }
    }
    // A role's inline policies count together.
    const inline = new Map<string, number>();
    for (const r of Object.values((json.resource?.aws_iam_role_policy ?? {}) as Record<string, any>)) {
      inline.set(r.role, (inline.get(r.role) ?? 0) + policySize("role-inline", r.policy));
    }
    for (const [role, size] of inline) found.push({ where: `${stack}/inline policies of ${role}`, kind: "role-inline", size });
  }
  return found;
}

test("the scale topology makes a stack per account", () => {
  expect(Object.keys(out.stacks).length).toBe(1 + 2 + 100);
});

test("every policy of the scale topology is within its AWS quota", () => {
  const all = policies();
  expect(all.length).toBeGreaterThan(300);
  const over = all.filter((p) => p.size > QUOTAS[p.kind].limit);
  expect(over).toEqual([]);
});

test("grants that outgrow the bucket policy move to access points, one or more per consumer account", () => {
  const aps = Object.values((out.stacks["data-lake"].resource?.aws_s3_access_point ?? {}) as Record<string, any>);
  const consumersServed = new Set(aps.map((ap) => String(ap.name).split("-")[2]));
  expect(consumersServed.size).toBe(100);
  const [bucketPolicy] = Object.values((out.stacks["data-lake"].resource?.aws_s3_bucket_policy ?? {}) as Record<string, any>).filter((p) =>
    String(p.policy).includes("DelegateToAccessPoints"),
  );
  expect(JSON.parse(bucketPolicy.policy).Statement.find((s: any) => s.Sid === "DelegateToAccessPoints").Condition.StringEquals).toEqual({
    "aws:PrincipalOrgID": "o-scale12345",
    "s3:DataAccessPointAccount": "900000000001",
  });
});

test("a consumer role whose grants outgrow its inline policy gets managed policies attached", () => {
  const stack = out.stacks["ml-042"].resource as any;
  const managed = Object.values(stack.aws_iam_policy ?? {});
  const attachments = Object.values(stack.aws_iam_role_policy_attachment ?? {}) as any[];
  expect(managed.length).toBeGreaterThan(0);
  expect(managed.length).toBeLessThanOrEqual(10);
  expect(attachments.map((a) => a.role)).toEqual(managed.map(() => "reader"));
});

test("every stack of the scale topology passes terraform validate", async () => {
  const diagnostics = await validateStacks(out.stacks, { shareProviders: true });
  const failing = Object.entries(diagnostics).filter(([, d]) => d.length);
  expect(failing).toEqual([]);
}, 300000);
