/**
 * The review's findings for each class of defect of issue 10, each with a planted case (the
 * synthesized JSON edited to carry the defect, or a topology that produces it) and the clean
 * case beside it. The cases are planted by the test, never taken from what the generators
 * produce today, so they hold whatever the generators become; the legitimate use beside each
 * (a user's own jobs, a writer's upload, the test environment's approval, a job in a VPC) is
 * proven allowed with iam-simulate over the same JSON.
 */
import { collectStacks, StackInput } from "../review/collect";
import { guardedRequests, isVpcGuardrail } from "../review/checks/vpc-guardrail";
import { scopeOverlaps, scopePatternsOf } from "../review/checks/scope-overlap";
import { CollectedRole } from "../review/collect";
import { AccessEvaluator, levelsAlong } from "../review/evaluate";
import { Review, ReviewFinding } from "../review/model";
import { reviewPrincipals } from "../review/principals";
import { organizationOf, reviewOutput, SynthOutput } from "../review/review";
import { synthInput, Synthesized } from "./helpers/synth";
import { minimalInput, referenceInput } from "./helpers/topology";

type Stacks = Record<string, any>;

let reference: Synthesized;

beforeAll(() => {
  reference = synthInput(referenceInput());
});

/** A copy of the reference output's stacks, to edit. */
function stacksCopy(): Stacks {
  return structuredClone(reference.stacks) as Stacks;
}

async function review(stacks: Stacks, out: Synthesized = reference): Promise<Review> {
  return reviewOutput({ manifest: out.manifest, stacks } as SynthOutput, "planted");
}

/** The one resource of a type whose logical id contains `part`. */
function resource(stacks: Stacks, stack: string, type: string, part: string): any {
  const found = Object.entries(stacks[stack].resource[type] ?? {}).filter(([id]) => id.includes(part));
  if (found.length !== 1) throw new Error(`${found.length} ${type} in ${stack} match ${part}`);
  return found[0][1];
}

function editPolicy(holder: any, attribute: string, edit: (doc: { Statement: any[] }) => void): void {
  const doc = JSON.parse(holder[attribute]);
  doc.Statement = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  edit(doc);
  holder[attribute] = JSON.stringify(doc);
}

function ofRule(r: Review, rule: string): ReviewFinding[] {
  return r.findings.filter((f) => f.rule === rule);
}

/** An evaluator over edited stacks, as the review builds it. */
function evaluatorOf(stacks: Stacks): AccessEvaluator {
  const collection = collectStacks(stacks as Record<string, StackInput>, reference.manifest);
  const { organization } = organizationOf(collection);
  const principals = reviewPrincipals(collection, organization);
  return new AccessEvaluator(collection, { organization, otherOrgIds: principals.otherOrgIds, extraIdentityPolicies: principals.extraIdentityPolicies, missingPolicyDocuments: "skip" });
}

const DEV = "333333333333";
const jobArn = (name: string) => `arn:aws:sagemaker:us-east-1:${DEV}:training-job/${name}`;
const role = (name: string) => `arn:aws:iam::${DEV}:role/${name}`;

