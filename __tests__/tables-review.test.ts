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
