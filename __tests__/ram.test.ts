/**
 * AWS RAM shares (constructs/ram-share.ts): each share in its owning account's stack, with
 * one association per resource and per principal, principals resolved from the topology
 * alone; the refusals of what RAM cannot share; the real terraform over the owning stacks.
 */
import { RamPrincipalAssociation } from "@cdktf/provider-aws/lib/ram-principal-association";
import { RamResourceAssociation } from "@cdktf/provider-aws/lib/ram-resource-association";
import { RamResourceShare } from "@cdktf/provider-aws/lib/ram-resource-share";
import { ramPrincipal } from "../constructs/ram-share";
import { problemsAfter } from "./helpers/problems";
import { resourcesOf, stackText, synthInput } from "./helpers/synth";
import { planStacks, validateStacks } from "./helpers/terraform";
import { referenceInput } from "./helpers/topology";

const CAPACITY = "arn:aws:ec2:us-east-1:222222222222:capacity-reservation/cr-0123456789abcdef0";
const FEATURES = "arn:aws:sagemaker:us-east-1:333333333333:feature-group/churn-features";
const PIPELINE = "arn:aws:sagemaker:us-east-1:333333333333:pipeline/churn-train";
const PREFIX_LIST = "arn:aws:ec2:us-east-1:111111111111:prefix-list/pl-0123456789abcdef0";

/**
 * The reference topology (data-lake shares a capacity reservation with ou:ml-workloads and
 * ml-dev) with the OU's id written in, plus ml-dev sharing SageMaker resources with the whole organization and a partner
 * outside it, and the management account sharing a prefix list with the organization.
 */
function ramInput(): any {
  const t = referenceInput();
  t.organization.organizationalUnits[0].id = "ou-a1b2-abcd1234";
  t.accounts.partner = { id: "777777777777", outsideOrganization: true };
  t.ramShares.push(
    { name: "features", account: "ml-dev", resources: [{ arn: FEATURES }, { arn: PIPELINE }], principals: ["organization", "account:partner"], allowExternalPrincipals: true },
    { name: "egress-prefixes", account: "management", resources: [{ arn: PREFIX_LIST }], principals: ["organization"] },
  );
  return t;
}

const out = synthInput(ramInput());
const shareRef = (stack: string, name: string) => {
  const [id] = Object.entries(resourcesOf(out, stack, "aws_ram_resource_share")).find(([, s]) => s.name === name)!;
  return `\${aws_ram_resource_share.${id}.arn}`;
};
const pairs = (stack: string, type: string, attr: string) => Object.values(resourcesOf(out, stack, type)).map((r) => [r.resource_share_arn, r[attr]]);

