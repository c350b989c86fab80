/**
 * Reader roles (via: assume-role) are made per distinct (consumer account, granted roles,
 * access), not per dataset: proven with iam-simulate over the synthesized stacks that a role
 * allowed to assume a reader role reaches exactly the datasets granted to it, and no other.
 *
 * science's roles a and b: d1 and d3 are granted to [a, b] (in two spellings of the order),
 * d2 to [a] alone, d4 to [a, b] read-write. So three reader roles: {a,b} read {d1, d3},
 * {a} read {d2}, {a,b} read-write {d4}; b assumes the first and the third, never the second.
 */
import { readerRoleName } from "../config/naming";
import { simulate, StackPolicies } from "./helpers/stack-policies";
import { synthInput } from "./helpers/synth";
import { minimalInput } from "./helpers/topology";

const LAKE = "100000000002";
const SCIENCE = "100000000003";
const ORG = "o-abcdefghij";
const DATA = "mini-data-100000000002-eu-west-1";
const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;

const input = minimalInput();
const grant = (roles: string[], access = "read") => [{ account: "science", via: "assume-role", access, roles }];
input.datasets = [
  { name: "d1", account: "lake", consumers: grant(["a", "b"]) },
  { name: "d2", account: "lake", consumers: grant(["a"]) },
  { name: "d3", account: "lake", consumers: grant(["b", "a"]) },
  { name: "d4", account: "lake", consumers: grant(["a", "b"], "read-write") },
];
const out = synthInput(input);
const stacks = new StackPolicies(out);

const BOTH = role(LAKE, readerRoleName("mini", SCIENCE, "read", ["a", "b"]));
const A_ONLY = role(LAKE, readerRoleName("mini", SCIENCE, "read", ["a"]));
const BOTH_RW = role(LAKE, readerRoleName("mini", SCIENCE, "read-write", ["a", "b"]));
const EXTERNAL = { [BOTH]: "mini:science:read:a,b", [A_ONLY]: "mini:science:read:a", [BOTH_RW]: "mini:science:read-write:a,b" };
const EVERYTHING = [{ name: "(test) allows itself everything", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }];

const assume = (caller: string, reader: string, identity = stacks.identityPolicies(caller), externalId = EXTERNAL[reader]) =>
  simulate({
    principal: caller,
    action: "sts:AssumeRole",
    resource: reader,
    resourceAccount: LAKE,
    identity,
    resourcePolicy: stacks.trustPolicy(reader),
    orgId: ORG,
    context: { "sts:ExternalId": externalId },
  });

/** A session of a reader role, with its identity policies, asking S3 for an object of a dataset. */
const s3 = (reader: string, action: string, dataset: string) =>
  simulate({
    principal: `arn:aws:sts::${LAKE}:assumed-role/${reader.split("/").pop()}/session`,
    roleArn: reader,
    action,
    resource: `arn:aws:s3:::${DATA}/${dataset}/part-0.parquet`,
    resourceAccount: LAKE,
    identity: stacks.identityPolicies(reader),
    resourcePolicy: stacks.bucketPolicy(DATA),
    orgId: ORG,
  });

describe("reader roles per (consumer account, roles, access)", () => {
  test("three reader roles for four datasets, whatever the order the roles are written in", () => {
    const names = Object.values((out.stacks.lake as any).resource.aws_iam_role).map((r: any) => r.name);
    expect(names.sort()).toEqual([BOTH, A_ONLY, BOTH_RW].map((a) => a.split("/").pop()).sort());
  });

  test("the outputs name each dataset's reader role and external id, per consumer", () => {
    const provided = (out.stacks.lake as any).output.datasets.value;
    expect(provided.d1.consumers.science.readerRoleArn).toBe(BOTH);
    expect(provided.d3.consumers.science.readerRoleArn).toBe(BOTH);
    expect(provided.d2.consumers.science.readerRoleArn).toBe(A_ONLY);
    expect(provided.d4.consumers.science.readerRoleArn).toBe(BOTH_RW);
    const consumed = (out.stacks.science as any).output.datasets.value;
    expect(consumed.d2).toEqual(expect.objectContaining({ readerRoleArn: A_ONLY, externalId: "mini:science:read:a" }));
    expect(consumed.d3).toEqual(expect.objectContaining({ readerRoleArn: BOTH, externalId: "mini:science:read:a,b" }));
  });

  test("a assumes every reader role; b only those whose grants name it; an administrator of science none", async () => {
    const a = role(SCIENCE, "a");
    const b = role(SCIENCE, "b");
    for (const reader of [BOTH, A_ONLY, BOTH_RW]) expect(await assume(a, reader)).toBe("Allowed");
    expect(await assume(b, BOTH)).toBe("Allowed");
    expect(await assume(b, BOTH_RW)).toBe("Allowed");
    // b's identity policy does not name a's reader role, and its trust does not name b.
    expect(await assume(b, A_ONLY)).not.toBe("Allowed");
    expect(await assume(b, A_ONLY, EVERYTHING)).not.toBe("Allowed");
    expect(await assume(role(SCIENCE, "admin"), BOTH, EVERYTHING)).not.toBe("Allowed");
    // The external id of another grant does not open a reader role.
    expect(await assume(a, A_ONLY, undefined, EXTERNAL[BOTH])).not.toBe("Allowed");
  });

  test("a reader role reaches exactly the datasets of its grants", async () => {
    expect(await s3(BOTH, "s3:GetObject", "d1")).toBe("Allowed");
    expect(await s3(BOTH, "s3:GetObject", "d3")).toBe("Allowed");
    // b, through the {a,b} reader role, never reaches d2 (granted to a alone), nor writes.
    expect(await s3(BOTH, "s3:GetObject", "d2")).not.toBe("Allowed");
    expect(await s3(BOTH, "s3:GetObject", "d4")).not.toBe("Allowed");
    expect(await s3(BOTH, "s3:PutObject", "d1")).not.toBe("Allowed");
    expect(await s3(A_ONLY, "s3:GetObject", "d2")).toBe("Allowed");
    expect(await s3(A_ONLY, "s3:GetObject", "d1")).not.toBe("Allowed");
    expect(await s3(BOTH_RW, "s3:GetObject", "d4")).toBe("Allowed");
    expect(await s3(BOTH_RW, "s3:GetObject", "d1")).not.toBe("Allowed");
  });
});
