/**
 * The management account's part (constructs/organization.ts, policies/guardrails.ts): OUs,
 * account placement and creation, guardrail policies and their attachments, RAM sharing with
 * the organization; checked with cdktf's matchers, the real terraform, and AWS's evaluation
 * logic (@cloud-copilot/iam-simulate through review/) over the synthesized JSON.
 */
import { OrganizationsAccount } from "@cdktf/provider-aws/lib/organizations-account";
import { OrganizationsOrganizationalUnit } from "@cdktf/provider-aws/lib/organizations-organizational-unit";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { RamSharingWithOrganization } from "@cdktf/provider-aws/lib/ram-sharing-with-organization";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { managedAccounts } from "../constructs/organization";
import * as naming from "../config/naming";
import { PolicyDocument, PolicyError } from "../policies/document";
import { dataPerimeter, denyLeaveOrganization, guardrailPolicy, GUARDRAILS, requireSagemakerVpc, SAGEMAKER_VPC_WORKLOAD_ACTIONS } from "../policies/guardrails";
import { QuotaError } from "../policies/quotas";
import { collectStacks, StackInput } from "../review/collect";
import { AccessEvaluator, NamedPolicy } from "../review/evaluate";
import { runSimulation, type SimulationOrgPolicies } from "@cloud-copilot/iam-simulate";
import { runSynth } from "../synth";
import { resourcesOf, stackText, synthInput, Synthesized } from "./helpers/synth";
import { Diagnostic, planStacks, PLUGIN_DIR, requireTerraform, validateStacks, withoutImports } from "./helpers/terraform";
import { minimalInput, referenceInput, writeTopology } from "./helpers/topology";
import { tempDir } from "./helpers/tmp";

/**
 * The reference topology with every kind of account placement: ml-qa exists and is placed
 * (email + name, imported), ml-sandbox is created (no id yet), a nested OU `research`, and a
 * second target for deny-leave-organization (an account).
 */
function organizationInput(): any {
  const t = referenceInput();
  t.accounts["ml-qa"] = { id: "666666666666", email: "ml-qa@example.com", name: "ML QA" };
  t.accounts["ml-sandbox"] = { create: true, email: "ml-sandbox@example.com", name: "ML sandbox" };
  t.organization.organizationalUnits[0].accounts.push("ml-qa");
  t.organization.organizationalUnits.push({ name: "research", parent: "ml-workloads", accounts: ["ml-sandbox"] });
  t.organization.guardrails.push({ kind: "deny-leave-organization", targets: ["account:ml-qa", "root"] });
  return t;
}

const out = synthInput(organizationInput());
const management = stackText(out, "management");
const mgmt = out.stacks.management as any;

/** The logical id of the one resource of a type whose attribute has a value. */
function idOf(s: Synthesized, stack: string, type: string, attr: string, value: unknown): string {
  const found = Object.entries(resourcesOf(s, stack, type)).filter(([, r]) => r[attr] === value);
  if (found.length !== 1) throw new Error(`${found.length} ${type} with ${attr} = ${value} in ${stack}`);
  return found[0][0];
}
const ouRef = (name: string) => `\${aws_organizations_organizational_unit.${idOf(out, "management", "aws_organizations_organizational_unit", "name", name)}.id}`;
const policyRef = (kind: string) => `\${aws_organizations_policy.${idOf(out, "management", "aws_organizations_policy", "name", `acme-ml-${kind}`)}.id}`;
const accountAddress = (email: string) => `aws_organizations_account.${idOf(out, "management", "aws_organizations_account", "email", email)}`;

describe("organizational units", () => {
  test("are made by the management stack through its management provider, under the root or their parent", () => {
    expect(management).toHaveResourceWithProperties(OrganizationsOrganizationalUnit, { name: "ml-workloads", parent_id: "r-a1b2", provider: "aws.management" });
    expect(management).toHaveResourceWithProperties(OrganizationsOrganizationalUnit, { name: "research", parent_id: ouRef("ml-workloads"), provider: "aws.management" });
  });

  test("are made by no other stack", () => {
    for (const name of Object.keys(out.stacks).filter((n) => n !== "management")) {
      expect({ stack: name, ous: resourcesOf(out, name, "aws_organizations_organizational_unit") }).toEqual({ stack: name, ous: {} });
    }
  });

  test("their ids are output by name, to be written into the topology", () => {
    expect(mgmt.output.organizational_unit_ids.value).toEqual({ "ml-workloads": ouRef("ml-workloads"), research: ouRef("research") });
  });
});

