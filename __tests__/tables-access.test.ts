/**
 * The IAM side of shared tables, both ways, with iam-simulate over the synthesized JSON
 * (examples/tables.yaml): the declared roles may ask Lake Formation for the data and read the
 * shared table's metadata; a SageMaker user who lists no table, and a role granted another
 * table, may not. Which columns and rows come back is Lake Formation's part (tables.test.ts).
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { GLUE_READ_TABLE } from "../policies/tables";
import { collectDirectory } from "../review/collect";
import { AccessEvaluator } from "../review/evaluate";
import { simulate } from "./helpers/stack-policies";
import { synthInput } from "./helpers/synth";

const out = synthInput(parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tables.yaml"), "utf8")));
// The review's evaluator: iam-simulate over the synthesized JSON, references resolved.
const ev = new AccessEvaluator(collectDirectory(out.outdir), { organization: { id: "o-abcdefghij", accountIds: out.topology.accounts.map((a) => a.id) } });
const REGION = "eu-central-1";
const LAKE = "100000000002";
const DEV = "100000000003";
const PROD = "100000000004";
const role = (accountId: string, name: string) => `arn:aws:iam::${accountId}:role/${name}`;
const ALICE = role(DEV, "acme-tables-sm-alice");
const BOB = role(DEV, "acme-tables-sm-bob");
const CAROL = role(DEV, "acme-tables-sm-carol");
const ANALYST = role(DEV, "athena-analyst");
const SCORER = role(PROD, "churn-scorer");
const glue = (accountId: string, what: string) => `arn:aws:glue:${REGION}:${accountId}:${what}`;
const LINK = "acme_tables_100000000002_curated";

/**
 * What the provider's catalog admits once the consumer account accepted Lake Formation's
 * share (cross-account version 3 and later share through AWS RAM): the consumer account, for
 * Glue reads of the shared database and table. A stand-in, so that the simulation asks the
 * real question across accounts: does the role's own policy allow the call?
 */
function sharedCatalogPolicy(consumerId: string, database: string, table: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${consumerId}:root` },
        Action: [...GLUE_READ_TABLE],
        Resource: [glue(LAKE, "catalog"), glue(LAKE, `database/${database}`), glue(LAKE, `table/${database}/${table}`)],
      },
    ],
  };
}

async function may(roleArn: string, action: string, resource: string, resourceAccount: string, resourcePolicy?: any) {
  if (resource === "*") {
    // An action with no resource type (GetDataAccess): IAM decides it on "*", which the
    // evaluator refuses as a pattern; the simulator asks it with the same identity policies.
    const identity = ev.identityPoliciesOf(roleArn).policies.map((p) => ({ name: p.name, policy: p.document }));
    return simulate({ principal: roleArn, action, resource, resourceAccount, identity, orgId: "o-abcdefghij" });
  }
  const named = resourcePolicy ? { resourcePolicy: { name: "shared catalog", document: resourcePolicy } } : {};
  return (await ev.evaluate({ principalArn: roleArn, action, resourceArn: resource, resourceAccountId: resourceAccount, step: "other", ...named })).decision;
}

const getDataAccess = (roleArn: string) => may(roleArn, "lakeformation:GetDataAccess", "*", roleArn.split(":")[4]);
const getProviderTable = (roleArn: string, table: string) =>
  may(roleArn, "glue:GetTable", glue(LAKE, `table/curated/${table}`), LAKE, sharedCatalogPolicy(roleArn.split(":")[4], "curated", table));
const getLinkTable = (roleArn: string, table: string) => may(roleArn, "glue:GetTable", glue(roleArn.split(":")[4], `table/${LINK}/${table}`), roleArn.split(":")[4]);

describe("the declared roles may query", () => {
  test.each([ALICE, ANALYST, SCORER])("%s may call lakeformation:GetDataAccess", async (r) => {
    expect(await getDataAccess(r)).toBe("Allowed");
  });

  test.each([ALICE, ANALYST, SCORER])("%s may read customers' metadata in the provider's catalog and through its link", async (r) => {
    expect(await getProviderTable(r, "customers")).toBe("Allowed");
    expect(await getLinkTable(r, "customers")).toBe("Allowed");
  });

  test("a SageMaker user who lists orders may read orders and the databases on the way", async () => {
    expect(await getProviderTable(BOB, "orders")).toBe("Allowed");
    expect(await may(BOB, "glue:GetDatabase", glue(DEV, `database/${LINK}`), DEV)).toBe("Allowed");
    expect(await may(BOB, "glue:GetPartitions", glue(LAKE, "table/curated/orders"), LAKE, sharedCatalogPolicy(DEV, "curated", "orders"))).toBe("Allowed");
  });

  test("a consumer reads a column-only table of an account that also consumes", async () => {
    const features = glue(DEV, "table/features/churn_features");
    const catalog = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${PROD}:root` }, Action: "glue:GetTable", Resource: features }] };
    expect(await may(SCORER, "glue:GetTable", features, DEV, catalog)).toBe("Allowed");
  });
});

describe("and no one else, nor anything else", () => {
  test("a SageMaker user who lists no table may neither get data access nor read a shared table", async () => {
    expect(await getDataAccess(CAROL)).not.toBe("Allowed");
    expect(await getProviderTable(CAROL, "customers")).not.toBe("Allowed");
    expect(await getLinkTable(CAROL, "orders")).not.toBe("Allowed");
  });

  test("a role granted another table may not read this one", async () => {
    expect(await getProviderTable(BOB, "customers")).not.toBe("Allowed");
    expect(await getLinkTable(BOB, "customers")).not.toBe("Allowed");
    expect(await getProviderTable(SCORER, "orders")).not.toBe("Allowed");
    expect(await getProviderTable(ANALYST, "orders")).not.toBe("Allowed");
  });

  test("no declared role reads another table of the shared database", async () => {
    for (const r of [ALICE, ANALYST, SCORER]) expect(await getProviderTable(r, "payments")).not.toBe("Allowed");
  });

  test("no declared role may change or delete the shared table, its database or the link", async () => {
    for (const r of [ALICE, ANALYST]) {
      expect(await may(r, "glue:UpdateTable", glue(LAKE, "table/curated/customers"), LAKE, sharedCatalogPolicy(DEV, "curated", "customers"))).not.toBe("Allowed");
      expect(await may(r, "glue:DeleteTable", glue(DEV, `table/${LINK}/customers`), DEV)).not.toBe("Allowed");
      expect(await may(r, "glue:DeleteDatabase", glue(DEV, `database/${LINK}`), DEV)).not.toBe("Allowed");
      expect(await may(r, "lakeformation:GrantPermissions", "*", DEV)).not.toBe("Allowed");
    }
  });
});