describe("SCOPE_OVERLAP: a name scope of one principal covers a name of another", () => {
  /** Gives alice and bob's roles one name scope each (an identity statement, or alice's trust aws:SourceArn). */
  function plant(alice: string, bob: string, aliceInTrust = false): Stacks {
    const stacks = stacksCopy();
    const own = (pattern: string, sid: string) => ({ Sid: sid, Effect: "Allow", Action: ["sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"], Resource: jobArn(pattern) });
    if (aliceInTrust) {
      editPolicy(resource(stacks, "ml-dev", "aws_iam_role", "ExecutionRole-alice"), "assume_role_policy", (d) =>
        d.Statement.push({ Sid: "PlantedSourceArn", Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { ArnLike: { "aws:SourceArn": jobArn(alice) } } }),
      );
    } else editPolicy(resource(stacks, "ml-dev", "aws_iam_role_policy", "StudioPolicy-alice"), "policy", (d) => d.Statement.push(own(alice, "PlantedOwnJobs")));
    editPolicy(resource(stacks, "ml-dev", "aws_iam_role_policy", "StudioPolicy-bob"), "policy", (d) => d.Statement.push(own(bob, "PlantedOwnJobs")));
    return stacks;
  }
  const planted = (r: Review) => ofRule(r, "SCOPE_OVERLAP").filter((f) => f.what.includes("PlantedOwnJobs") || f.what.includes("PlantedSourceArn"));

  test("ana-* covers ana-lee-*: a high finding on alice's role naming both patterns; alice may stop bob's job (iam-simulate)", async () => {
    const stacks = plant("ana-*", "ana-lee-*");
    const found = planted(await review(stacks));
    expect(found).toEqual([expect.objectContaining({ severity: "high", resource: expect.stringMatching(/^ml-dev\/aws_iam_role\.Studio_ExecutionRole-alice/) })]);
    expect(found[0].what).toContain(`${jobArn("ana-*")} (ml-dev/aws_iam_role_policy.`);
    expect(found[0].what).toContain(`a name of ${jobArn("ana-lee-*")}`);
    expect(found[0].what).toMatch(/^ml-dev\/acme-ml-sm-alice reaches names of ml-dev\/acme-ml-sm-bob/);
    const ev = evaluatorOf(stacks);
    const stop = (who: string, job: string) => ev.evaluate({ step: "sagemaker", principalArn: role(who), action: "sagemaker:StopTrainingJob", resourceArn: jobArn(job), resourceAccountId: DEV });
    expect((await stop("acme-ml-sm-alice", "ana-lee-train-1")).decision).toBe("Allowed");
    expect((await stop("acme-ml-sm-bob", "ana-train-1")).decision).toBe("ImplicitlyDenied");
  });

  test("the clean case: ana-* and anabel-* do not overlap at a '-' boundary; each stops only its own jobs", async () => {
    const stacks = plant("ana-*", "anabel-*");
    expect(planted(await review(stacks))).toEqual([]);
    const ev = evaluatorOf(stacks);
    const stop = (who: string, job: string) => ev.evaluate({ step: "sagemaker", principalArn: role(who), action: "sagemaker:StopTrainingJob", resourceArn: jobArn(job), resourceAccountId: DEV });
    expect((await stop("acme-ml-sm-alice", "ana-train-1")).decision).toBe("Allowed");
    expect((await stop("acme-ml-sm-alice", "anabel-train-1")).decision).toBe("ImplicitlyDenied");
  });

  test("a trust policy's aws:SourceArn counts as a scope: jobs named for bob could run as alice", async () => {
    const found = planted(await review(plant("ana-*", "ana-lee-*", true)));
    expect(found).toHaveLength(1);
    expect(found[0].what).toContain("(trust aws:SourceArn)");
    expect(planted(await review(plant("ana-*", "anabel-*", true)))).toEqual([]);
  });

  const fake = (name: string, resources: string[]): CollectedRole => ({
    stack: "s",
    accountId: DEV,
    name,
    arn: role(name),
    address: `aws_iam_role.${name}`,
    inlinePolicies: [{ kind: "inline", stack: "s", accountId: DEV, address: `aws_iam_role_policy.${name}`, name, attachedTo: role(name), text: "", unresolved: [], document: { Statement: [{ Effect: "Allow", Action: "*", Resource: resources }] } }],
    managedPolicies: [],
    awsManagedPolicyArns: [],
    unknownPolicyArns: [],
  });
  const pairs = (...roles: CollectedRole[]) => scopeOverlaps(roles.flatMap(scopePatternsOf)).map((o) => `${o.by.role.name} covers ${o.of.role.name}`);

  test("the same for pipelines, endpoints, S3 prefixes and log streams; a project and a user of the same name cover each other", () => {
    const pipeline = (n: string) => `arn:aws:sagemaker:us-east-1:${DEV}:pipeline/${n}`;
    expect(pairs(fake("fraud", [pipeline("fraud-*")]), fake("fraud-v2", [pipeline("fraud-v2-build")]))).toEqual(["fraud covers fraud-v2"]);
    const endpoint = (n: string) => `arn:aws:sagemaker:us-east-1:${DEV}:endpoint/${n}`;
    expect(pairs(fake("prod", [endpoint("fraud-*")]), fake("v2", [endpoint("fraud-v2-*")]))).toEqual(["prod covers v2"]);
    expect(pairs(fake("claims", ["arn:aws:s3:::lake/claims*"]), fake("claims-v2", ["arn:aws:s3:::lake/claims-v2/*"]))).toEqual(["claims covers claims-v2"]);
    expect(pairs(fake("claims", ["arn:aws:s3:::lake/claims/*"]), fake("claims-v2", ["arn:aws:s3:::lake/claims-v2/*"]))).toEqual([]);
    const stream = (n: string) => `arn:aws:logs:us-east-1:${DEV}:log-group:/aws/sagemaker/TrainingJobs:log-stream:${n}`;
    expect(pairs(fake("ana", [stream("ana-*")]), fake("ana-lee", [stream("ana-lee-*")]))).toEqual(["ana covers ana-lee"]);
    expect(pairs(fake("churn-project", [jobArn("churn-*")]), fake("churn-user", [jobArn("churn-*")])).sort()).toEqual(["churn-project covers churn-user", "churn-user covers churn-project"]);
    // Two consumers of one dataset share its prefix by design: a prefix at a '/' boundary is no name scope.
    expect(pairs(fake("a", ["arn:aws:s3:::lake/churn/*"]), fake("b", ["arn:aws:s3:::lake/churn/*"]))).toEqual([]);
  });
});