describe("accounts", () => {
  test("an existing account with email and name is imported into its OU, never closed and never destroyed", () => {
    expect(management).toHaveResourceWithProperties(OrganizationsAccount, {
      email: "ml-qa@example.com",
      name: "ML QA",
      parent_id: ouRef("ml-workloads"),
      close_on_deletion: false,
      lifecycle: { prevent_destroy: true, ignore_changes: ["role_name"] },
    });
    expect(mgmt.import).toEqual([{ to: accountAddress("ml-qa@example.com"), id: "666666666666", provider: "aws.management" }]);
  });

  test("an imported account gets no role_name, which AWS only reads when it creates an account", () => {
    const [qa] = Object.values(resourcesOf(out, "management", "aws_organizations_account")).filter((a) => a.email === "ml-qa@example.com");
    expect(qa.role_name).toBeUndefined();
  });

  test("an account with create: true is created in its OU with its deploy role, never closed and never destroyed", () => {
    expect(management).toHaveResourceWithProperties(OrganizationsAccount, {
      email: "ml-sandbox@example.com",
      name: "ML sandbox",
      parent_id: ouRef("research"),
      role_name: "mlshare-deploy",
      close_on_deletion: false,
      lifecycle: { prevent_destroy: true, ignore_changes: ["role_name"] },
    });
    expect(mgmt.import.map((i: any) => i.to)).not.toContain(accountAddress("ml-sandbox@example.com"));
  });

  test("the ids of managed accounts are output, so a created account's id can be written into the topology", () => {
    expect(mgmt.output.account_ids.value).toEqual({
      "ml-qa": `\${${accountAddress("ml-qa@example.com")}.id}`,
      "ml-sandbox": `\${${accountAddress("ml-sandbox@example.com")}.id}`,
    });
  });

  test("an account without email and name is left where it is", () => {
    const emails = Object.values(resourcesOf(out, "management", "aws_organizations_account")).map((a) => a.email);
    expect(emails.sort()).toEqual(["ml-qa@example.com", "ml-sandbox@example.com"]);
  });

  test("no other stack references an account that has no id yet, and it has no stack of its own", () => {
    expect(Object.keys(out.stacks)).not.toContain("ml-sandbox");
    for (const name of Object.keys(out.stacks).filter((n) => n !== "management")) {
      expect({ stack: name, mentions: JSON.stringify(out.stacks[name]).includes("ml-sandbox") }).toEqual({ stack: name, mentions: false });
    }
  });

  test("synth says in one line that the created account waits for its id", () => {
    const file = writeTopology(organizationInput());
    const outdir = path.join(tempDir("mlshare-org-"), "cdktf.out");
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk: any) => (lines.push(String(chunk)), true));
    const before = process.env.MLSHARE_CONFIG;
    process.env.MLSHARE_CONFIG = file;
    try {
      expect(runSynth(outdir)).toBe(0);
    } finally {
      spy.mockRestore();
      if (before === undefined) delete process.env.MLSHARE_CONFIG;
      else process.env.MLSHARE_CONFIG = before;
    }
    expect(lines.join("").split("\n").filter((l) => l.includes("ml-sandbox"))).toEqual([
      "mlshare: account ml-sandbox has no id yet: the management stack creates it; no other stack references it until you write its id into accounts.ml-sandbox.id",
    ]);
  });

  test("a created account keeps being the same created resource once its id is written, and then gets its stack", () => {
    const t = organizationInput();
    t.accounts["ml-sandbox"].id = "888888888888";
    const later = synthInput(t);
    expect(stackText(later, "management")).toHaveResourceWithProperties(OrganizationsAccount, { email: "ml-sandbox@example.com", role_name: "mlshare-deploy" });
    expect(idOf(later, "management", "aws_organizations_account", "email", "ml-sandbox@example.com")).toBe(accountAddress("ml-sandbox@example.com").split(".")[1]);
    expect((later.stacks.management as any).import.map((i: any) => i.id)).toEqual(["666666666666"]);
    expect(Object.keys(later.stacks)).toContain("ml-sandbox");
  });

  test("an account with email and name but in no OU is imported and left in its parent (no parent_id)", () => {
    const t = minimalInput();
    Object.assign(t.accounts.science, { email: "science@example.com", name: "Science" });
    const plans = managedAccounts(synthInput(t).topology);
    expect(plans).toEqual([{ key: "science", email: "science@example.com", name: "Science", ou: undefined, importId: "100000000003" }]);
    const s = synthInput(t);
    const [science] = Object.values(resourcesOf(s, "mgmt", "aws_organizations_account"));
    expect(science.parent_id).toBeUndefined();
    expect((s.stacks.mgmt as any).import).toEqual([expect.objectContaining({ id: "100000000003" })]);
  });
});