describe("a RAM share", () => {
  test("is made in its owning account's stack, through the provider alias, with allow_external_principals as given", () => {
    expect(stackText(out, "data-lake")).toHaveResourceWithProperties(RamResourceShare, { name: "ai-training", allow_external_principals: false, provider: "aws.provider" });
    expect(stackText(out, "ml-dev")).toHaveResourceWithProperties(RamResourceShare, { name: "features", allow_external_principals: true, provider: "aws.provider" });
  });

  test("in the management account's stack goes through its provider alias, not the management one", () => {
    expect(stackText(out, "management")).toHaveResourceWithProperties(RamResourceShare, { name: "egress-prefixes", allow_external_principals: false, provider: "aws.provider" });
    expect(out.topology.accounts.find((a) => a.key === "management")!.roles).toEqual(["management", "provider"]);
  });

  test("is made by no other stack", () => {
    const owners = new Set(out.topology.ramShares.map((s) => s.account));
    for (const name of Object.keys(out.stacks).filter((n) => !owners.has(n))) {
      for (const type of ["aws_ram_resource_share", "aws_ram_resource_association", "aws_ram_principal_association"]) {
        expect({ stack: name, type, found: resourcesOf(out, name, type) }).toEqual({ stack: name, type, found: {} });
      }
    }
  });

  test("has one resource association per resource ARN", () => {
    expect(pairs("data-lake", "aws_ram_resource_association", "resource_arn")).toEqual([[shareRef("data-lake", "ai-training"), CAPACITY]]);
    expect(pairs("ml-dev", "aws_ram_resource_association", "resource_arn").sort()).toEqual(
      [
        [shareRef("ml-dev", "features"), FEATURES],
        [shareRef("ml-dev", "features"), PIPELINE],
      ].sort(),
    );
    expect(stackText(out, "ml-dev")).toHaveResourceWithProperties(RamResourceAssociation, { resource_arn: FEATURES, provider: "aws.provider" });
  });

  test("has one principal association per principal: the OU's ARN from its topology id, and an account's id", () => {
    expect(pairs("data-lake", "aws_ram_principal_association", "principal").sort()).toEqual(
      [
        [shareRef("data-lake", "ai-training"), "arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-abcd1234"],
        [shareRef("data-lake", "ai-training"), "333333333333"],
      ].sort(),
    );
  });

  test("names the organization by its ARN and an account outside it by its id", () => {
    expect(pairs("ml-dev", "aws_ram_principal_association", "principal").sort()).toEqual(
      [
        [shareRef("ml-dev", "features"), "arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5"],
        [shareRef("ml-dev", "features"), "777777777777"],
      ].sort(),
    );
    expect(stackText(out, "ml-dev")).toHaveResourceWithProperties(RamPrincipalAssociation, { principal: "777777777777", provider: "aws.provider" });
  });

  test("its ARN is output by the owning stack, by share name", () => {
    expect((out.stacks["data-lake"] as any).output.ram_shares.value).toEqual({ "ai-training": shareRef("data-lake", "ai-training") });
    expect((out.stacks["ml-dev"] as any).output.ram_shares.value).toEqual({ features: shareRef("ml-dev", "features") });
  });

  test("with the OU's id written, reads no other stack's state and looks nothing up: every principal is a literal", () => {
    for (const stack of ["data-lake", "ml-dev", "management"]) {
      expect((out.stacks[stack] as any).data ?? {}).toEqual({});
      for (const [, principal] of pairs(stack, "aws_ram_principal_association", "principal")) expect(principal).not.toMatch(/\$\{/);
    }
  });
});

describe("RAM principals, resolved from the topology alone", () => {
  const t = out.topology;

  test("organization -> the organization's ARN in the management account", () => {
    expect(ramPrincipal(t, "organization")).toBe("arn:aws:organizations::111111111111:organization/o-a1b2c3d4e5");
  });

  test("ou:<name> -> the OU's ARN, from the id written on the OU", () => {
    expect(ramPrincipal(t, "ou:ml-workloads")).toBe("arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-abcd1234");
  });

  test("account:<key> -> the account id, inside or outside the organization", () => {
    expect(ramPrincipal(t, "account:ml-prod")).toBe("555555555555");
    expect(ramPrincipal(t, "account:partner")).toBe("777777777777");
  });
});

describe("what RAM cannot share, or cannot share that way, is refused", () => {
  test("an S3 bucket, with how to share it instead", () => {
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = "arn:aws:s3:::acme-ml-data-222222222222-us-east-1"))).toEqual([
      'ramShares[0].resources[0].arn: "arn:aws:s3:::acme-ml-data-222222222222-us-east-1" is a resource of S3. RAM cannot share S3 buckets: share data with a `datasets` entry (bucket policy or reader role) and models with a `modelArtifacts` entry',
    ]);
  });

  test("a resource type RAM cannot share", () => {
    const arn = "arn:aws:sagemaker:us-east-1:222222222222:endpoint/churn";
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: "${arn}" is a sagemaker endpoint, which AWS RAM cannot share (shareable types: https://docs.aws.amazon.com/ram/latest/userguide/shareable.html); share data with \`datasets\` and models with \`modelArtifacts\``,
    ]);
  });

  test("a principal outside the organization without allowExternalPrincipals", () => {
    expect(
      problemsAfter((t) => {
        t.accounts.partner = { id: "777777777777", outsideOrganization: true };
        t.ramShares[0].principals.push("account:partner");
      }),
    ).toEqual(['ramShares[0].principals[2]: account "partner" is outside the organization; sharing with it needs allowExternalPrincipals: true on this share']);
  });

  test("a principal outside the organization with allowExternalPrincipals: true is accepted (the near miss)", () => {
    expect(
      problemsAfter((t) => {
        t.accounts.partner = { id: "777777777777", outsideOrganization: true };
        t.ramShares[0].principals.push("account:partner");
        t.ramShares[0].allowExternalPrincipals = true;
      }),
    ).toEqual([]);
  });

  test("a resource ARN of another account than the share's owner", () => {
    const arn = CAPACITY.replace("222222222222", "333333333333");
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: resource "${arn}" belongs to account 333333333333, not to the share's owner "data-lake" (222222222222); a share holds only its owner's resources`,
    ]);
  });

  test("an OU without an id that no RAM share names is accepted (the near miss)", () => {
    expect(problemsAfter((t) => t.organization.organizationalUnits.push({ name: "research", parent: "ml-workloads" }))).toEqual([]);
  });

  test("an OU principal is reported once, as unknown, when the OU does not exist", () => {
    expect(problemsAfter((t) => (t.ramShares[0].principals[0] = "ou:research"))).toEqual(['ramShares[0].principals[0]: unknown OU "research"; known: ml-workloads']);
  });
});

describe("terraform", () => {
  const owners = ["data-lake", "ml-dev", "management"];
  const owning = Object.fromEntries(owners.map((n) => [n, out.stacks[n]]));

  test("every owning stack passes terraform validate", async () => {
    const diagnostics = await validateStacks(owning);
    for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
  });

  test("every owning stack plans offline (no lookup is needed), creating its shares and associations", async () => {
    const plan = await planStacks(owning);
    expect(plan.error).toBeUndefined();
    const ram = (stack: string) => plan.creates[stack].filter((a) => a.startsWith("aws_ram_resource") || a.startsWith("aws_ram_principal")).length;
    expect({ "data-lake": ram("data-lake"), "ml-dev": ram("ml-dev"), management: ram("management") }).toEqual({ "data-lake": 4, "ml-dev": 5, management: 3 });
  });
});

describe("an OU principal whose id the topology does not hold yet", () => {
  const t = referenceInput();
  t.organization.organizationalUnits.push({ name: "research", parent: "ml-workloads" });
  t.ramShares[0].principals.push("ou:research");
  const s = synthInput(t);
  const lake = s.stacks["data-lake"] as any;

  test("is looked up read-only, by name under its parent, through a provider of the management account", () => {
    const lookups = Object.values(lake.data.aws_organizations_organizational_unit) as any[];
    expect(lookups.map((d) => [d.name, d.provider])).toEqual([
      ["ml-workloads", "aws.management"],
      ["research", "aws.management"],
    ]);
    expect(lookups[0].parent_id).toBe("r-a1b2");
    expect(lookups[1].parent_id).toMatch(/^\$\{data\.aws_organizations_organizational_unit\.Ram_OuLookup_Ou-ml-workloads_[A-F0-9]+\.id\}$/);
    const management = lake.provider.aws.find((p: any) => p.alias === "management");
    expect(management.assume_role[0].role_arn).toBe("arn:aws:iam::111111111111:role/OrganizationAccountAccessRole");
    expect(management.allowed_account_ids).toEqual(["111111111111"]);
  });

  test("its association names the looked-up ARN", () => {
    const principals = Object.values(lake.resource.aws_ram_principal_association).map((a: any) => a.principal);
    expect(principals).toContainEqual(expect.stringMatching(/^\$\{data\.aws_organizations_organizational_unit\.Ram_OuLookup_Ou-research_[A-F0-9]+\.arn\}$/));
  });

  test("writing the OU's id removes the lookup and the management provider from the owning stack", () => {
    const withIds = referenceInput();
    withIds.organization.organizationalUnits[0].id = "ou-a1b2-abcd1234";
    const w = synthInput(withIds).stacks["data-lake"] as any;
    expect(w.data ?? {}).toEqual({});
    expect(w.provider.aws.map((p: any) => p.alias)).toEqual(["provider"]);
  });
});