describe("APPROVAL_BY_BUILD_ACCOUNT and APPROVAL_NO_INDEPENDENT_APPROVER", () => {
  const GROUP = `arn:aws:sagemaker:us-east-1:${DEV}:model-package-group/churn`;
  const PACKAGES = `arn:aws:sagemaker:us-east-1:${DEV}:model-package/churn/*`;
  const stagingApproves = { Sid: "StagingApproves", Effect: "Allow", Principal: { AWS: "arn:aws:iam::444444444444:root" }, Action: ["sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"], Resource: [GROUP, PACKAGES] };
  const buildAccountMayNotApprove = {
    Sid: "BuildAccountNeverApproves",
    Effect: "Deny",
    Principal: "*",
    Action: ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"],
    Resource: [GROUP, PACKAGES],
    Condition: { StringEquals: { "aws:PrincipalAccount": DEV, "sagemaker:ModelApprovalStatus": "Approved" } },
  };

  /** The group's policy replaced by `statements`, and no SCP attached to the build account (the case rests on the policy alone). */
  function plant(...statements: object[]): Stacks {
    const stacks = stacksCopy();
    resource(stacks, "ml-dev", "aws_sagemaker_model_package_group_policy", "churn").resource_policy = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const attachments = stacks.management.resource.aws_organizations_policy_attachment;
    for (const [id, a] of Object.entries(attachments)) if ((a as { target_id: string }).target_id === DEV) delete attachments[id];
    return stacks;
  }
  const group = (r: Review) => r.matrix.find((x) => x.kind === "model-package-group" && x.name === "churn")!;

  test("a group policy with no Deny for the build account: its administrators approve their own models (high)", async () => {
    const r = await review(plant(stagingApproves));
    expect(ofRule(r, "APPROVAL_BY_BUILD_ACCOUNT")).toEqual(
      expect.arrayContaining([expect.objectContaining({ severity: "high", resource: "ml-dev/churn", what: expect.stringMatching(/^ml-dev\/\(any other role\), of the build account \(ml-dev\) of model package group churn, can approve its models: sagemaker:UpdateModelPackage/) })]),
    );
    expect(ofRule(r, "APPROVAL_NO_INDEPENDENT_APPROVER")).toEqual([]);
  });

  test("the clean case: the build account is denied approving; the test environment approves, the build role still registers pending approval", async () => {
    const r = await review(plant(stagingApproves, buildAccountMayNotApprove));
    expect(r.findings.filter((f) => f.rule.startsWith("APPROVAL_"))).toEqual([]);
    expect(group(r).access.approve.map((g) => g.principal)).toContain("ml-staging/(any other role)");
    expect(group(r).access.register.map((g) => g.principal)).toContain("ml-dev/acme-ml-churn-dev");
  });

  test("a group nobody outside the build account can approve: a high finding", async () => {
    const r = await review(plant(buildAccountMayNotApprove));
    expect(ofRule(r, "APPROVAL_NO_INDEPENDENT_APPROVER")).toEqual([expect.objectContaining({ severity: "high", resource: "ml-dev/churn", what: "nobody outside the build account (ml-dev) can approve models of churn" })]);
    expect(ofRule(r, "APPROVAL_BY_BUILD_ACCOUNT")).toEqual([]);
  });

  test("an SCP on the build account that denies approving closes the path as well", async () => {
    const stacks = plant(stagingApproves);
    const mgmt = stacks.management.resource;
    mgmt.aws_organizations_policy.PlantedRegistryGuard = {
      name: "planted-registry-guard",
      type: "SERVICE_CONTROL_POLICY",
      provider: "aws.management",
      content: JSON.stringify({ Version: "2012-10-17", Statement: [{ ...buildAccountMayNotApprove, Principal: undefined, Condition: { StringEquals: { "sagemaker:ModelApprovalStatus": "Approved" } } }] }),
    };
    mgmt.aws_organizations_policy_attachment.PlantedRegistryGuard = { policy_id: "${aws_organizations_policy.PlantedRegistryGuard.id}", target_id: DEV, provider: "aws.management" };
    expect(ofRule(await review(stacks), "APPROVAL_BY_BUILD_ACCOUNT")).toEqual([]);
  });
});