describe("guardrails", () => {
  const policies = resourcesOf(out, "management", "aws_organizations_policy");
  const byName = (kind: string) => Object.values(policies).find((p) => p.name === `acme-ml-${kind}`)!;

  test("each kind is one organization policy of the management stack, of its type", () => {
    expect(management).toHaveResourceWithProperties(OrganizationsPolicy, { name: "acme-ml-deny-leave-organization", type: "SERVICE_CONTROL_POLICY", provider: "aws.management" });
    expect(management).toHaveResourceWithProperties(OrganizationsPolicy, { name: "acme-ml-require-sagemaker-vpc", type: "SERVICE_CONTROL_POLICY", provider: "aws.management" });
    expect(management).toHaveResourceWithProperties(OrganizationsPolicy, { name: "acme-ml-data-perimeter", type: "RESOURCE_CONTROL_POLICY", provider: "aws.management" });
    // Besides the three kinds, only the registry guard of the build account of ML project churn (policies/registry-guard.ts).
    expect(Object.values(policies).map((p) => p.name).sort()).toEqual(
      ["acme-ml-deny-leave-organization", "acme-ml-require-sagemaker-vpc", "acme-ml-data-perimeter", naming.registryGuardPolicyName("acme-ml", "ml-dev")].sort(),
    );
  });

  test("each is attached to every target of every guardrail of its kind: the root, an OU of the stack, an account", () => {
    const attachments = Object.values(resourcesOf(out, "management", "aws_organizations_policy_attachment")).map((a) => [a.policy_id, a.target_id]);
    expect(attachments.sort()).toEqual(
      [
        [policyRef("deny-leave-organization"), "r-a1b2"],
        [policyRef("deny-leave-organization"), "666666666666"],
        [policyRef("require-sagemaker-vpc"), ouRef("ml-workloads")],
        [policyRef("data-perimeter"), "r-a1b2"],
        [policyRef("protect-model-registry-ml-dev"), "333333333333"],
      ].sort(),
    );
    expect(management).toHaveResourceWithProperties(OrganizationsPolicyAttachment, { policy_id: policyRef("data-perimeter"), target_id: "r-a1b2", provider: "aws.management" });
  });

  test("the policy ids are output by guardrail kind", () => {
    expect(mgmt.output.organization_policy_ids.value).toEqual({
      "deny-leave-organization": policyRef("deny-leave-organization"),
      "require-sagemaker-vpc": policyRef("require-sagemaker-vpc"),
      "data-perimeter": policyRef("data-perimeter"),
    });
  });

  test.each(Object.keys(GUARDRAILS))("%s is minified, within 5,120 characters, and Deny-only with a Sid on every statement", (kind) => {
    const p = byName(kind);
    expect(p.content).toBe(JSON.stringify(JSON.parse(p.content)));
    expect(p.content.length).toBeLessThanOrEqual(5120);
    const statements = JSON.parse(p.content).Statement;
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(s.Effect).toBe("Deny");
      expect(s.Sid).toMatch(/^[A-Za-z0-9]+$/);
    }
  });

  test("deny-leave-organization denies organizations:LeaveOrganization", () => {
    expect(JSON.parse(byName("deny-leave-organization").content).Statement).toEqual([
      { Sid: "DenyLeaveOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
    ]);
  });

  test("require-sagemaker-vpc denies domains that are not VPC-only, compute without VPC subnets, endpoint configs with neither models nor subnets, notebooks open to the internet", () => {
    const statements = JSON.parse(byName("require-sagemaker-vpc").content).Statement;
    expect(statements).toEqual([
      { Sid: "DenySageMakerDomainsNotVpcOnly", Effect: "Deny", Action: "sagemaker:CreateDomain", Resource: "*", Condition: { StringNotEquals: { "sagemaker:AppNetworkAccessType": "VpcOnly" } } },
      { Sid: "DenySageMakerDomainsToPublicInternet", Effect: "Deny", Action: "sagemaker:UpdateDomain", Resource: "*", Condition: { StringEquals: { "sagemaker:AppNetworkAccessType": "PublicInternetOnly" } } },
      { Sid: "DenySageMakerComputeWithoutVpcSubnets", Effect: "Deny", Action: [...SAGEMAKER_VPC_WORKLOAD_ACTIONS], Resource: "*", Condition: { Null: { "sagemaker:VpcSubnets": "true" } } },
      {
        Sid: "DenySageMakerEndpointConfigsWithoutModelsOrVpcSubnets",
        Effect: "Deny",
        Action: "sagemaker:CreateEndpointConfig",
        Resource: "*",
        Condition: { Null: { "sagemaker:ModelArn": "true", "sagemaker:VpcSubnets": "true" } },
      },
      {
        Sid: "DenySageMakerNotebooksWithDirectInternetAccess",
        Effect: "Deny",
        Action: "sagemaker:CreateNotebookInstance",
        Resource: "*",
        Condition: { StringNotEquals: { "sagemaker:DirectInternetAccess": "Disabled" } },
      },
    ]);
    // The compute list comes from AWS's action data (__tests__/sagemaker-vpc-guardrail.test.ts proves it equal); these must be in it.
    expect(statements[2].Action).toEqual(
      expect.arrayContaining(["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateHyperParameterTuningJob", "sagemaker:CreateModel", "sagemaker:CreateNotebookInstance", "sagemaker:CreateMonitoringSchedule", "sagemaker:CreateCluster"]),
    );
  });

  test("data-perimeter admits only the organization's principals, AWS services acting for it, and TLS, on S3, KMS and STS", () => {
    const statements = JSON.parse(byName("data-perimeter").content).Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(["EnforceOrgIdentities", "EnforceConfusedDeputyProtection", "EnforceSecureTransport"]);
    for (const s of statements) expect(s.Principal).toBe("*");
    expect(statements[0].Condition).toEqual({ StringNotEqualsIfExists: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" }, BoolIfExists: { "aws:PrincipalIsAWSService": "false" } });
    expect(statements[0].Action).toEqual(expect.arrayContaining(["s3:*", "kms:*", "sts:AssumeRole"]));
    expect(statements[1].Condition).toEqual({
      StringNotEqualsIfExists: { "aws:SourceOrgID": "o-a1b2c3d4e5" },
      Null: { "aws:SourceAccount": "false" },
      Bool: { "aws:PrincipalIsAWSService": "true" },
    });
    expect(statements[2].Condition).toEqual({ BoolIfExists: { "aws:SecureTransport": "false" } });
    expect(statements[1].Action).toEqual(["kms:*", "s3:*", "sts:*"]);
  });

  test("the data perimeter admits trusted accounts outside the organization when given them", () => {
    const [identities, deputies] = dataPerimeter({ orgId: "o-a1b2c3d4e5", trustedAccounts: ["999999999999"] });
    expect(identities.conditions!.StringNotEqualsIfExists).toEqual({ "aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:PrincipalAccount": ["999999999999"] });
    expect(deputies.conditions!.StringNotEqualsIfExists).toEqual({ "aws:SourceOrgID": "o-a1b2c3d4e5", "aws:SourceAccount": ["999999999999"] });
  });

  test("a guardrail policy over 5,120 characters is refused with its name, size and quota", () => {
    const many = Array.from({ length: 400 }, (_, i) => String(900000000000 + i));
    expect(() => guardrailPolicy("data-perimeter", "acme-ml-data-perimeter", { orgId: "o-a1b2c3d4e5", trustedAccounts: many })).toThrow(QuotaError);
    expect(() => guardrailPolicy("data-perimeter", "acme-ml-data-perimeter", { orgId: "o-a1b2c3d4e5", trustedAccounts: many })).toThrow(
      /^mlshare: RCP acme-ml-data-perimeter is \d+ characters, over the resource control policy \(5,120 characters\) quota/,
    );
  });

  test("guardrail builders are pure: the same inputs give the same statements", () => {
    expect(denyLeaveOrganization()).toEqual(denyLeaveOrganization());
    expect(requireSagemakerVpc()).toEqual(requireSagemakerVpc());
    expect(guardrailPolicy("data-perimeter", "x", { orgId: "o-a1b2c3d4e5" }).content).toBe(byName("data-perimeter").content);
  });

  test("an RCP statement naming a principal other than * is refused", () => {
    const doc = new PolicyDocument("RCP test", "rcp");
    const add = () => doc.add({ sid: "Named", effect: "Deny", principals: { AWS: ["arn:aws:iam::111111111111:root"] }, actions: ["s3:GetObject"], resources: ["*"] });
    expect(add).toThrow(PolicyError);
    expect(add).toThrow('policy RCP test, statement Named: an rcp statement\'s principal is "*", the only principal RCPs support');
  });

  test("a topology without guardrails, OUs or managed accounts gives the management stack none of them", () => {
    const s = synthInput(minimalInput());
    for (const type of ["aws_organizations_policy", "aws_organizations_policy_attachment", "aws_organizations_organizational_unit", "aws_organizations_account", "aws_ram_sharing_with_organization"]) {
      expect({ type, found: resourcesOf(s, "mgmt", type) }).toEqual({ type, found: {} });
    }
    expect(Object.keys((s.stacks.mgmt as any).output)).toEqual(["account"]);
  });
});

describe("RAM sharing with the organization", () => {
  test("is enabled by the management stack when the topology asks", () => {
    expect(management).toHaveResourceWithProperties(RamSharingWithOrganization, { provider: "aws.management" });
  });

  test("is left alone otherwise", () => {
    const t = referenceInput();
    t.organization.ramSharingWithOrganization = false;
    expect(resourcesOf(synthInput(t), "management", "aws_ram_sharing_with_organization")).toEqual({});
  });
});

// ---------------------------------------------------------------------------------------
// The real terraform

const run = promisify(execFile);
const tfEnv = { ...process.env, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", TF_CLI_CONFIG_FILE: "/dev/null" };

/**
 * `terraform validate` of one stack as a root module of its own. Terraform allows import
 * blocks only in a root module, so the management stack cannot be validated as one of the
 * child modules validateStacks lays out.
 */
async function validateAsRootModule(stack: unknown): Promise<Diagnostic[]> {
  requireTerraform();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlshare-tf-root-"));
  try {
    const copy = JSON.parse(JSON.stringify(stack));
    delete copy.terraform.backend;
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(copy));
    await run("terraform", ["init", "-backend=false", `-plugin-dir=${PLUGIN_DIR}`, "-input=false", "-no-color"], { cwd: dir, env: tfEnv });
    const { stdout } = await run("terraform", ["validate", "-json", "-no-color"], { cwd: dir, env: tfEnv }).catch((e) => e);
    const parsed = JSON.parse(stdout);
    return parsed.valid ? (parsed.diagnostics ?? []) : [...(parsed.diagnostics ?? []), { severity: "error", summary: "invalid" }];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("terraform", () => {
  test("the management stack, import blocks included, passes terraform validate as a root module", async () => {
    expect(mgmt.import.length).toBeGreaterThan(0);
    expect(await validateAsRootModule(mgmt)).toEqual([]);
  });

  test("every other stack passes terraform validate", async () => {
    const others = Object.fromEntries(Object.entries(out.stacks).filter(([n]) => n !== "management"));
    const diagnostics = await validateStacks(others);
    for (const name of Object.keys(diagnostics)) expect({ stack: name, diagnostics: diagnostics[name] }).toEqual({ stack: name, diagnostics: [] });
  });

  // Terraform import blocks read the real account during plan, which needs AWS; the offline
  // plan therefore runs on a test copy of the management stack with its import blocks
  // stripped (the imported account then plans as a create). Nothing else is changed.
  test("every stack without a lookup plans offline (the management stack's copy without its import blocks), creating what it declares", async () => {
    // data-lake looks up ou:ml-workloads (no id in this topology), which needs AWS to plan.
    const lookups = Object.keys(out.stacks).filter((n) => Object.keys((out.stacks[n] as any).data ?? {}).length);
    expect(lookups).toEqual(["data-lake"]);
    const stacks = Object.fromEntries(Object.entries({ ...out.stacks, management: withoutImports(mgmt) }).filter(([n]) => !lookups.includes(n)));
    const plan = await planStacks(stacks);
    expect(plan.error).toBeUndefined();
    for (const name of Object.keys(stacks)) {
      const declared = Object.entries((stacks as any)[name].resource ?? {}).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`));
      expect({ stack: name, creates: [...plan.creates[name]].sort() }).toEqual({ stack: name, creates: declared.sort() });
    }
  });
});

// ---------------------------------------------------------------------------------------
// AWS's evaluation logic over the synthesized policies

describe("the RCP, evaluated with @cloud-copilot/iam-simulate through review/evaluate.ts", () => {
  const ref = synthInput(referenceInput());
  const OUTSIDER = "arn:aws:iam::999999999999:role/outsider";
  const batchScoring = "arn:aws:iam::555555555555:role/batch-scoring";
  const dataBucket = "acme-ml-data-222222222222-us-east-1";
  const allowEverything = (name: string, actions: string[]): NamedPolicy => ({
    name,
    document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] },
  });

  /** The synthesized stacks, with the data bucket's policy also admitting the outsider to churn (a mistake the RCP must catch). */
  function stacksWithOpenBucket(): Record<string, StackInput> {
    const stacks = JSON.parse(JSON.stringify(ref.stacks));
    const policies = stacks["data-lake"].resource.aws_s3_bucket_policy;
    const buckets = stacks["data-lake"].resource.aws_s3_bucket;
    const [bucketId] = Object.entries<any>(buckets).find(([, b]) => b.bucket === dataBucket)!;
    const [id] = Object.entries<any>(policies).find(([, p]) => p.bucket === `\${aws_s3_bucket.${bucketId}.id}`)!;
    const doc = JSON.parse(policies[id].policy);
    doc.Statement.push({ Sid: "MistakeAdmitsOutsider", Effect: "Allow", Principal: { AWS: OUTSIDER }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${dataBucket}/churn/*` });
    policies[id].policy = JSON.stringify(doc);
    return stacks;
  }

  function evaluator(stacks: Record<string, StackInput>): AccessEvaluator {
    const collection = collectStacks(stacks, ref.manifest);
    const ou = collection.organization.units.find((u) => u.name === "ml-workloads");
    const ouPaths = Object.fromEntries(["333333333333", "444444444444", "555555555555"].map((id) => [id, ou ? [ou.id] : []]));
    return new AccessEvaluator(collection, {
      organization: { id: "o-a1b2c3d4e5", rootId: "r-a1b2", accountIds: ref.topology.accounts.map((a) => a.id), managementAccountId: "111111111111", ouPaths },
      otherOrgIds: { "999999999999": "o-zzzzzzzzzz" },
      extraIdentityPolicies: {
        [OUTSIDER]: [allowEverything("outsider-allows-itself-s3", ["s3:GetObject"])],
      },
    });
  }

  const open = stacksWithOpenBucket();
  const withGuardrails = evaluator(open);
  const withoutManagement = evaluator(Object.fromEntries(Object.entries(open).filter(([n]) => n !== "management")));
  const getChurn = (ev: AccessEvaluator, principalArn: string) => ev.s3({ principalArn, action: "s3:GetObject", bucket: dataBucket, key: "churn/part-0000.parquet" });

  test("without the RCP, the mistaken bucket policy lets a role outside the organization through S3 (the near miss)", async () => {
    const r = await getChurn(withoutManagement, OUTSIDER);
    const s3 = r.routes[0].steps.find((s) => s.step === "s3")!;
    expect(s3.decision).toBe("Allowed");
    expect(s3.decidedBy).toEqual(expect.arrayContaining([expect.objectContaining({ side: "resource", sid: "MistakeAdmitsOutsider" })]));
  });

  test("with the RCP, a role outside the organization is denied s3:GetObject on the dataset, although the bucket policy allows it", async () => {
    const r = await getChurn(withGuardrails, OUTSIDER);
    expect(r.allowed).toBe(false);
    const s3 = r.routes[0].steps.find((s) => s.step === "s3")!;
    expect(s3.context["aws:PrincipalOrgID"]).toBe("o-zzzzzzzzzz");
    expect(s3.decision).toBe("ExplicitlyDenied");
    expect(s3.decidedBy).toEqual([expect.objectContaining({ side: "rcp", sid: "EnforceOrgIdentities" })]);
  });

  test("with the RCP, the granted consumer role inside the organization still reads the dataset end to end", async () => {
    const r = await getChurn(withGuardrails, batchScoring);
    expect(r.allowed).toBe(true);
    expect(r.routes[0].steps.map((s) => [s.step, s.decision])).toEqual([
      ["s3", "Allowed"],
      ["kms", "Allowed"],
    ]);
  });

  test("with the RCP, the granted consumer role is denied without TLS by the RCP as well as the bucket policy", async () => {
    const r = await withGuardrails.s3({ principalArn: batchScoring, action: "s3:GetObject", bucket: dataBucket, key: "churn/part-0000.parquet", secureTransport: false });
    expect(r.allowed).toBe(false);
    expect(r.routes[0].steps[0].decidedBy).toEqual(expect.arrayContaining([expect.objectContaining({ side: "rcp", sid: "EnforceSecureTransport" })]));
  });

});

/**
 * The SCPs, evaluated with @cloud-copilot/iam-simulate directly: the organization levels of
 * ml-dev (root, OU ml-workloads, the account), each with AWS's FullAWSAccess and the SCPs the
 * management stack attaches there, read from the synthesized JSON. The request context is
 * built here, as AWS would send it, and a key the simulator ignores fails the test.
 */
describe("the SCPs, evaluated with @cloud-copilot/iam-simulate", () => {
  const ref = synthInput(referenceInput());
  const devRole = "arn:aws:iam::333333333333:role/ml-engineer";
  const DEV = "333333333333";
  const stack = ref.stacks.management as any;
  const policies = stack.resource.aws_organizations_policy as Record<string, any>;
  const attachments = Object.values(stack.resource.aws_organizations_policy_attachment as Record<string, any>);
  const ouId = `\${aws_organizations_organizational_unit.${idOf(ref, "management", "aws_organizations_organizational_unit", "name", "ml-workloads")}.id}`;
  const FULL_AWS_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

  /** The SCPs attached to a target (`r-...`, the OU's reference, an account id), as simulator policies. */
  const attachedTo = (target: string) =>
    attachments
      .filter((a) => a.target_id === target)
      .map((a) => Object.entries(policies).find(([id]) => a.policy_id === `\${aws_organizations_policy.${id}.id}`)![1])
      .filter((p) => p.type === "SERVICE_CONTROL_POLICY")
      .map((p) => ({ name: p.name, policy: JSON.parse(p.content) }));
  const levels: SimulationOrgPolicies[] = [
    { orgIdentifier: "r-a1b2", policies: [{ name: "FullAWSAccess", policy: FULL_AWS_ACCESS }, ...attachedTo("r-a1b2")] },
    { orgIdentifier: "ou-a1b2-abcd1234", policies: [{ name: "FullAWSAccess", policy: FULL_AWS_ACCESS }, ...attachedTo(ouId)] },
    { orgIdentifier: DEV, policies: [{ name: "FullAWSAccess", policy: FULL_AWS_ACCESS }, ...attachedTo(DEV)] },
  ];

  /** A request of ml-dev's role, which allows itself the action: the decision and the Sids of the SCP statements that denied it. */
  async function simulate(action: string, resource: string, extra: Record<string, string | string[]> = {}) {
    const result = await runSimulation(
      {
        request: {
          principal: devRole,
          action,
          resource: { resource, accountId: DEV },
          contextVariables: {
            "aws:PrincipalArn": devRole,
            "aws:PrincipalAccount": DEV,
            "aws:PrincipalOrgID": "o-a1b2c3d4e5",
            "aws:SecureTransport": "true",
            "aws:PrincipalIsAWSService": "false",
            ...extra,
          },
        },
        identityPolicies: [{ name: "allows-itself", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] } }],
        serviceControlPolicies: levels,
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === "error") throw new Error(`the simulator refused the request: ${JSON.stringify(result.errors)}`);
    const results = result.resultType === "single" ? [result.result] : result.results;
    expect(results).toHaveLength(1);
    expect(results[0].ignoredContextKeys ?? []).toEqual([]);
    const analysis = results[0].analysis;
    const deniedBy = (analysis.scpAnalysis?.ouAnalysis ?? []).flatMap((ou) => ou.denyStatements.map((d) => d.statement.sid()));
    return { decision: analysis.result, deniedBy };
  }

  test("the levels hold the SCPs the management stack attaches: deny-leave-organization at the root, require-sagemaker-vpc on the OU", () => {
    expect(levels.map((l) => l.policies.map((p) => p.name))).toEqual([
      ["FullAWSAccess", "acme-ml-deny-leave-organization"],
      ["FullAWSAccess", "acme-ml-require-sagemaker-vpc"],
      ["FullAWSAccess", naming.registryGuardPolicyName("acme-ml", "ml-dev")],
    ]);
  });

  test("a member account's role cannot leave the organization, even allowing itself to", async () => {
    expect(await simulate("organizations:LeaveOrganization", "*")).toEqual({ decision: "ExplicitlyDenied", deniedBy: ["DenyLeaveOrganization"] });
  });

  const trainingJob = `arn:aws:sagemaker:us-east-1:${DEV}:training-job/churn-train`;

  test("a SageMaker training job without VPC subnets is denied", async () => {
    expect(await simulate("sagemaker:CreateTrainingJob", trainingJob)).toEqual({ decision: "ExplicitlyDenied", deniedBy: ["DenySageMakerComputeWithoutVpcSubnets"] });
  });

  test("a SageMaker training job in VPC subnets is allowed (the near miss)", async () => {
    expect(await simulate("sagemaker:CreateTrainingJob", trainingJob, { "sagemaker:VpcSubnets": ["subnet-0a1b2c3d4e5f60718"] })).toEqual({ decision: "Allowed", deniedBy: [] });
  });

  test("a SageMaker domain that is not VPC-only is denied, a VPC-only one allowed", async () => {
    const domain = `arn:aws:sagemaker:us-east-1:${DEV}:domain/d-abc123`;
    expect(await simulate("sagemaker:CreateDomain", domain, { "sagemaker:AppNetworkAccessType": "PublicInternetOnly" })).toEqual({
      decision: "ExplicitlyDenied",
      deniedBy: ["DenySageMakerDomainsNotVpcOnly"],
    });
    expect(await simulate("sagemaker:CreateDomain", domain, { "sagemaker:AppNetworkAccessType": "VpcOnly" })).toEqual({ decision: "Allowed", deniedBy: [] });
  });
});
