/** The review's view of Lake Formation: table grants collected from the synthesized stacks, filters with their columns and rows. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { collectDirectory } from "../review/collect";
import { describeTableGrant } from "../review/collect/lakeformation";
import { synthInput } from "./helpers/synth";

const out = synthInput(parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tables.yaml"), "utf8")));
const collection = collectDirectory(out.outdir);

test("every Lake Formation grant of every stack is collected, each filter with its columns and rows", () => {
  expect(collection.tableGrants.map(describeTableGrant).sort()).toEqual(
    [
      "data-lake account 100000000003: DESCRIBE, SELECT (grantable: DESCRIBE, SELECT) on curated.customers of 100000000002 through acme-tables-customers-safe (no email, phone; country = 'DE')",
      "data-lake account 100000000004: DESCRIBE, SELECT (grantable: DESCRIBE, SELECT) on curated.customers of 100000000002 through acme-tables-customers-safe (no email, phone; country = 'DE')",
      "data-lake account 100000000003: DESCRIBE, SELECT (grantable: DESCRIBE, SELECT) on curated.orders of 100000000002 (every column; every row)",
      "ml-dev account 100000000004: DESCRIBE, SELECT (grantable: DESCRIBE, SELECT) on features.churn_features of 100000000003 through acme-tables-churn-features (only customer_id, tenure_months, churned; every row)",
      "ml-dev acme-tables-sm-alice: DESCRIBE on database acme_tables_100000000002_curated of 100000000003",
      "ml-dev acme-tables-sm-bob: DESCRIBE on database acme_tables_100000000002_curated of 100000000003",
      "ml-dev athena-analyst: DESCRIBE on database acme_tables_100000000002_curated of 100000000003",
      "ml-dev acme-tables-sm-alice: SELECT on curated.customers of 100000000002 through acme-tables-customers-safe (no email, phone; country = 'DE')",
      "ml-dev athena-analyst: SELECT on curated.customers of 100000000002 through acme-tables-customers-safe (no email, phone; country = 'DE')",
      "ml-dev acme-tables-sm-alice: SELECT on curated.orders of 100000000002 (every column; every row)",
      "ml-dev acme-tables-sm-bob: SELECT on curated.orders of 100000000002 (every column; every row)",
      "ml-prod churn-scorer: DESCRIBE on database acme_tables_100000000002_curated of 100000000004",
      "ml-prod churn-scorer: DESCRIBE on database acme_tables_100000000003_features of 100000000004",
      "ml-prod churn-scorer: SELECT on curated.customers of 100000000002 through acme-tables-customers-safe (no email, phone; country = 'DE')",
      "ml-prod churn-scorer: SELECT on features.churn_features of 100000000003 through acme-tables-churn-features (only customer_id, tenure_months, churned; every row)",
    ].sort(),
  );
});

test("the grants resolve completely: no value is left unresolved", () => {
  expect(collection.unresolved).toEqual([]);
});

describe("the review of tables", () => {
  const { readSynthOutput, reviewOutput } = require("../review/review") as typeof import("../review/review");
  const { diffReviews } = require("../review/diff") as typeof import("../review/diff");
  const { renderReview } = require("../review/markdown") as typeof import("../review/markdown");
  const reviewed = reviewOutput(readSynthOutput(out.outdir), out.outdir);

  test("lists per table each account and role with its columns and rows, and the IAM side of each role", async () => {
    const r = await reviewed;
    const line = (e: any) => [e.table, e.principal, e.columns, e.rows, e.iam ? `${e.iam.getDataAccess}/${e.iam.readMetadata}` : e.grantable ? "grantable" : "-"].join(" | ");
    expect(r.tables!.map(line)).toEqual([
      "churn-features | account ml-prod | only customer_id, tenure_months, churned | every row | grantable",
      "churn-features | ml-prod/churn-scorer | only customer_id, tenure_months, churned | every row | Allowed/Allowed",
      "customers-safe | account ml-dev | no email, phone | country = 'DE' | grantable",
      "customers-safe | account ml-prod | no email, phone | country = 'DE' | grantable",
      "customers-safe | ml-dev/acme-tables-sm-alice | no email, phone | country = 'DE' | Allowed/Allowed",
      "customers-safe | ml-dev/athena-analyst | no email, phone | country = 'DE' | Allowed/Allowed",
      "customers-safe | ml-prod/churn-scorer | no email, phone | country = 'DE' | Allowed/Allowed",
      "orders | account ml-dev | every column | every row | grantable",
      "orders | ml-dev/acme-tables-sm-alice | every column | every row | Allowed/Allowed",
      "orders | ml-dev/acme-tables-sm-bob | every column | every row | Allowed/Allowed",
    ]);
    expect(r.findings.filter((f) => f.rule.startsWith("LAKEFORMATION"))).toEqual([]);
    expect(renderReview(r)).toContain("| customers-safe (curated.customers) | data-lake | ml-prod/churn-scorer | no email, phone | `country = 'DE'` | GetDataAccess ✅, GetTable ✅ |");
  });

  test("finds a cross-account grant wider than SELECT/DESCRIBE, and one to an account outside the organization", async () => {
    const synth = readSynthOutput(out.outdir);
    const stacks = JSON.parse(JSON.stringify(synth.stacks));
    const grants = stacks["data-lake"].resource.aws_lakeformation_permissions;
    const [id] = Object.keys(grants).filter((k) => grants[k].table);
    grants[id].permissions = ["SELECT", "ALTER"];
    grants.Outside = { ...grants[id], permissions: ["SELECT"], permissions_with_grant_option: ["SELECT"], principal: "999999999999" };
    const r = await reviewOutput({ ...synth, stacks }, "changed");
    expect(r.findings.filter((f) => f.rule.startsWith("LAKEFORMATION_GRANT")).map((f) => `${f.rule} ${f.resource} ${f.what}`).sort()).toEqual([
      `LAKEFORMATION_GRANT_OUTSIDE_ORGANIZATION data-lake/aws_lakeformation_permissions.Outside grants a table to account 999999999999, which is not an account of the organization's stacks`,
      `LAKEFORMATION_GRANT_TOO_WIDE data-lake/aws_lakeformation_permissions.${id} grants account 100000000003 SELECT, ALTER, DESCRIBE on table`,
    ]);
  });

  test("the base/head diff says who can now read which columns of which table", async () => {
    const input = parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tables.yaml"), "utf8"));
    input.tables[0].consumers.pop(); // base: ml-prod does not read customers-safe yet
    input.tables[2].consumers[0].roles = ["churn-scorer"];
    const base = synthInput(input);
    const d = diffReviews(await reviewOutput(readSynthOutput(base.outdir), base.outdir), await reviewed);
    expect([...d.tables!].sort()).toEqual(["account ml-prod can now read customers-safe (no email, phone; country = 'DE')", "ml-prod/churn-scorer can now read customers-safe (no email, phone; country = 'DE')"]);
    expect(diffReviews(await reviewed, await reviewed).tables).toEqual([]);
    expect(renderReview(await reviewed, d)).toContain("- ml-prod/churn-scorer can now read customers-safe (no email, phone; country = 'DE')");
  });
});