describe("GUARDRAIL_GAP: SageMaker compute the VPC guardrail does not cover", () => {
  function plant(statements: object[], target?: string): Stacks {
    const stacks = stacksCopy();
    resource(stacks, "management", "aws_organizations_policy", "require-sagemaker-vpc").content = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    if (target) resource(stacks, "management", "aws_organizations_policy_attachment", "require-sagemaker-vpc").target_id = target;
    return stacks;
  }
  const withoutSubnets = (actions: string[]) => ({ Sid: "DenyWithoutSubnets", Effect: "Deny", Action: actions, Resource: "*", Condition: { Null: { "sagemaker:VpcSubnets": "true" } } });
  const noInternet = { Sid: "DenyDirectInternet", Effect: "Deny", Action: "sagemaker:*", Resource: "*", Condition: { StringEquals: { "sagemaker:DirectInternetAccess": "Enabled" } } };

  test("the actions are AWS's: every SageMaker action listed with sagemaker:VpcSubnets, the issue's gaps among them", async () => {
    const actions = (await guardedRequests()).filter((r) => r.asking.startsWith("without VPC subnets")).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["sagemaker:CreateTrainingJob", "sagemaker:CreateMonitoringSchedule", "sagemaker:UpdateMonitoringSchedule", "sagemaker:CreateDataQualityJobDefinition", "sagemaker:CreateCluster", "sagemaker:UpdateCluster"]));
    expect((await guardedRequests()).filter((r) => r.asking === "with direct internet access").map((r) => r.action)).toContain("sagemaker:CreateNotebookInstance");
    expect((await guardedRequests()).filter((r) => r.asking === "without VPC subnets, on the public internet").map((r) => r.action).sort()).toEqual(["sagemaker:CreateDomain", "sagemaker:UpdateDomain"]);
  });

  test("a domain guardrail that reads only sagemaker:AppNetworkAccessType covers domains: updating one without new subnets keeps its VPC", async () => {
    const domains = { Sid: "DomainsVpcOnly", Effect: "Deny", Action: ["sagemaker:CreateDomain", "sagemaker:UpdateDomain"], Resource: "*", Condition: { StringEquals: { "sagemaker:AppNetworkAccessType": "PublicInternetOnly" } } };
    const found = ofRule(await review(plant([withoutSubnets(["sagemaker:CreateTrainingJob"]), domains])), "GUARDRAIL_GAP");
    expect(found[0].what).not.toContain("Domain");
    const open = ofRule(await review(plant([withoutSubnets(["sagemaker:CreateTrainingJob"])])), "GUARDRAIL_GAP");
    expect(open[0].what).toContain("sagemaker:UpdateDomain without VPC subnets, on the public internet");
  });

  test("a guardrail that lists jobs by hand: a medium finding on its OU naming what it lets through", async () => {
    const r = await review(plant([withoutSubnets(["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob", "sagemaker:CreateNotebookInstance"])]));
    const found = ofRule(r, "GUARDRAIL_GAP");
    expect(found).toEqual([expect.objectContaining({ severity: "medium", resource: expect.stringMatching(/^management\/aws_organizations_policy\.Organization_Policy-require-sagemaker-vpc/) })]);
    expect(found[0].what).toContain("attached to OU ml-workloads");
    for (const gap of ["sagemaker:CreateMonitoringSchedule without VPC subnets", "sagemaker:CreateCluster without VPC subnets", "sagemaker:UpdateCluster without VPC subnets", "sagemaker:CreateNotebookInstance with direct internet access"]) {
      expect(found[0].what).toContain(gap);
    }
    expect(found[0].what).not.toContain("sagemaker:CreateTrainingJob without");
  });

  test("the same guardrail attached to the root is asked there", async () => {
    const found = ofRule(await review(plant([withoutSubnets(["sagemaker:CreateTrainingJob"])], "r-a1b2")), "GUARDRAIL_GAP");
    expect(found.map((f) => f.what)).toEqual([expect.stringContaining("attached to the root")]);
  });

  test("the clean case: every create and update without subnets and direct internet access denied; a job in the VPC is still allowed", async () => {
    const stacks = plant([withoutSubnets(["sagemaker:Create*", "sagemaker:Update*"]), noInternet]);
    expect(ofRule(await review(stacks), "GUARDRAIL_GAP")).toEqual([]);
    const ev = evaluatorOf(stacks);
    const guardrail = ev.collection.organization.policies.find(isVpcGuardrail)!;
    const scpLevels = levelsAlong(ev.collection, ev.options.organization, guardrail.targets, "scp");
    const admin = `arn:aws:iam::${DEV}:role/mlshare-review-any-other-role`;
    const train = (context: Record<string, string[]>) =>
      ev.evaluateWith({ step: "sagemaker", principalArn: admin, action: "sagemaker:CreateTrainingJob", resourceArn: jobArn("churn-1"), resourceAccountId: DEV, context }, { scpLevels });
    expect((await train({ "sagemaker:VpcSubnets": ["subnet-0a1b2c3d4e5f60718"] })).decision).toBe("Allowed");
    expect((await train({})).decision).toBe("ExplicitlyDenied");
  });
});

