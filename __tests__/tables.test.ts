/**
 * Tables shared through Lake Formation (topology `tables`), synthesized from
 * examples/tables.yaml: a column- and row-filtered table read by two accounts (SageMaker
 * users and named roles), a table shared whole, and a column-only table owned by an account
 * that also reads the others, beside an S3 dataset.
 */
import * as fs from "fs";
import * as path from "path";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { LakeformationDataCellsFilter } from "@cdktf/provider-aws/lib/lakeformation-data-cells-filter";
import { LakeformationPermissions } from "@cdktf/provider-aws/lib/lakeformation-permissions";
import { parse } from "yaml";
import { referenceInput } from "./helpers/topology";
import { resourcesOf, stackText, synthInput } from "./helpers/synth";

const input = parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tables.yaml"), "utf8"));
const out = synthInput(input);
const LAKE = "100000000002";
const DEV = "100000000003";
const PROD = "100000000004";
const role = (accountId: string, name: string) => `arn:aws:iam::${accountId}:role/${name}`;
const ALICE = role(DEV, "acme-tables-sm-alice");
const BOB = role(DEV, "acme-tables-sm-bob");
const CAROL = role(DEV, "acme-tables-sm-carol");
const ANALYST = role(DEV, "athena-analyst");
const SCORER = role(PROD, "churn-scorer");
const CUSTOMERS_FILTER = { database_name: "curated", name: "acme-tables-customers-safe", table_catalog_id: LAKE, table_name: "customers" };
const FEATURES_FILTER = { database_name: "features", name: "acme-tables-churn-features", table_catalog_id: DEV, table_name: "churn_features" };
const ORDERS = { catalog_id: LAKE, database_name: "curated", name: "orders" };

/** Every Lake Formation grant of a stack, with role references resolved to the role's ARN. */
function grantsOf(stack: string): any[] {
  const roles = resourcesOf(out, stack, "aws_iam_role");
  const accountId = out.topology.accounts.find((a) => a.key === stack)?.id ?? "";
  return Object.values(resourcesOf(out, stack, "aws_lakeformation_permissions")).map((g) => {
    const ref = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(g.principal);
    return ref ? { ...g, principal: role(accountId, roles[ref[1]].name) } : g;
  });
}
const providerGrants = (stack: string) => grantsOf(stack).filter((g) => g.provider === "aws.provider");
const consumerGrants = (stack: string) => grantsOf(stack).filter((g) => g.provider === "aws.consumer");

