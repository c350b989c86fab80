/**
 * The rules that relate one part of a topology to another (config/rules.ts): references,
 * uniqueness, sharing rules, state, derived name lengths. Each test breaks one rule of an
 * otherwise valid topology and asserts the path and the message.
 */
import { problemsAfter, REFERENCE_ACCOUNTS } from "./helpers/problems";
import { minimalInput, problemsOf, referenceInput } from "./helpers/topology";

/** The minimal topology with a sandbox account that the management stack creates (no id yet). */
function withPendingAccount(): any {
  const t = minimalInput();
  t.accounts.sandbox = { create: true, email: "sandbox@example.com", name: "Sandbox" };
  return t;
}

/** The minimal topology with a partner account outside the organization. */
function withExternalAccount(): any {
  const t = minimalInput();
  t.accounts.partner = { id: "900000000009", outsideOrganization: true };
  return t;
}

const PENDING = (path: string) =>
  `${path}: account "sandbox" has no id yet (create: true); write the id the management stack outputs into accounts.sandbox.id, then use it here`;

describe("accounts", () => {
  test("refuses an account key that cannot name a stack", () => {
    expect(problemsAfter((t) => (t.accounts.ML_Lab = { id: "100000000009" }), minimalInput)).toEqual([
      'accounts.ML_Lab: account key "ML_Lab" must be 1-40 characters of [a-z0-9-], starting with a letter (it becomes the stack name)',
    ]);
  });

  test("refuses the account key bootstrap, reserved for the state bucket's stack", () => {
    expect(problemsAfter((t) => (t.accounts.bootstrap = { id: "100000000009" }), minimalInput)).toEqual([
      'accounts.bootstrap: account key "bootstrap" is reserved for the app\'s own stack; choose another key',
    ]);
  });

  test("refuses an account without an id that the management stack does not create", () => {
    expect(problemsAfter((t) => delete t.accounts.science.id, minimalInput)).toEqual([
      "accounts.science.id: is required (a 12-digit account id), unless the management stack creates the account with create: true",
    ]);
  });

  test("refuses an account to create without an e-mail and a name", () => {
    expect(problemsAfter((t) => (t.accounts.sandbox = { create: true }), minimalInput)).toEqual([
      "accounts.sandbox.email: is required when create is true (the new account's root e-mail)",
      "accounts.sandbox.name: is required when create is true (the new account's name)",
    ]);
  });

  test("accepts an account to create with an e-mail and a name", () => {
    expect(problemsAfter(() => undefined, withPendingAccount)).toEqual([]);
  });

  test("refuses creating an account outside the organization", () => {
    expect(
      problemsAfter((t) => (t.accounts.partner = { id: "900000000009", create: true, email: "p@example.com", name: "P", outsideOrganization: true }), minimalInput),
    ).toEqual(["accounts.partner.create: an account outside the organization cannot be created by the management stack"]);
  });

  test("refuses an e-mail without a name", () => {
    expect(problemsAfter((t) => (t.accounts.science.email = "science@example.com"), minimalInput)).toEqual([
      "accounts.science.name: is required with email (both let the management stack manage the account)",
    ]);
  });

  test("refuses a name without an e-mail", () => {
    expect(problemsAfter((t) => (t.accounts.science.name = "Science"), minimalInput)).toEqual([
      "accounts.science.email: is required with name (both let the management stack manage the account)",
    ]);
  });

  test("refuses two accounts with the same id", () => {
    expect(problemsAfter((t) => (t.accounts["ml-prod"].id = "444444444444"))).toEqual([
      'accounts.ml-prod.id: account id "444444444444" is already used by account "ml-staging"; ids are unique',
    ]);
  });

  test("refuses an account environment that environments does not list", () => {
    expect(problemsAfter((t) => (t.accounts["data-lake"].environment = "qa"))).toEqual([
      'accounts.data-lake.environment: unknown environment "qa"; known: dev, staging, prod',
    ]);
  });

  test("refuses an account environment when the topology has no environments list", () => {
    expect(problemsAfter((t) => (t.accounts.science.environment = "dev"), minimalInput)).toEqual([
      'accounts.science.environment: unknown environment "dev"; known: none (add an environments list)',
    ]);
  });

  test("refuses an environment listed twice", () => {
    expect(problemsAfter((t) => t.environments.push("dev"))).toEqual(['environments[3]: duplicate environment "dev"']);
  });

  test("refuses an unknown management account", () => {
    expect(problemsAfter((t) => (t.organization.managementAccount = "mgmt"))).toEqual([
      `organization.managementAccount: unknown account "mgmt"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses a management account outside the organization", () => {
    expect(problemsAfter((t) => (t.organization.managementAccount = "partner"), withExternalAccount)).toEqual([
      'organization.managementAccount: account "partner" is outsideOrganization, so it cannot be the management account; it may only be a RAM share principal',
    ]);
  });

  test("refuses a management account that is still to be created", () => {
    expect(problemsAfter((t) => (t.organization.managementAccount = "sandbox"), withPendingAccount)).toEqual([
      'organization.managementAccount: the management account "sandbox" needs its id; it cannot be created by itself',
    ]);
  });
});

describe("organization", () => {
  test("refuses two OUs with the same name", () => {
    expect(problemsAfter((t) => t.organization.organizationalUnits.push({ name: "ml-workloads" }))).toEqual([
      'organization.organizationalUnits[1].name: duplicate OU name "ml-workloads"; already used at organization.organizationalUnits[0]',
    ]);
  });

  test("refuses an OU that is its own parent", () => {
    expect(problemsAfter((t) => t.organization.organizationalUnits.push({ name: "research", parent: "research" }))).toEqual([
      'organization.organizationalUnits[1].parent: an OU cannot be its own parent ("research")',
    ]);
  });

  test("refuses an unknown parent OU", () => {
    expect(problemsAfter((t) => t.organization.organizationalUnits.push({ name: "research", parent: "ml" }))).toEqual([
      'organization.organizationalUnits[1].parent: unknown parent OU (or root) "ml"; known: ml-workloads, research',
    ]);
  });

  test("accepts an OU under another OU", () => {
    expect(problemsAfter((t) => t.organization.organizationalUnits.push({ name: "research", parent: "ml-workloads" }))).toEqual([]);
  });

  test("refuses OUs whose parents form a cycle", () => {
    const problems = problemsAfter((t) =>
      t.organization.organizationalUnits.push({ name: "a", parent: "b" }, { name: "b", parent: "a" }),
    );
    expect(problems).toEqual([
      'organization.organizationalUnits[1].parent: OU "a" is in a parent cycle (a -> b -> a)',
      'organization.organizationalUnits[2].parent: OU "b" is in a parent cycle (b -> a -> b)',
    ]);
  });

  test("refuses an OU under root when rootId is not set", () => {
    const problems = problemsAfter((t) => (t.organization.organizationalUnits = [{ name: "research", accounts: ["science"] }]), minimalInput);
    expect(problems).toEqual(["organization.organizationalUnits[0].parent: OUs under root need organization.rootId (r-xxxx) to be set"]);
  });

  test("refuses an unknown account in an OU", () => {
    expect(problemsAfter((t) => t.organization.organizationalUnits[0].accounts.push("ml-qa"))).toEqual([
      `organization.organizationalUnits[0].accounts[3]: unknown account "ml-qa"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses an account outside the organization in an OU", () => {
    const problems = problemsAfter(
      (t) => Object.assign(t.organization, { rootId: "r-a1b2", organizationalUnits: [{ name: "partners", accounts: ["partner"] }] }),
      withExternalAccount,
    );
    expect(problems).toEqual([
      'organization.organizationalUnits[0].accounts[0]: account "partner" is outsideOrganization, so it cannot be placed in an OU; it may only be a RAM share principal',
    ]);
  });

  test("refuses an account placed in two OUs", () => {
    expect(problemsAfter((t) => t.organization.organizationalUnits.push({ name: "research", accounts: ["ml-dev"] }))).toEqual([
      'organization.organizationalUnits[1].accounts[0]: account "ml-dev" is already placed in OU "ml-workloads"; an account is in one OU',
    ]);
  });

  test("refuses a guardrail on root when rootId is not set", () => {
    const problems = problemsAfter(
      (t) => (t.organization.guardrails = [{ kind: "deny-leave-organization", targets: ["account:science", "root"] }]),
      minimalInput,
    );
    expect(problems).toEqual(["organization.guardrails[0].targets[1]: targets root, so organization.rootId (r-xxxx) must be set"]);
  });

  test("refuses a guardrail on an unknown OU", () => {
    expect(problemsAfter((t) => (t.organization.guardrails[1].targets = ["ou:ml"]))).toEqual([
      'organization.guardrails[1].targets[0]: unknown OU "ml"; known: ml-workloads',
    ]);
  });

  test("refuses a guardrail on an unknown account", () => {
    expect(problemsAfter((t) => t.organization.guardrails[1].targets.push("account:ml-qa"))).toEqual([
      `organization.guardrails[1].targets[1]: unknown account "ml-qa"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses a guardrail on an account outside the organization", () => {
    const problems = problemsAfter(
      (t) => (t.organization.guardrails = [{ kind: "data-perimeter", targets: ["account:partner"] }]),
      withExternalAccount,
    );
    expect(problems).toEqual([
      'organization.guardrails[0].targets[0]: account "partner" is outsideOrganization, so it cannot receive a guardrail; it may only be a RAM share principal',
    ]);
  });

  test("refuses a guardrail on an account that has no id yet", () => {
    const problems = problemsAfter(
      (t) => (t.organization.guardrails = [{ kind: "data-perimeter", targets: ["account:sandbox"] }]),
      withPendingAccount,
    );
    expect(problems).toEqual([
      'organization.guardrails[0].targets[0]: account "sandbox" has no id yet (create: true); attach the guardrail once its id is written in the topology',
    ]);
  });
});

describe("state", () => {
  test("refuses S3 state without a bucket and a region", () => {
    expect(problemsAfter((t) => (t.state = { backend: "s3" }), minimalInput)).toEqual([
      "state.bucket: is required with backend s3",
      "state.region: is required with backend s3",
    ]);
  });

  test("refuses S3 state, the default backend, without a bucket", () => {
    expect(problemsAfter((t) => delete t.state.bucket, minimalInput)).toEqual(["state.bucket: is required with backend s3"]);
  });

  test("refuses DynamoDB locking without a lock table", () => {
    expect(problemsAfter((t) => (t.state.locking = "dynamodb"), minimalInput)).toEqual([
      "state.dynamodbTable: is required when locking is dynamodb",
    ]);
  });

  test("accepts DynamoDB locking with a lock table", () => {
    expect(problemsAfter((t) => Object.assign(t.state, { locking: "dynamodb", dynamodbTable: "tf-locks" }), minimalInput)).toEqual([]);
  });

  test("refuses a lock table with lockfile locking, the default", () => {
    expect(problemsAfter((t) => (t.state.dynamodbTable = "tf-locks"), minimalInput)).toEqual([
      'state.dynamodbTable: is refused when locking is "lockfile"; set locking: dynamodb or remove it',
    ]);
  });

  test("refuses Terraform Cloud keys with S3 state", () => {
    const problems = problemsAfter(
      (t) => Object.assign(t.state, { organization: "acme", workspacePrefix: "ml-", hostname: "tfe.example.com" }),
      minimalInput,
    );
    expect(problems).toEqual([
      "state.organization: is for backend cloud; with backend s3 remove it",
      "state.workspacePrefix: is for backend cloud; with backend s3 remove it",
      "state.hostname: is for backend cloud; with backend s3 remove it",
    ]);
  });

  test("refuses an unknown state account", () => {
    expect(problemsAfter((t) => (t.state.account = "ops"), minimalInput)).toEqual([
      'state.account: unknown account "ops"; known: mgmt, lake, science',
    ]);
  });

  test("refuses a state account that has no id yet", () => {
    expect(problemsAfter((t) => (t.state.account = "sandbox"), withPendingAccount)).toEqual([
      'state.account: account "sandbox" has no id yet; the state bucket needs an existing account',
    ]);
  });

  test("refuses Terraform Cloud state without an organization", () => {
    expect(problemsAfter((t) => (t.state = { backend: "cloud", workspacePrefix: "ml-" }), minimalInput)).toEqual([
      "state.organization: is required with backend cloud (the Terraform Cloud organization)",
    ]);
  });

  test("refuses S3-only keys with Terraform Cloud state", () => {
    const problems = problemsAfter((t) => Object.assign(t.state, { backend: "cloud", organization: "acme", keyPrefix: "ml", locking: "lockfile", dynamodbTable: "tf-locks", roleArn: "arn:aws:iam::100000000001:role/state", account: "mgmt" }), minimalInput);
    expect(problems).toEqual(
      ["bucket", "region", "keyPrefix", "locking", "dynamodbTable", "roleArn", "account"].map(
        (k) => `state.${k}: is for backend s3; with backend cloud remove it`,
      ),
    );
  });
});

describe("tags", () => {
  test("refuses a ManagedBy tag, which mlshare sets itself", () => {
    expect(problemsAfter((t) => (t.tags.ManagedBy = "terraform"))).toEqual([
      "tags.ManagedBy: is set by mlshare itself (ManagedBy = mlshare); remove it",
    ]);
  });

  test("refuses more tags than AWS allows beside ManagedBy", () => {
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`Tag${i}`, "x"]));
    expect(problemsAfter((t) => (t.tags = tags), minimalInput)).toEqual([
      "tags: has 50 tags; AWS allows 50 per resource and mlshare adds ManagedBy",
    ]);
  });

  test("accepts 49 tags", () => {
    const tags = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`Tag${i}`, "x"]));
    expect(problemsAfter((t) => (t.tags = tags), minimalInput)).toEqual([]);
  });
});

describe("datasets", () => {
  test("refuses two datasets with the same name", () => {
    expect(problemsAfter((t) => t.datasets.push({ name: "churn", account: "ml-prod" }))).toEqual([
      'datasets[1].name: duplicate dataset name "churn"; already used at datasets[0]',
    ]);
  });

  test("refuses an unknown provider account", () => {
    expect(problemsAfter((t) => (t.datasets[0].account = "data-lak"))).toEqual([
      `datasets[0].account: unknown account "data-lak"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses a provider account outside the organization", () => {
    expect(problemsAfter((t) => (t.datasets[0].account = "partner"), withExternalAccount)).toEqual([
      'datasets[0].account: account "partner" is outsideOrganization, so it cannot provide a dataset; it may only be a RAM share principal',
    ]);
  });

  test("refuses a provider account that has no id yet", () => {
    expect(problemsAfter((t) => (t.datasets[0].account = "sandbox"), withPendingAccount)).toEqual([PENDING("datasets[0].account")]);
  });

  test("refuses an unknown consumer account, naming the known ones", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[1].account = "ml-qa"))).toEqual([
      `datasets[0].consumers[1].account: unknown account "ml-qa"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses a dataset consumer that is the providing account", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[1].account = "data-lake"))).toEqual([
      'datasets[0].consumers[1].account: a dataset\'s consumer is never its own account ("data-lake" provides dataset "churn"); its roles already reach the data in their own account',
    ]);
  });

  test("refuses a consumer account listed twice for one dataset", () => {
    expect(problemsAfter((t) => t.datasets[0].consumers.push({ account: "ml-prod", roles: ["training"] }))).toEqual([
      'datasets[0].consumers[2].account: account "ml-prod" is already a consumer of dataset "churn"; list each consumer account once (roles may name several roles)',
    ]);
  });

  test("refuses a consumer account outside the organization", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[0].account = "partner"), withExternalAccount)).toEqual([
      'datasets[0].consumers[0].account: account "partner" is outsideOrganization, so it cannot consume a dataset; it may only be a RAM share principal',
    ]);
  });

  test("refuses a consumer account that has no id yet", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[0].account = "sandbox"), withPendingAccount)).toEqual([
      PENDING("datasets[0].consumers[0].account"),
    ]);
  });

  test("refuses a role listed twice for one consumer", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[1].roles = ["batch-scoring", "training", "batch-scoring"]))).toEqual([
      'datasets[0].consumers[1].roles[2]: duplicate role "batch-scoring"',
    ]);
  });
});

describe("model artifacts", () => {
  test("refuses two model artifact sets with the same name", () => {
    expect(problemsAfter((t) => t.modelArtifacts.push({ name: "churn-model", account: "ml-prod" }))).toEqual([
      'modelArtifacts[1].name: duplicate model artifact set name "churn-model"; already used at modelArtifacts[0]',
    ]);
  });

  test("refuses an unknown owning account", () => {
    // alice's domain account then reads the set through neither ownership nor a grant.
    expect(problemsAfter((t) => (t.modelArtifacts[0].account = "ml-test"))).toEqual([
      `modelArtifacts[0].account: unknown account "ml-test"; known: ${REFERENCE_ACCOUNTS}`,
      'sagemaker.domains[0].users[0].modelArtifacts[0]: user "alice" lists model artifact set "churn-model", which account "ml-dev" neither owns nor reads; add ml-dev to its consumers',
    ]);
  });

  test("refuses an unknown consumer account", () => {
    expect(problemsAfter((t) => (t.modelArtifacts[0].consumers[1].account = "ml-qa"))).toEqual([
      `modelArtifacts[0].consumers[1].account: unknown account "ml-qa"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses the owning account as a consumer", () => {
    expect(problemsAfter((t) => t.modelArtifacts[0].consumers.push({ account: "ml-dev" }))).toEqual([
      'modelArtifacts[0].consumers[2].account: the owning account "ml-dev" already reads its artifacts; it is not a consumer',
    ]);
  });

  test("refuses a consumer account listed twice", () => {
    expect(problemsAfter((t) => t.modelArtifacts[0].consumers.push({ account: "ml-prod" }))).toEqual([
      'modelArtifacts[0].consumers[2].account: account "ml-prod" is listed twice',
    ]);
  });

  test("refuses a consumer account that has no id yet", () => {
    const problems = problemsAfter(
      (t) => (t.modelArtifacts = [{ name: "models", account: "science", consumers: [{ account: "sandbox" }] }]),
      withPendingAccount,
    );
    expect(problems).toEqual([PENDING("modelArtifacts[0].consumers[0].account")]);
  });
});

describe("SageMaker domains", () => {
  test("refuses two domains in one account", () => {
    const problems = problemsAfter((t) => t.sagemaker.domains.push({ ...t.sagemaker.domains[0], users: [] }));
    expect(problems).toEqual([
      'sagemaker.domains[1].account: duplicate domain account (one domain per account) "ml-dev"; already used at sagemaker.domains[0]',
    ]);
  });

  test("refuses an unknown domain account", () => {
    const problems = problemsAfter((t) => {
      t.sagemaker.domains[0].account = "ml-lab";
      t.sagemaker.domains[0].users = [{ name: "bob" }];
      // ml-dev keeps a network for its ML project once the domain is gone.
      t.accounts["ml-dev"].network = { vpcId: t.sagemaker.domains[0].vpcId, subnetIds: t.sagemaker.domains[0].subnetIds };
    });
    expect(problems).toEqual([`sagemaker.domains[0].account: unknown account "ml-lab"; known: ${REFERENCE_ACCOUNTS}`]);
  });

  test("refuses two users with the same name in a domain", () => {
    expect(problemsAfter((t) => t.sagemaker.domains[0].users.push({ name: "bob" }))).toEqual([
      'sagemaker.domains[0].users[2].name: duplicate user name in this domain "bob"; already used at sagemaker.domains[0].users[1]',
    ]);
  });

  test("refuses a user listing an unknown dataset", () => {
    expect(problemsAfter((t) => t.sagemaker.domains[0].users[0].datasets.push("fraud"))).toEqual([
      'sagemaker.domains[0].users[0].datasets[1]: unknown dataset "fraud"; known: churn',
    ]);
  });

  test("refuses a user listing an unknown model artifact set", () => {
    expect(problemsAfter((t) => (t.sagemaker.domains[0].users[1].modelArtifacts = ["fraud-model"]))).toEqual([
      'sagemaker.domains[0].users[1].modelArtifacts[0]: unknown model artifact set "fraud-model"; known: churn-model',
    ]);
  });

  test("refuses a user listing a dataset that is not shared with the domain's account", () => {
    expect(problemsAfter((t) => t.datasets[0].consumers.shift())).toEqual([
      'sagemaker.domains[0].users[0].datasets[0]: user "alice" lists dataset "churn", which is not shared with account "ml-dev"; add { account: ml-dev, roles: [sagemaker] } to that dataset\'s consumers',
    ]);
  });

  test("refuses a user listing a dataset shared with the domain's account without the sagemaker roles", () => {
    expect(problemsAfter((t) => (t.datasets[0].consumers[0].roles = ["analyst"]))).toEqual([
      'sagemaker.domains[0].users[0].datasets[0]: user "alice" lists dataset "churn", whose grant to account "ml-dev" does not include the sagemaker roles; add sagemaker to that consumer\'s roles',
    ]);
  });

  test("accepts a user listing a dataset shared with the default roles, which are the sagemaker roles", () => {
    expect(problemsAfter((t) => delete t.datasets[0].consumers[0].roles)).toEqual([]);
  });

  test("refuses a user listing a dataset that the domain's own account provides", () => {
    const problems = problemsAfter((t) => {
      t.datasets.push({ name: "dev-samples", account: "ml-dev" });
      t.sagemaker.domains[0].users[1].datasets = ["dev-samples"];
    });
    expect(problems).toEqual([
      'sagemaker.domains[0].users[1].datasets[0]: user "bob" lists dataset "dev-samples", which account "ml-dev" itself provides; users read datasets shared with their domain\'s account, so read it in the provider account or share it from there',
    ]);
  });

  test("refuses a user listing model artifacts that the domain's account cannot read", () => {
    const problems = problemsAfter((t) => {
      t.modelArtifacts[0].account = "ml-staging";
      t.modelArtifacts[0].consumers = [{ account: "ml-prod" }];
    });
    expect(problems).toEqual([
      'sagemaker.domains[0].users[0].modelArtifacts[0]: user "alice" lists model artifact set "churn-model", which account "ml-dev" neither owns nor reads; add ml-dev to its consumers',
    ]);
  });

  test("accepts a user listing model artifacts shared with the domain's account", () => {
    const problems = problemsAfter((t) => {
      t.modelArtifacts[0].account = "ml-staging";
      t.modelArtifacts[0].consumers = [{ account: "ml-dev" }];
      // The project's model package group is made in the dev account; that is unrelated to artifacts.
    });
    expect(problems).toEqual([]);
  });
});

describe("ML projects", () => {
  test("refuses two ML projects with the same name", () => {
    expect(problemsAfter((t) => t.mlProjects.push({ ...t.mlProjects[0] }))).toEqual([
      'mlProjects[1].name: duplicate ML project name "churn"; already used at mlProjects[0]',
    ]);
  });

  test("refuses an ML project when the topology has no environments list", () => {
    const problems = problemsAfter((t) => {
      delete t.environments;
      for (const key of ["ml-dev", "ml-staging", "ml-prod"]) delete t.accounts[key].environment;
      t.mlProjects[0].accounts = { dev: "ml-dev" };
    });
    expect(problems).toEqual([
      "mlProjects[0].accounts: maps environments, so the topology needs an environments list",
      'mlProjects[0].accounts.dev: unknown environment "dev"; known: none',
    ]);
  });

  test("refuses an ML project without an account for every environment", () => {
    expect(problemsAfter((t) => delete t.mlProjects[0].accounts.staging)).toEqual([
      'mlProjects[0].accounts: has no account for environment "staging"; each environment of environments maps to one account',
    ]);
  });

  test("refuses an ML project environment that environments does not list", () => {
    expect(problemsAfter((t) => (t.mlProjects[0].accounts.qa = "ml-staging"))).toEqual([
      'mlProjects[0].accounts.qa: unknown environment "qa"; known: dev, staging, prod',
    ]);
  });

  test("refuses an unknown ML project account", () => {
    expect(problemsAfter((t) => (t.mlProjects[0].accounts.prod = "ml-production"))).toEqual([
      `mlProjects[0].accounts.prod: unknown account "ml-production"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses an ML project account whose environment is another one", () => {
    expect(problemsAfter((t) => (t.mlProjects[0].accounts.prod = "ml-staging"))).toEqual([
      'mlProjects[0].accounts.prod: account "ml-staging" has environment "staging", not "prod"; set accounts.ml-staging.environment: prod or map another account',
    ]);
  });

  test("refuses an ML project account without an environment", () => {
    expect(problemsAfter((t) => delete t.accounts["ml-prod"].environment)).toEqual([
      'mlProjects[0].accounts.prod: account "ml-prod" has no environment, not "prod"; set accounts.ml-prod.environment: prod or map another account',
    ]);
  });
});

describe("RAM shares", () => {
  const ARN = "arn:aws:ec2:us-east-1:222222222222:capacity-reservation/cr-0123456789abcdef0";

  test("refuses two RAM shares with the same name", () => {
    expect(problemsAfter((t) => t.ramShares.push({ ...t.ramShares[0] }))).toEqual([
      'ramShares[1].name: duplicate RAM share name "ai-training"; already used at ramShares[0]',
    ]);
  });

  test("refuses an unknown owning account", () => {
    expect(problemsAfter((t) => (t.ramShares[0].account = "lake"))).toEqual([
      `ramShares[0].account: unknown account "lake"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses an S3 bucket and says to share it with datasets or modelArtifacts", () => {
    expect(problemsAfter((t) => t.ramShares[0].resources.push({ arn: "arn:aws:s3:::acme-ml-data" }))).toEqual([
      'ramShares[0].resources[1].arn: "arn:aws:s3:::acme-ml-data" is a resource of S3. RAM cannot share S3 buckets: share data with a `datasets` entry (bucket policy or reader role) and models with a `modelArtifacts` entry',
    ]);
  });

  test("refuses a KMS key and says datasets and modelArtifacts write key grants", () => {
    const arn = "arn:aws:kms:us-east-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: "${arn}" is a resource of KMS. RAM cannot share KMS keys: \`datasets\` and \`modelArtifacts\` entries write the key policy grants for you`,
    ]);
  });

  test("refuses an IAM role and says datasets grants give cross-account access", () => {
    const arn = "arn:aws:iam::222222222222:role/trainer";
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: "${arn}" is a resource of IAM. RAM cannot share IAM resources: cross-account access is written by \`datasets\` grants (via: assume-role)`,
    ]);
  });

  test("refuses a resource type that AWS RAM cannot share", () => {
    const arn = "arn:aws:dynamodb:us-east-1:222222222222:table/features";
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: "${arn}" is a dynamodb table, which AWS RAM cannot share (shareable types: https://docs.aws.amazon.com/ram/latest/userguide/shareable.html); share data with \`datasets\` and models with \`modelArtifacts\``,
    ]);
  });

  test("refuses a resource that is not an ARN", () => {
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = "cr-0123456789abcdef0"))).toEqual([
      'ramShares[0].resources[0].arn: "cr-0123456789abcdef0" is not an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)',
    ]);
  });

  test("refuses a resource of another account than the share's owner", () => {
    const arn = ARN.replace("222222222222", "999999999999");
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: resource "${arn}" belongs to account 999999999999, not to the share's owner "data-lake" (222222222222); a share holds only its owner's resources`,
    ]);
  });

  test("refuses a resource in another region than the owner's", () => {
    const arn = ARN.replace("us-east-1", "eu-west-1");
    expect(problemsAfter((t) => (t.ramShares[0].resources[0].arn = arn))).toEqual([
      `ramShares[0].resources[0].arn: resource "${arn}" is in eu-west-1, but account "data-lake" deploys in us-east-1; RAM shares are regional`,
    ]);
  });

  test("does not compare resources with a malformed region, which is reported once, as a format error", () => {
    expect(problemsAfter((t) => (t.defaultRegion = "us-east-9x"))).toEqual([
      'defaultRegion: must be an AWS region name such as us-east-1 or eu-central-2 (value: "us-east-9x")',
    ]);
  });

  test("accepts a resource in the owner's own region when it overrides the default", () => {
    const problems = problemsAfter((t) => {
      t.accounts["data-lake"].region = "eu-west-1";
      t.ramShares[0].resources[0].arn = ARN.replace("us-east-1", "eu-west-1");
    });
    expect(problems).toEqual([]);
  });

  test("refuses an unknown OU principal", () => {
    expect(problemsAfter((t) => (t.ramShares[0].principals[0] = "ou:ml"))).toEqual([
      'ramShares[0].principals[0]: unknown OU "ml"; known: ml-workloads',
    ]);
  });

  test("refuses an unknown account principal", () => {
    expect(problemsAfter((t) => (t.ramShares[0].principals[1] = "account:ml-qa"))).toEqual([
      `ramShares[0].principals[1]: unknown account "ml-qa"; known: ${REFERENCE_ACCOUNTS}`,
    ]);
  });

  test("refuses the share's owner as one of its principals", () => {
    expect(problemsAfter((t) => t.ramShares[0].principals.push("account:data-lake"))).toEqual([
      'ramShares[0].principals[2]: the share\'s owner "data-lake" is not a principal of its own share',
    ]);
  });

  test("refuses a principal that has no id yet", () => {
    const problems = problemsAfter((t) => {
      t.ramShares = [{ name: "features", account: "lake", resources: [{ arn: "arn:aws:ec2:eu-west-1:100000000002:subnet/subnet-0a1b2c3d" }], principals: ["account:sandbox"] }];
    }, withPendingAccount);
    expect(problems).toEqual([PENDING("ramShares[0].principals[0]")]);
  });

  test("refuses a principal outside the organization without allowExternalPrincipals", () => {
    const problems = problemsAfter((t) => {
      t.ramShares = [{ name: "features", account: "lake", resources: [{ arn: "arn:aws:ec2:eu-west-1:100000000002:subnet/subnet-0a1b2c3d" }], principals: ["account:partner"] }];
    }, withExternalAccount);
    expect(problems).toEqual([
      'ramShares[0].principals[0]: account "partner" is outside the organization; sharing with it needs allowExternalPrincipals: true on this share',
    ]);
  });

  test("accepts a principal outside the organization with allowExternalPrincipals: true", () => {
    const problems = problemsAfter((t) => {
      t.ramShares = [
        {
          name: "features",
          account: "lake",
          resources: [{ arn: "arn:aws:ec2:eu-west-1:100000000002:subnet/subnet-0a1b2c3d" }],
          principals: ["account:partner"],
          allowExternalPrincipals: true,
        },
      ];
    }, withExternalAccount);
    expect(problems).toEqual([]);
  });

  test("refuses an owning account outside the organization", () => {
    const problems = problemsAfter((t) => {
      t.ramShares = [{ name: "features", account: "partner", resources: [{ arn: "arn:aws:ec2:eu-west-1:900000000009:subnet/subnet-0a1b2c3d" }], principals: ["organization"] }];
    }, withExternalAccount);
    expect(problems).toEqual([
      'ramShares[0].account: account "partner" is outsideOrganization, so it cannot own a RAM share; it may only be a RAM share principal',
    ]);
  });
});

describe("accounts used where they cannot act", () => {
  const SUBNET = "arn:aws:ec2:eu-west-1:100000000002:subnet/subnet-0a1b2c3d";

  test.each<[string, (t: any, key: string) => void, string, string]>([
    ["hold the state bucket", (t, key) => (t.state.account = key), "state.account", "hold the state bucket"],
    [
      "own model artifacts",
      (t, key) => (t.modelArtifacts = [{ name: "models", account: key }]),
      "modelArtifacts[0].account",
      "own model artifacts",
    ],
    [
      "read model artifacts",
      (t, key) => (t.modelArtifacts = [{ name: "models", account: "lake", consumers: [{ account: key }] }]),
      "modelArtifacts[0].consumers[0].account",
      "read model artifacts",
    ],
    [
      "host a SageMaker domain",
      (t, key) => (t.sagemaker = { domains: [{ account: key, vpcId: "vpc-0a1b2c3d", subnetIds: ["subnet-0a1b2c3d"] }] }),
      "sagemaker.domains[0].account",
      "host a SageMaker domain",
    ],
    [
      "host an ML project",
      (t, key) => {
        t.environments = ["dev"];
        t.mlProjects = [{ name: "churn", serviceCatalogProductId: "prod-abcd1234abcd", accounts: { dev: key } }];
      },
      "mlProjects[0].accounts.dev",
      "host an ML project",
    ],
  ])("refuses an account outside the organization that would %s", (_what, change, path, cannot) => {
    expect(problemsAfter((t) => change(t, "partner"), withExternalAccount)).toEqual([
      `${path}: account "partner" is outsideOrganization, so it cannot ${cannot}; it may only be a RAM share principal`,
    ]);
  });

  test.each<[string, (t: any, key: string) => void, string]>([
    ["own model artifacts", (t, key) => (t.modelArtifacts = [{ name: "models", account: key }]), "modelArtifacts[0].account"],
    [
      "host a SageMaker domain",
      (t, key) => (t.sagemaker = { domains: [{ account: key, vpcId: "vpc-0a1b2c3d", subnetIds: ["subnet-0a1b2c3d"] }] }),
      "sagemaker.domains[0].account",
    ],
    [
      "host an ML project",
      (t, key) => {
        t.environments = ["dev"];
        t.mlProjects = [{ name: "churn", serviceCatalogProductId: "prod-abcd1234abcd", accounts: { dev: key } }];
      },
      "mlProjects[0].accounts.dev",
    ],
    [
      "own a RAM share",
      (t, key) => (t.ramShares = [{ name: "subnets", account: key, resources: [{ arn: SUBNET }], principals: ["organization"] }]),
      "ramShares[0].account",
    ],
  ])("refuses an account that has no id yet where it would %s", (_what, change, path) => {
    expect(problemsAfter((t) => change(t, "sandbox"), withPendingAccount)).toEqual([PENDING(path)]);
  });
});

describe("derived names", () => {
  test("refuses a model artifact bucket name longer than 63 characters, naming it and its length", () => {
    const problems = problemsAfter((t) => {
      t.project = "acme-machine-learn";
      t.modelArtifacts[0].name = "churn-model-artifacts";
      t.sagemaker.domains[0].users[0].modelArtifacts = ["churn-model-artifacts"];
    });
    const bucket = "acme-machine-learn-ma-churn-model-artifacts-333333333333-us-east-1";
    expect(problems).toEqual([
      `modelArtifacts[0].name: the derived bucket name "${bucket}" is ${bucket.length} characters, over AWS's limit of 63; shorten the project prefix or the name`,
    ]);
    expect(bucket.length).toBe(66);
  });

  test("accepts a model artifact bucket name of exactly 63 characters", () => {
    const problems = problemsAfter((t) => {
      t.project = "acme-machine";
      t.modelArtifacts[0].name = "churn-model-artifacts-v2";
      t.sagemaker.domains[0].users[0].modelArtifacts = ["churn-model-artifacts-v2"];
    });
    expect("acme-machine-ma-churn-model-artifacts-v2-333333333333-us-east-1".length).toBe(63);
    expect(problems).toEqual([]);
  });

  test("a reader role's name does not grow with the dataset's name: the longest project passes", () => {
    const problems = problemsAfter((t) => {
      t.project = "acme-machine-learnin";
      t.datasets[0].name = "customer-churn-events-and-labels-v2";
      t.datasets[0].consumers[1].via = "assume-role";
      t.sagemaker.domains[0].users[0].datasets = ["customer-churn-events-and-labels-v2"];
    });
    // <project>-reader-<consumer id>-<10 hex>: 51 characters at most with a 20-character project.
    expect(problems).toEqual([]);
  });
});

describe("derived names that AWS limits", () => {
  test("refuses a SageMaker user whose execution role name would pass IAM's 64 characters", () => {
    const input = referenceInput();
    const long = "a".repeat(60);
    input.sagemaker.domains[0].users[1].name = long;
    expect(problemsOf(input)).toEqual([
      `sagemaker.domains[0].users[1].name: the derived role name "acme-ml-sm-${long}" is ${long.length + 11} characters, over AWS's limit of 64; shorten the project prefix or the name`,
    ]);
  });

  test("accepts a Glue catalog, which RAM shares, though its ARN has no resource id", () => {
    const input = referenceInput();
    input.ramShares[0].resources.push({ arn: "arn:aws:glue:us-east-1:222222222222:catalog" });
    expect(problemsOf(input)).toEqual([]);
  });
});
