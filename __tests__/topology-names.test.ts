/**
 * Names that must not meet (config/rules/names.ts) and strings Terraform must never evaluate
 * (config/rules/interpolation.ts). Each refusal is asserted by its path and message, beside
 * the near miss that must stay valid.
 */
import { synthInput } from "./helpers/synth";
import { problemsAfter } from "./helpers/problems";
import { minimalInput, problemsOf } from "./helpers/topology";

const HOSTNAME = '${file("/etc/hostname")}';
const TEMPLATE_RULE = "Terraform would evaluate it as a template; no string of a topology may contain ${ or %{";

/** The reference topology with a second ML project on the same accounts as churn. */
function withProject(name: string, extra: Record<string, unknown> = {}): (t: any) => void {
  return (t) => t.mlProjects.push({ name, serviceCatalogProductId: "prod-abcd1234abcd", accounts: { dev: "ml-dev", staging: "ml-staging", prod: "ml-prod" }, ...extra });
}

describe("Terraform templates in strings", () => {
  test("refuses an account name that would read a file of the machine running the plan, naming its path", () => {
    expect(problemsAfter((t) => Object.assign(t.accounts.science, { email: "science@example.com", name: HOSTNAME }), minimalInput)).toEqual([
      `accounts.science.name: ${JSON.stringify(HOSTNAME)} holds "\${": ${TEMPLATE_RULE}`,
    ]);
  });

  test("refuses an account e-mail with an interpolation", () => {
    const email = `${HOSTNAME}@example.com`;
    expect(problemsAfter((t) => Object.assign(t.accounts.science, { email, name: "Science" }), minimalInput)).toEqual([
      `accounts.science.email: ${JSON.stringify(email)} holds "\${": ${TEMPLATE_RULE}`,
    ]);
  });

  test("refuses a RAM resource ARN with an interpolation, quoting the part that holds it", () => {
    const arn = `arn:aws:ec2:us-east-1:222222222222:capacity-reservation/${HOSTNAME}`;
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: ..."22222222:capacity-reservation/\${file(\\"/etc/hostname\\")}" holds "\${": ${TEMPLATE_RULE}`,
    ]);
  });

  test("refuses a template directive (%{) in a tag value, and an interpolation in a tag key, naming the key", () => {
    const value = "%{ if true }x%{ endif }";
    const problems = problemsAfter((t) => {
      t.tags.Team = value;
      t.tags["${path.cwd}"] = "x";
    });
    expect(problems).toContain(`tags.Team: ${JSON.stringify(value)} holds "%{": ${TEMPLATE_RULE}`);
    expect(problems).toContain(`tags["\${path.cwd}"]: the key "\${path.cwd}" holds "\${": ${TEMPLATE_RULE}`);
  });

  test("refuses a template anywhere in the file: a compliance reason, a role name, a key of the top level", () => {
    const problems = problemsAfter((t) => {
      t.compliance = { suppressions: [{ rule: "S3_TLS_ONLY", resource: "data-lake/aws_s3_bucket.x", reason: "accepted by ${var.owner} in review" }] };
      t.datasets[0].consumers[1].roles = ["${aws_iam_role.x.name}"];
      t["${x}"] = 1;
    });
    expect(problems).toContain(`compliance.suppressions[0].reason: "accepted by \${var.owner} in review" holds "\${": ${TEMPLATE_RULE}`);
    expect(problems).toContain(`datasets[0].consumers[1].roles[0]: "\${aws_iam_role.x.name}" holds "\${": ${TEMPLATE_RULE}`);
    expect(problems).toContain(`["\${x}"]: the key "\${x}" holds "\${": ${TEMPLATE_RULE}`);
  });

  test("accepts a dollar sign and a brace that do not start a template (the near miss), and they reach the plan as written", () => {
    const name = "Costs $ {team} 100%";
    const input = minimalInput();
    Object.assign(input.accounts.science, { email: "science+$x@example.com", name });
    expect(problemsOf(input)).toEqual([]);
    const text = JSON.stringify(synthInput(input).stacks.mgmt);
    expect(text).toContain(JSON.stringify(name));
  });
});

describe("SageMaker scope names of one account", () => {
  test("refuses ML projects fraud and fraud-v2 on the same accounts, naming both and every account", () => {
    expect(problemsAfter((t) => (withProject("fraud")(t), withProject("fraud-v2")(t)))).toEqual([
      'mlProjects[2].name: ML project "fraud-v2" (mlProjects[2].name) starts with "fraud-", so the SageMaker scope fraud-* of ML project "fraud" (mlProjects[1].name) in accounts "ml-dev", "ml-staging", "ml-prod" would match its resources (fraud-v2-*); rename one so that neither name is the other followed by "-"',
    ]);
  });

  test("refuses the shorter name written second just the same", () => {
    expect(problemsAfter((t) => (withProject("churn-v2")(t), t.mlProjects.reverse()))).toEqual([
      'mlProjects[1].name: ML project "churn-v2" (mlProjects[0].name) starts with "churn-", so the SageMaker scope churn-* of ML project "churn" (mlProjects[1].name) in accounts "ml-dev", "ml-staging", "ml-prod" would match its resources (churn-v2-*); rename one so that neither name is the other followed by "-"',
    ]);
  });

  test("refuses users ana and ana-lee in one domain", () => {
    expect(problemsAfter((t) => t.sagemaker.domains[0].users.push({ name: "ana" }, { name: "ana-lee" }))).toEqual([
      'sagemaker.domains[0].users[3].name: user "ana-lee" (sagemaker.domains[0].users[3].name) starts with "ana-", so the SageMaker scope ana-* of user "ana" (sagemaker.domains[0].users[2].name) in account "ml-dev" would match its resources (ana-lee-*); rename one so that neither name is the other followed by "-"',
    ]);
  });

  test("refuses a user named like an ML project of the account", () => {
    expect(problemsAfter((t) => t.sagemaker.domains[0].users.push({ name: "churn" }))).toEqual([
      'mlProjects[0].name: ML project "churn" and user "churn" (sagemaker.domains[0].users[2].name) have one SageMaker scope churn-* in account "ml-dev": each would reach the other\'s jobs, pipelines, endpoints and models; rename one',
    ]);
  });

  test("refuses a user whose name starts with an ML project's name and a hyphen", () => {
    expect(problemsAfter((t) => t.sagemaker.domains[0].users.push({ name: "churn-bot" }))).toEqual([
      'mlProjects[0].name: user "churn-bot" (sagemaker.domains[0].users[2].name) starts with "churn-", so the SageMaker scope churn-* of ML project "churn" (mlProjects[0].name) in account "ml-dev" would match its resources (churn-bot-*); rename one so that neither name is the other followed by "-"',
    ]);
  });

  test("accepts names that share letters but no hyphen boundary: fraud and fraudv2, ana and anabel (the near miss)", () => {
    expect(
      problemsAfter((t) => {
        withProject("fraud")(t);
        withProject("fraudv2")(t);
        t.sagemaker.domains[0].users.push({ name: "ana" }, { name: "anabel" }, { name: "churnbot" });
      }),
    ).toEqual([]);
  });

  test("accepts prefix names in different accounts: a user churn-bot where project churn has no environment", () => {
    expect(
      problemsAfter((t) => t.sagemaker.domains.push({ account: "data-lake", vpcId: "vpc-0a1b2c3d", subnetIds: ["subnet-0a1b2c3d"], users: [{ name: "churn-bot" }] })),
    ).toEqual([]);
  });
});

describe("IAM names mlshare derives, within one account", () => {
  test("refuses a user named default-execution, whose role is the domain's default execution role", () => {
    expect(problemsAfter((t) => t.sagemaker.domains[0].users.push({ name: "default-execution" }))).toEqual([
      'sagemaker.domains[0].users[2].name: the execution role "acme-ml-sm-default-execution" of user "default-execution" has the name of the domain\'s default execution role "acme-ml-sm-default-execution" (sagemaker.domains[0]) in account "ml-dev"; IAM role names are unique in an account, regardless of case: rename one',
    ]);
  });

  test("refuses an ML project sm whose role in dev is the role of a user named dev", () => {
    const problems = problemsAfter((t) => {
      withProject("sm")(t);
      t.sagemaker.domains[0].users.push({ name: "dev" });
    });
    expect(problems).toEqual([
      'mlProjects[1].accounts.dev: the role "acme-ml-sm-dev" of ML project "sm" in dev has the name of the execution role "acme-ml-sm-dev" of user "dev" (sagemaker.domains[0].users[2].name) in account "ml-dev"; IAM role names are unique in an account, regardless of case: rename one',
    ]);
  });

  test("refuses users Bob and bob: upper case is refused by the name's format, and the two role names collide", () => {
    const problems = problemsAfter((t) => t.sagemaker.domains[0].users.push({ name: "Bob" }));
    expect(problems).toContain(
      'sagemaker.domains[0].users[2].name: must be a SageMaker user name: 1-63 characters of [a-z0-9-], starting with a letter, not ending with a hyphen, no double hyphen (value: "Bob")',
    );
    expect(problems).toContain(
      'sagemaker.domains[0].users[2].name: the execution role "acme-ml-sm-Bob" of user "Bob" has the name of the execution role "acme-ml-sm-bob" of user "bob" (sagemaker.domains[0].users[1].name) in account "ml-dev"; IAM role names are unique in an account, regardless of case: rename one',
    );
  });

  test("refuses an existing role named in a grant that is a role mlshare makes in the account, in any case", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[0].roles = ["sagemaker", "ACME-ML-SM-ALICE"]))).toEqual([
      'datasets[0].consumers[0].roles[1]: role "ACME-ML-SM-ALICE" is the execution role "acme-ml-sm-alice" of user "alice" (sagemaker.domains[0].users[0].name), which mlshare makes in account "ml-dev"; a role mlshare makes reads data only through its own entry (a user lists the dataset; roles: [sagemaker]), never by name, except an ML project\'s role written exactly as mlshare names it',
    ]);
    expect(problemsAfter((t) => (t.datasets[0].consumers[1].roles = ["ACME-ML-CHURN-PROD"]))).toEqual([
      'datasets[0].consumers[1].roles[0]: role "ACME-ML-CHURN-PROD" is the role "acme-ml-churn-prod" of ML project "churn" in prod (mlProjects[0].accounts.prod), which mlshare makes in account "ml-prod"; a role mlshare makes reads data only through its own entry (a user lists the dataset; roles: [sagemaker]), never by name, except an ML project\'s role written exactly as mlshare names it',
    ]);
  });

  test("accepts an ML project's role named exactly: that is how a project reads a dataset", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[1].roles = ["acme-ml-churn-prod"]))).toEqual([]);
  });

  test("refuses the role Terraform deploys the consumer account with as a dataset's role, with or without pipeline", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[1].roles = ["mlshare-deploy"]))).toEqual([
      'datasets[0].consumers[1].roles[0]: role "mlshare-deploy" is the role Terraform deploys account "ml-prod" with (its deployRole); data grants never go to the identity that runs Terraform',
    ]);
  });

  test("with pipeline, refuses its plan role as a dataset's role (it reads configuration, never data), and an ML project named like its CI roles", () => {
    const problems = problemsAfter((t) => {
      t.pipeline = { account: "ml-staging", github: { repository: "acme/ml-platform" } };
      t.datasets[0].consumers[1].roles = ["mlshare-plan"];
      t.environments = ["dev", "plan", "prod"];
      t.accounts["ml-staging"].environment = "plan";
      t.mlProjects[0].accounts = { dev: "ml-dev", plan: "ml-staging", prod: "ml-prod" };
      withProject("ci", { accounts: { dev: "ml-dev", plan: "ml-staging", prod: "ml-prod" } })(t);
    });
    expect(problems).toContain(
      'datasets[0].consumers[1].roles[0]: role "mlshare-plan" is the plan role "mlshare-plan" the pipeline makes (pipeline.planRole), which mlshare makes in account "ml-prod"; a role mlshare makes reads data only through its own entry (a user lists the dataset; roles: [sagemaker]), never by name, except an ML project\'s role written exactly as mlshare names it',
    );
    expect(problems).toContain(
      'pipeline: the CI role "acme-ml-ci-plan" the pipeline makes has the name of the role "acme-ml-ci-plan" of ML project "ci" in plan (mlProjects[1].accounts.plan) in account "ml-staging"; IAM role names are unique in an account, regardless of case: rename one',
    );
  });

  /** The reference topology with a second dataset that ml-prod's existing role reads, spelled `role`. */
  const secondGrant = (role: string) => (t: any) =>
    t.datasets.push({ name: "fraud", account: "data-lake", consumers: [{ account: "ml-prod", roles: [role] }] });

  test("refuses one existing role written in two cases, which would get two inline policies of one name", () => {
    expect(problemsAfter(secondGrant("Batch-Scoring"))).toEqual([
      'datasets[1].consumers[0].roles[0]: role "Batch-Scoring" is the IAM role written "batch-scoring" at datasets[0].consumers[1].roles[0] (IAM role names ignore case); mlshare would give it two inline policies of one name, each replacing the other: write it the same way everywhere',
    ]);
  });

  test("accepts one existing role written alike in two grants (the near miss): one role, one policy", () => {
    expect(problemsAfter(secondGrant("batch-scoring"))).toEqual([]);
  });
});

describe("model package groups", () => {
  test("refuses two projects keeping their models in one group of one account, in any case", () => {
    for (const group of ["churn", "Churn"]) {
      expect(problemsAfter(withProject("fraud", { modelPackageGroup: group }))).toEqual([
        `mlProjects[1].modelPackageGroup: model package group "${group}" is already the group of ML project "churn" (mlProjects[0].modelPackageGroup) in account "ml-dev" (us-east-1), where both projects keep their registry; each project needs a group of its own`,
      ]);
    }
  });

  test("accepts a group of the same name in another registry account, and another group in the same one (the near misses)", () => {
    expect(problemsAfter(withProject("fraud", { modelPackageGroup: "fraud" }))).toEqual([]);
    expect(
      problemsAfter((t) => {
        t.accounts["ml-dev2"] = { id: "666666666666", environment: "dev" };
        withProject("fraud", { modelPackageGroup: "churn", accounts: { dev: "ml-dev2", staging: "ml-staging", prod: "ml-prod" } })(t);
      }),
    ).toEqual([]);
  });
});

describe("RAM resource ARNs", () => {
  test.each(["arn:aws:ec2:us-east-1:222222222222:subnet/*", "arn:aws:ec2:us-east-1:222222222222:subnet/subnet-0a1b2c3?"])("refuses the wildcard ARN %s", (arn) => {
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: resource ${JSON.stringify(arn)} holds a wildcard (* or ?); a RAM share names each resource by its full ARN`,
    ]);
  });

  test("accepts the subnet by its full ARN (the near miss)", () => {
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = "arn:aws:ec2:us-east-1:222222222222:subnet/subnet-0a1b2c3d"))).toEqual([]);
  });
});