describe("the provider side", () => {
  const lake = stackText(out, "data-lake");

  test("a filtered table gets a data cells filter holding exactly its columns and rows", () => {
    expect(lake).toHaveResourceWithProperties(LakeformationDataCellsFilter, {
      table_data: [{ ...CUSTOMERS_FILTER, column_wildcard: [{ excluded_column_names: ["email", "phone"] }], row_filter: [{ filter_expression: "country = 'DE'" }] }],
    });
  });

  test("a column-only table gets a filter of its named columns and every row", () => {
    expect(stackText(out, "ml-dev")).toHaveResourceWithProperties(LakeformationDataCellsFilter, {
      table_data: [{ ...FEATURES_FILTER, column_names: ["customer_id", "tenure_months", "churned"], row_filter: [{ all_rows_wildcard: [{}] }] }],
    });
  });

  test("a table shared whole gets no filter", () => {
    expect(Object.keys(resourcesOf(out, "data-lake", "aws_lakeformation_data_cells_filter"))).toHaveLength(1);
  });

  test("each consumer account gets SELECT and DESCRIBE, grantable, on the filter, and nothing else", () => {
    expect(lake).toHaveResourceWithProperties(LakeformationPermissions, {
      principal: DEV,
      permissions: ["DESCRIBE", "SELECT"],
      permissions_with_grant_option: ["DESCRIBE", "SELECT"],
      data_cells_filter: CUSTOMERS_FILTER,
    });
    expect(providerGrants("data-lake").map((g) => [g.principal, g.data_cells_filter?.name ?? g.table?.name]).sort()).toEqual([
      [DEV, "acme-tables-customers-safe"],
      [DEV, "orders"],
      [PROD, "acme-tables-customers-safe"],
    ]);
    expect(providerGrants("ml-dev").map((g) => [g.principal, g.data_cells_filter])).toEqual([[PROD, FEATURES_FILTER]]);
  });

  test("the grant on the filter waits for the filter", () => {
    const [filterId] = Object.keys(resourcesOf(out, "data-lake", "aws_lakeformation_data_cells_filter"));
    for (const g of providerGrants("data-lake").filter((x) => x.data_cells_filter)) {
      expect(g.depends_on).toEqual([`aws_lakeformation_data_cells_filter.${filterId}`]);
    }
  });

  test("a table with no restriction is granted on the table itself", () => {
    expect(lake).toHaveResourceWithProperties(LakeformationPermissions, { principal: DEV, permissions: ["DESCRIBE", "SELECT"], permissions_with_grant_option: ["DESCRIBE", "SELECT"], table: ORDERS });
  });

  test("no grant holds ALTER, DROP, INSERT, DELETE, ALL or a data location, in any stack", () => {
    for (const stack of Object.keys(out.stacks)) {
      for (const g of grantsOf(stack)) {
        for (const p of [...g.permissions, ...(g.permissions_with_grant_option ?? [])]) expect(["SELECT", "DESCRIBE"]).toContain(p);
        expect(g.data_location).toBeUndefined();
        expect(g.catalog_resource).toBeUndefined();
        expect(g.lf_tag).toBeUndefined();
        expect(g.lf_tag_policy).toBeUndefined();
      }
    }
  });

  test("mlshare makes no database, table or Lake Formation setting", () => {
    for (const stack of Object.keys(out.stacks)) {
      const types = Object.keys(out.stacks[stack].resource ?? {});
      for (const t of ["aws_glue_catalog_table", "aws_lakeformation_data_lake_settings", "aws_lakeformation_resource", "aws_lakeformation_opt_in", "aws_glue_resource_policy"]) {
        expect(types).not.toContain(t);
      }
      for (const db of Object.values(resourcesOf(out, stack, "aws_glue_catalog_database"))) expect(db.target_database).toBeDefined();
    }
  });

  test("outputs, per table, the consumers and the filter", () => {
    expect((out.stacks["data-lake"] as any).output.table_shares.value).toEqual({
      "customers-safe": { database: "curated", table: "customers", consumers: { "ml-dev": DEV, "ml-prod": PROD }, filter: "acme-tables-customers-safe", excludedColumns: ["email", "phone"], rowFilter: "country = 'DE'" },
      orders: { database: "curated", table: "orders", consumers: { "ml-dev": DEV } },
    });
  });
});