describe("S3_SSE_C_ACCEPTED: a bucket policy that accepts customer-provided keys", () => {
  const CUSTOMER_KEY = "s3:x-amz-server-side-encryption-customer-algorithm";
  function plant(denySseC: boolean): Stacks {
    const stacks = stacksCopy();
    editPolicy(resource(stacks, "ml-dev", "aws_s3_bucket_policy", "churn-model"), "policy", (d) => {
      d.Statement = d.Statement.filter((s) => !JSON.stringify(s).includes(CUSTOMER_KEY));
      if (denySseC) d.Statement.push({ Sid: "PlantedDenySseC", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::acme-ml-ma-churn-model-333333333333-us-east-1/*", Condition: { Null: { [CUSTOMER_KEY]: "false" } } });
    });
    return stacks;
  }
  const onBucket = (r: Review) => ofRule(r, "S3_SSE_C_ACCEPTED").filter((f) => f.resource.includes("ArtifactBucket-churn-model"));

  test("without a Deny on the customer-algorithm header, a writer's SSE-C upload gets past S3: a medium finding", async () => {
    const found = onBucket(await review(plant(false)));
    expect(found).toEqual([expect.objectContaining({ severity: "medium", what: expect.stringContaining("accepts s3:PutObject with a customer-provided key (SSE-C)") })]);
    expect(found[0].what).toMatch(/asked as ml-dev\/(acme-ml-sm-alice|\(any other role\))/);
  });

  test("the clean case: the Deny refuses SSE-C, and alice still writes churn-model with its key", async () => {
    const r = await review(plant(true));
    expect(onBucket(r)).toEqual([]);
    expect(r.matrix.find((x) => x.kind === "model-artifacts" && x.name === "churn-model")!.access.write.map((g) => g.principal)).toEqual(["ml-dev/acme-ml-sm-alice"]);
  });
});

describe("MANAGEMENT_ACCOUNT_WORKLOAD: workloads where no SCP or RCP applies", () => {
  test("a dataset provided by the management account, and a role of it that consumes one: high findings", async () => {
    const providing = minimalInput();
    providing.datasets[0].account = "mgmt";
    const p = synthInput(providing);
    expect(ofRule(await review(p.stacks, p), "MANAGEMENT_ACCOUNT_WORKLOAD")).toEqual([expect.objectContaining({ severity: "high", what: "the management account mgmt owns dataset events" })]);
    const consuming = minimalInput();
    consuming.datasets[0].consumers.push({ account: "mgmt", roles: ["auditor"] });
    const c = synthInput(consuming);
    expect(ofRule(await review(c.stacks, c), "MANAGEMENT_ACCOUNT_WORKLOAD").map((f) => f.what)).toEqual(["the management account mgmt holds a role that can read dataset events: mgmt/auditor"]);
  });

  test("a SageMaker domain and a role SageMaker may assume, planted in the management stack: high findings", async () => {
    const stacks = stacksCopy();
    const mgmt = stacks.management.resource;
    mgmt.aws_sagemaker_domain = { Planted: { domain_name: "planted", auth_mode: "IAM", provider: "aws.management" } };
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sagemaker.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    mgmt.aws_iam_role = { Planted: { name: "planted-execution", assume_role_policy: JSON.stringify(trust), provider: "aws.management" } };
    expect(ofRule(await review(stacks), "MANAGEMENT_ACCOUNT_WORKLOAD").map((f) => f.what).sort()).toEqual([
      "the management account management holds planted-execution, a role SageMaker may assume (an ML project's or a Studio user's)",
      "the management account management hosts SageMaker domain planted",
    ]);
  });

  test("the clean cases: the minimal topology and the reference keep the management account free of workloads", async () => {
    const m = synthInput(minimalInput());
    expect(ofRule(await review(m.stacks, m), "MANAGEMENT_ACCOUNT_WORKLOAD")).toEqual([]);
    expect(ofRule(await review(stacksCopy()), "MANAGEMENT_ACCOUNT_WORKLOAD")).toEqual([]);
  });
});
