/**
 * Topologies that cannot fit AWS's quotas are refused early (before any stack is built) with
 * an error that names the policy or account, its size or count, the quota, a change the user
 * can make, and whether AWS raises the quota; every message agrees with its own numbers.
 */
import * as path from "path";
import { scaleTopology } from "../bench/scale-topology";
import { accountOf } from "../config/model";
import { CountQuotaError, QuotaError } from "../policies/quotas";
import { checkAccountCounts } from "../sharing/counts";
import * as app from "../stacks/app";
import { synthesize } from "../synth";
import { resolve } from "./helpers/topology";
import { tempDir } from "./helpers/tmp";

/** The error synthesize throws for a topology, and whether it got as far as building the stacks. */
function refusal(input: unknown): { error: Error; built: boolean } {
  const outdir = path.join(tempDir("mlshare-quota-"), "cdktf.out");
  const build = jest.spyOn(app, "addStacks");
  try {
    synthesize(resolve(input), outdir);
  } catch (e) {
    return { error: e as Error, built: build.mock.calls.length > 0 };
  } finally {
    build.mockRestore();
  }
  throw new Error("synthesize did not refuse the topology");
}

test("a key policy over KMS's 32 KB even with accounts instead of roles is refused before any stack is built, with a change the user can make", () => {
  const { error, built } = refusal(scaleTopology({ consumers: 2300, datasets: 1 }));
  expect(error).toBeInstanceOf(QuotaError);
  const m = /^mlshare: key policy of (\S+) is (\d+) characters, over the KMS key policy \(32 KB\) quota; it lists 2300 consumer accounts \(15 characters each\) and can list about (\d+): share these datasets with at most \3 consumer accounts from this provider account, or provide the datasets of the other accounts from a second provider account\. AWS does not raise this quota\.$/.exec(error.message);
  expect(m).not.toBeNull();
  expect(m![1]).toBe("alias/scale-ml/datasets");
  expect(Number(m![2])).toBeGreaterThan(32 * 1024);
  const most = Number(m![3]);
  expect(most).toBeGreaterThan(1900);
  expect(most).toBeLessThan(2300);
  // Refused by the preflight, before the app is built: thousands of stacks would take minutes.
  expect(built).toBe(false);
}, 120_000);

test("below the limit the message gives (1,900 accounts), the key policy passes the preflight", () => {
  // The limit the message states holds: 1,900 accounts fit (checked without building the stacks).
  const { preflight } = jest.requireActual("../sharing/preflight") as typeof import("../sharing/preflight");
  expect(() => preflight(resolve(scaleTopology({ consumers: 1900, datasets: 1 })))).not.toThrow();
}, 120_000);

test("reader roles grow with the distinct (consumer account, roles, access), not with datasets x accounts", () => {
  const { preflight } = jest.requireActual("../sharing/preflight") as typeof import("../sharing/preflight");
  const { datasetAccesses } = jest.requireActual("../config/grants") as typeof import("../config/grants");
  const input: any = scaleTopology({ consumers: 11, datasets: 100 });
  for (const d of input.datasets) for (const c of d.consumers) c.via = "assume-role";
  const topology = resolve(input);
  // 1,100 grants through reader roles, one role per consumer account: 11 reader roles.
  expect(new Set(datasetAccesses(topology).map((a) => a.readerRole!.roleArn)).size).toBe(11);
  expect(() => preflight(topology)).not.toThrow();
});

test("more reader roles than IAM's role quota in the provider account, even one per (consumer, roles, access), are refused with the account, the count, the quota and that AWS raises it", () => {
  const input: any = scaleTopology({ consumers: 11, datasets: 100 });
  // Every dataset granted to a role of its own: 1,100 distinct (consumer account, roles, access).
  input.datasets.forEach((d: any, i: number) => {
    for (const c of d.consumers) Object.assign(c, { via: "assume-role", roles: [`reader-${i}`] });
  });
  const { error } = refusal(input);
  expect(error).toBeInstanceOf(CountQuotaError);
  expect(error.message).toBe(
    "mlshare: account data-lake (900000000001) would hold 1,100 IAM roles that mlshare makes, over the IAM roles per account (1,000 by default) quota; " +
      "grant through fewer reader roles (one per consumer account, granted roles and access: give the consumers' grants the same roles), or provide some datasets from another account. " +
      "AWS raises this quota on request (Service Quotas); mlshare checks AWS's default, which it cannot know to be raised.",
  );
}, 120_000);

test("a role granted more datasets than eleven policies hold is refused with numbers that agree: documents needed over documents allowed", () => {
  const { error } = refusal(scaleTopology({ consumers: 1, datasets: 600 }));
  expect(error).toBeInstanceOf(QuotaError);
  const m = /^mlshare: identity policy of role reader in ml-000 needs (\d+) documents, more than the 11 it may have \(one inline policy and 10 managed policies, (\d+) characters in all\): its statements take (\d+) characters as one document, and (.+?); (.+)\. AWS does not raise this quota\.$/.exec(error.message);
  expect(m).not.toBeNull();
  const [needed, limit, total] = [Number(m![1]), Number(m![2]), Number(m![3])];
  expect(needed).toBeGreaterThan(11);
  expect(limit).toBe(10240 + 10 * 6144);
  expect(m![4]).toBe(total <= limit ? "statements fill documents whole, so the space left at the end of each is lost" : "that is over what the documents hold");
  expect(m![5]).toMatch(/^grant the role fewer datasets/);
}, 120_000);

test("per-account counts over the synthesized stacks: managed policies attached to one role, access points per region", () => {
  const topology = resolve(scaleTopology({ consumers: 1, datasets: 1 }));
  const consumer = accountOf(topology, "ml-000");
  const attachments = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { role: "reader", policy_arn: `p${i}` }]));
  expect(() => checkAccountCounts(topology, { "ml-000": { resource: { aws_iam_role_policy_attachment: attachments } } })).toThrow(
    new CountQuotaError(`ml-000 (${consumer.id}), role reader`, "attached-per-role", 11),
  );
  expect(() => checkAccountCounts(topology, { "ml-000": { resource: { aws_iam_role_policy_attachment: attachments } } })).toThrow(
    /^mlshare: account ml-000 \(910000000000\), role reader would hold 11 managed policies attached to one role that mlshare makes, over the managed policies attached per role \(10 by default\) quota/,
  );
  const aps = Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`ap${i}`, {}]));
  expect(() => checkAccountCounts(topology, { "data-lake": { resource: { aws_s3_access_point: aps } } })).toThrow(
    /^mlshare: account data-lake \(900000000001\) in us-east-1 would hold 10,001 S3 access points that mlshare makes, over the S3 access points per account and region \(10,000 by default\) quota/,
  );
  const counts = checkAccountCounts(topology, { "ml-000": { resource: { aws_iam_role: { r: {} }, aws_iam_policy: { p: {} } } } });
  expect(counts).toEqual([{ account: "ml-000", roles: 1, managedPolicies: 1, accessPoints: 0, mostAttached: { role: "", count: 0 } }]);
});