describe("the consumer side", () => {
  const dev = stackText(out, "ml-dev");

  test("a resource link per shared provider database, pointing at the provider's catalog", () => {
    expect(dev).toHaveResourceWithProperties(GlueCatalogDatabase, { name: "acme_tables_100000000002_curated", target_database: { catalog_id: LAKE, database_name: "curated" } });
    expect(Object.keys(resourcesOf(out, "ml-dev", "aws_glue_catalog_database"))).toHaveLength(1);
    const prodLinks = Object.values(resourcesOf(out, "ml-prod", "aws_glue_catalog_database")).map((d) => [d.name, d.target_database]);
    expect(prodLinks.sort()).toEqual([
      ["acme_tables_100000000002_curated", { catalog_id: LAKE, database_name: "curated" }],
      ["acme_tables_100000000003_features", { catalog_id: DEV, database_name: "features" }],
    ]);
  });

  test("DESCRIBE on the link goes to exactly the declared roles", () => {
    const onLink = consumerGrants("ml-dev").filter((g) => g.database);
    for (const g of onLink) {
      expect(g.permissions).toEqual(["DESCRIBE"]);
      expect(g.permissions_with_grant_option).toBeUndefined();
      expect(g.database.catalog_id).toBe(DEV);
      expect(g.database.name).toMatch(/^\$\{aws_glue_catalog_database\..+\.name\}$/);
    }
    expect(onLink.map((g) => g.principal).sort()).toEqual([ALICE, BOB, ANALYST].sort());
  });

  test("SELECT on the shared filter or table, in the provider's catalog, goes to exactly the declared roles", () => {
    const select = consumerGrants("ml-dev").filter((g) => !g.database);
    for (const g of select) expect(g.permissions).toEqual(["SELECT"]);
    const on = (x: any) => x.data_cells_filter?.name ?? `${x.table.database_name}.${x.table.name}@${x.table.catalog_id}`;
    expect(select.map((g) => [g.principal, on(g)]).sort()).toEqual(
      [
        [ALICE, "acme-tables-customers-safe"],
        [ANALYST, "acme-tables-customers-safe"],
        [ALICE, `curated.orders@${LAKE}`],
        [BOB, `curated.orders@${LAKE}`],
      ].sort(),
    );
    expect(select.find((g) => g.data_cells_filter)!.data_cells_filter).toEqual(CUSTOMERS_FILTER);
    expect(consumerGrants("ml-prod").filter((g) => !g.database).map((g) => [g.principal, g.data_cells_filter])).toEqual(
      expect.arrayContaining([
        [SCORER, CUSTOMERS_FILTER],
        [SCORER, FEATURES_FILTER],
      ]),
    );
  });

  test("a grant to a role the stack makes waits for the role", () => {
    const raw = Object.values(resourcesOf(out, "ml-dev", "aws_lakeformation_permissions")).filter((g) => g.provider === "aws.consumer");
    const sagemaker = raw.filter((g) => /^\$\{aws_iam_role\./.test(g.principal));
    expect(sagemaker.length).toBe(5); // alice: link, customers, orders; bob: link, orders
    expect(raw.filter((g) => g.principal === ANALYST)).toHaveLength(2);
  });

  test("a SageMaker user who lists no table gets no grant and no table policy", () => {
    for (const g of consumerGrants("ml-dev")) expect(g.principal).not.toBe(CAROL);
    const carolRef = Object.entries(resourcesOf(out, "ml-dev", "aws_iam_role")).find(([, r]) => r.name === "acme-tables-sm-carol")![0];
    const policies = Object.values(resourcesOf(out, "ml-dev", "aws_iam_role_policy")).filter((p) => p.role === `\${aws_iam_role.${carolRef}.name}`);
    expect(policies.map((p) => p.name)).not.toContain("acme-tables-table-grants");
  });

  test("the declared roles get an inline policy with the IAM side of a query, and nothing wider", () => {
    const policies = Object.values(resourcesOf(out, "ml-prod", "aws_iam_role_policy")).filter((p) => p.name === "acme-tables-table-grants");
    expect(policies.map((p) => p.role)).toEqual(["churn-scorer"]);
    expect(JSON.parse(policies[0].policy).Statement).toEqual([
      { Sid: "LakeFormationDataAccess", Effect: "Allow", Action: "lakeformation:GetDataAccess", Resource: "*" },
      {
        Sid: "ReadSharedTableMetadata",
        Effect: "Allow",
        Action: ["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"],
        Resource: [
          `arn:aws:glue:eu-central-1:${LAKE}:catalog`,
          `arn:aws:glue:eu-central-1:${LAKE}:database/curated`,
          `arn:aws:glue:eu-central-1:${LAKE}:table/curated/customers`,
          `arn:aws:glue:eu-central-1:${DEV}:catalog`,
          `arn:aws:glue:eu-central-1:${DEV}:database/features`,
          `arn:aws:glue:eu-central-1:${DEV}:table/features/churn_features`,
          `arn:aws:glue:eu-central-1:${PROD}:catalog`,
          `arn:aws:glue:eu-central-1:${PROD}:database/acme_tables_100000000002_curated`,
          `arn:aws:glue:eu-central-1:${PROD}:database/acme_tables_100000000003_features`,
          `arn:aws:glue:eu-central-1:${PROD}:table/acme_tables_100000000002_curated/customers`,
          `arn:aws:glue:eu-central-1:${PROD}:table/acme_tables_100000000003_features/churn_features`,
        ],
      },
    ]);
  });

  test("outputs, per table, the resource link database and the table name to query", () => {
    const tables = (out.stacks["ml-prod"] as any).output.tables.value;
    expect(tables["customers-safe"]).toEqual({
      provider: "data-lake",
      database: "acme_tables_100000000002_curated",
      table: "customers",
      query: 'SELECT * FROM "acme_tables_100000000002_curated"."customers" LIMIT 10',
      roles: [SCORER],
      excludedColumns: ["email", "phone"],
      rowFilter: "country = 'DE'",
    });
    expect(tables["churn-features"].includedColumns).toEqual(["customer_id", "tenure_months", "churned"]);
  });

  test("the S3 dataset beside the tables is shared as before", () => {
    expect((out.stacks["ml-dev"] as any).output.datasets.value.clickstream.roles).toEqual([ALICE]);
  });
});

test("a topology without tables makes no Lake Formation or Glue resource", () => {
  const ref = synthInput(referenceInput());
  for (const stack of Object.keys(ref.stacks)) {
    const types = Object.keys(ref.stacks[stack].resource ?? {});
    expect(types.filter((t) => t.startsWith("aws_lakeformation_") || t.startsWith("aws_glue_"))).toEqual([]);
  }
});

/** The example with `tables` wide tables and `datasets` datasets more, all read by ml-prod's churn-scorer. */
function crowded(tables: number, datasets: number): any {
  const t = parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tables.yaml"), "utf8"));
  for (let i = 0; i < tables; i++) {
    t.tables.push({ name: `wide-${i}`, account: "data-lake", database: `database_${"x".repeat(60)}_${i}`, table: `table_${"y".repeat(60)}`, consumers: [{ account: "ml-prod", roles: ["churn-scorer"] }] });
  }
  for (let i = 0; i < datasets; i++) t.datasets.push({ name: `set-${i}-${"z".repeat(30)}`, account: "data-lake", consumers: [{ account: "ml-prod", roles: ["churn-scorer"] }] });
  return t;
}

test("a role's table policy and its data grants share the role's inline quota", () => {
  // The data grants spill into managed policies instead of passing the 10,240 characters the
  // role's inline policies share.
  const s = synthInput(crowded(12, 40));
  const inline = Object.values(resourcesOf(s, "ml-prod", "aws_iam_role_policy")).filter((p) => p.role === "churn-scorer");
  const total = inline.reduce((n, p) => n + JSON.stringify(JSON.parse(p.policy)).length, 0);
  expect(inline.map((p) => p.name).sort()).toEqual(["acme-tables-data-grants", "acme-tables-table-grants"]);
  expect(total).toBeLessThanOrEqual(10240);
  expect(Object.values(resourcesOf(s, "ml-prod", "aws_iam_role_policy_attachment")).filter((a) => a.role === "churn-scorer").length).toBeGreaterThan(0);
});

test("a table policy that cannot fit the role's inline quota is an error naming the policy, its size and the quota", () => {
  expect(() => synthInput(crowded(25, 0))).toThrow(/table grants policy of role churn-scorer in ml-prod .* is \d+ characters, over the a role's inline policies together \(10,240 characters\) quota/);
});

test("a filter of rows only (every column) and its grants pass terraform validate", async () => {
  const { validateStacks } = require("./helpers/terraform") as typeof import("./helpers/terraform");
  const t = parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tables.yaml"), "utf8"));
  t.tables.push({ name: "orders-de", account: "data-lake", database: "curated", table: "orders", rowFilter: "country = 'DE'", consumers: [{ account: "ml-prod", roles: ["churn-scorer"] }] });
  const s = synthInput(t);
  const filter = Object.values(resourcesOf(s, "data-lake", "aws_lakeformation_data_cells_filter")).find((f) => f.table_data[0].name === "acme-tables-orders-de");
  expect(filter.table_data[0].column_wildcard).toEqual([{ excluded_column_names: [] }]);
  expect(filter.table_data[0].row_filter).toEqual([{ filter_expression: "country = 'DE'" }]);
  const diagnostics = await validateStacks({ "data-lake": s.stacks["data-lake"], "ml-prod": s.stacks["ml-prod"] });
  expect(diagnostics).toEqual({ "data-lake": [], "ml-prod": [] });
}, 120_000);
