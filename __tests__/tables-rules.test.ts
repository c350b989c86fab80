/** Validation of `tables` and of the tables SageMaker users list: every refusal with its path and message. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { problemsOf } from "./helpers/topology";

/** The example topology of tables (examples/tables.yaml), as plain data to change. */
function tablesInput(): any {
  return parse(fs.readFileSync(path.join(__dirname, "..", "examples", "tables.yaml"), "utf8"));
}

function problemsAfter(change: (t: any) => void): string[] {
  const t = tablesInput();
  change(t);
  return problemsOf(t);
}

test("the example topology of tables is valid", () => {
  expect(problemsOf(tablesInput())).toEqual([]);
});

test("a topology without tables stays valid (the key is optional)", () => {
  expect(
    problemsAfter((t) => {
      delete t.tables;
      for (const u of t.sagemaker.domains[0].users) delete u.tables;
    }),
  ).toEqual([]);
});

describe("Glue names", () => {
  test("fails if the database has upper case letters", () => {
    expect(problemsAfter((t) => (t.tables[0].database = "Curated"))).toEqual([
      'tables[0].database: must be a Glue name: 1-255 characters of lower case letters, digits and _ (value: "Curated")',
    ]);
  });

  test("fails if the table name holds a hyphen", () => {
    expect(problemsAfter((t) => (t.tables[1].table = "orders-2024"))).toEqual([
      'tables[1].table: must be a Glue name: 1-255 characters of lower case letters, digits and _ (value: "orders-2024")',
    ]);
  });

  test("fails if the table name is longer than 255 characters", () => {
    const long = "t".repeat(256);
    const problems = problemsAfter((t) => (t.tables[1].table = long));
    expect(problems).toEqual([expect.stringMatching(/^tables\[1\]\.table: must be a Glue name: 1-255 characters of lower case letters, digits and _ \(value: "t+/)]);
  });

  test("fails if the consumers' resource link to the database would pass Glue's 255 characters", () => {
    const db = "d".repeat(240);
    const problems = problemsAfter((t) => (t.tables[1].database = db));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^tables\[1\]\.database: the consumers' resource link to it, "acme_tables_100000000002_d+(\.\.\.)?"?(\.\.\.)?, would be 265 characters, over Glue's limit of 255; the database name may be at most 230 characters with this project prefix$/);
  });
});

describe("columns", () => {
  test("fails if both include and exclude are given", () => {
    expect(problemsAfter((t) => (t.tables[0].columns = { include: ["id"], exclude: ["email"] }))).toEqual([
      "tables[0].columns: gives both include and exclude; give exactly one: include (the only columns shared) or exclude (the columns withheld)",
    ]);
  });

  test("fails if neither include nor exclude is given", () => {
    expect(problemsAfter((t) => (t.tables[0].columns = {}))).toEqual([
      "tables[0].columns: gives neither include nor exclude; give exactly one, or leave columns out to share every column",
    ]);
  });

  test("fails if include is empty", () => {
    expect(problemsAfter((t) => (t.tables[2].columns = { include: [] }))).toEqual(["tables[2].columns.include: is empty; list at least one column"]);
  });

  test("fails if exclude is empty, and says how to share every column", () => {
    expect(problemsAfter((t) => (t.tables[0].columns = { exclude: [] }))).toEqual([
      "tables[0].columns.exclude: is empty; list at least one column, or leave columns out to share every column",
    ]);
  });

  test("fails if a column is listed twice, case ignored as Glue does", () => {
    expect(problemsAfter((t) => (t.tables[0].columns = { exclude: ["email", "Email"] }))).toEqual([
      'tables[0].columns.exclude[1]: duplicate column "Email"; already listed at tables[0].columns.exclude[0] (Glue column names ignore case)',
    ]);
  });

  test("fails if a column name is empty or blank", () => {
    expect(problemsAfter((t) => (t.tables[2].columns = { include: ["customer_id", "", "  "] }))).toEqual([
      'tables[2].columns.include[1]: must be a column name: 1-255 characters on one line (value: "")',
      'tables[2].columns.include[2]: is blank (value: "  "); a column name holds at least one character that is not a space',
    ]);
  });

  test("fails on an unknown key under columns (a typo is not ignored)", () => {
    expect(problemsAfter((t) => (t.tables[0].columns = { exclude: ["email"], exlude: ["phone"] }))).toEqual([
      "tables[0].columns.exlude: unknown key \"exlude\"; allowed here: include, exclude",
    ]);
  });
});

describe("row filter", () => {
  test("fails if the row filter is blank", () => {
    expect(problemsAfter((t) => (t.tables[0].rowFilter = " "))).toEqual([
      'tables[0].rowFilter: is empty (value: " "); give a PartiQL row filter expression such as "country = \'DE\'", or leave rowFilter out to share every row',
    ]);
  });

  test("fails if the row filter holds a Terraform template", () => {
    const problems = problemsAfter((t) => (t.tables[0].rowFilter = "country = '${var.country}'"));
    expect(problems).toEqual([expect.stringMatching(/^tables\[0\]\.rowFilter: .* holds "\$\{": Terraform would evaluate it as a template/)]);
  });

  test("fails if a column name holds a Terraform directive", () => {
    const problems = problemsAfter((t) => (t.tables[0].columns = { exclude: ["%{if true}x%{endif}"] }));
    expect(problems).toEqual([expect.stringMatching(/^tables\[0\]\.columns\.exclude\[0\]: .* holds "%\{": Terraform would evaluate it as a template/)]);
  });
});

describe("accounts and consumers", () => {
  test("fails if the provider account is unknown, naming the known ones", () => {
    expect(problemsAfter((t) => (t.tables[1].account = "lake"))).toEqual(['tables[1].account: unknown account "lake"; known: management, data-lake, ml-dev, ml-prod']);
  });

  test("fails if the consumer is the provider", () => {
    expect(problemsAfter((t) => t.tables[1].consumers.push({ account: "data-lake", roles: ["analyst"] }))).toEqual([
      'tables[1].consumers[1].account: a table\'s consumer is never its own account ("data-lake" provides table "orders"); Lake Formation grants in its own account are the lake owners\' to make',
    ]);
  });

  test("fails if a consumer account is listed twice", () => {
    expect(problemsAfter((t) => t.tables[1].consumers.push({ account: "ml-dev", roles: ["analyst"] }))).toEqual([
      'tables[1].consumers[1].account: account "ml-dev" is already a consumer of table "orders"; list each consumer account once (roles may name several roles)',
    ]);
  });

  test("fails if a role is listed twice", () => {
    expect(problemsAfter((t) => (t.tables[0].consumers[1].roles = ["churn-scorer", "churn-scorer"]))).toEqual(['tables[0].consumers[1].roles[1]: duplicate role "churn-scorer"']);
  });

  test("fails if the consumer is in another region than the table", () => {
    expect(problemsAfter((t) => (t.accounts["ml-prod"].region = "eu-west-1"))).toEqual([
      'tables[0].consumers[1].account: account "ml-prod" is in region "eu-west-1" and table "customers-safe" in "eu-central-1"; mlshare shares tables within one region (the resource link and the grants live in the provider\'s region)',
      'tables[2].consumers[0].account: account "ml-prod" is in region "eu-west-1" and table "churn-features" in "eu-central-1"; mlshare shares tables within one region (the resource link and the grants live in the provider\'s region)',
    ]);
  });

  test("fails if the consumer is outside the organization", () => {
    expect(
      problemsAfter((t) => {
        t.accounts.partner = { id: "100000000009", outsideOrganization: true };
        t.tables[1].consumers.push({ account: "partner", roles: ["reader"] });
      }),
    ).toEqual(['tables[1].consumers[1].account: account "partner" is outsideOrganization, so it cannot read a shared table; it may only be a RAM share principal']);
  });

  test("fails if the table names are not unique", () => {
    expect(problemsAfter((t) => (t.tables[1].name = "customers-safe"))).toContain('tables[1].name: duplicate table name "customers-safe"; already used at tables[0]');
  });

  test("fails on a table entry with an unknown key", () => {
    expect(problemsAfter((t) => (t.tables[1].rowfilter = "x = 1"))).toEqual([
      'tables[1].rowfilter: unknown key "rowfilter"; allowed here: name, account, database, table, columns, rowFilter, consumers',
    ]);
  });
});

describe("one Glue table in several entries", () => {
  test("fails if an account reads a table whole and through a filter", () => {
    expect(
      problemsAfter((t) => t.tables.push({ name: "customers-all", account: "data-lake", database: "curated", table: "customers", consumers: [{ account: "ml-prod", roles: ["auditor"] }] })),
    ).toEqual([
      'tables[3].consumers[0].account: account "ml-prod" reads curated.customers of "data-lake" through the filter of tables[0], and this entry would share it whole, past that filter; share it one way only',
    ]);
  });

  test("fails if an account reads a table whole twice", () => {
    expect(
      problemsAfter((t) => t.tables.push({ name: "orders-again", account: "data-lake", database: "curated", table: "orders", consumers: [{ account: "ml-dev", roles: ["auditor"] }] })),
    ).toEqual(['tables[3].consumers[0].account: account "ml-dev" already reads curated.orders of "data-lake" whole through tables[1]; share a table with an account once']);
  });

  test("two filters of one table for one account are fine (Lake Formation grants their union)", () => {
    expect(
      problemsAfter((t) =>
        t.tables.push({ name: "customers-fr", account: "data-lake", database: "curated", table: "customers", rowFilter: "country = 'FR'", consumers: [{ account: "ml-prod", roles: ["churn-scorer"] }] }),
      ),
    ).toEqual([]);
  });
});

describe("SageMaker users' tables", () => {
  const user = (t: any) => t.sagemaker.domains[0].users[2];

  test("fails if a user lists an unknown table", () => {
    expect(problemsAfter((t) => (user(t).tables = ["customers"]))).toEqual([
      'sagemaker.domains[0].users[2].tables[0]: unknown table "customers"; known: customers-safe, orders, churn-features',
    ]);
  });

  test("fails if the table is not shared with the domain's account", () => {
    expect(
      problemsAfter((t) => {
        t.sagemaker.domains.push({ account: "ml-prod", vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60718"], users: [{ name: "dave", tables: ["orders"] }] });
      }),
    ).toEqual(['sagemaker.domains[1].users[0].tables[0]: user "dave" lists table "orders", which is not shared with account "ml-prod"; add { account: ml-prod, roles: [sagemaker] } to that table\'s consumers']);
  });

  test("fails if the grant to the domain's account does not include sagemaker", () => {
    expect(
      problemsAfter((t) => {
        t.sagemaker.domains.push({ account: "ml-prod", vpcId: "vpc-0a1b2c3d4e5f60718", subnetIds: ["subnet-0a1b2c3d4e5f60718"], users: [{ name: "dave", tables: ["churn-features"] }] });
      }),
    ).toEqual(['sagemaker.domains[1].users[0].tables[0]: user "dave" lists table "churn-features", whose grant to account "ml-prod" does not include the sagemaker roles; add sagemaker to that consumer\'s roles']);
  });

  test("fails if the table is the domain account's own", () => {
    expect(problemsAfter((t) => (user(t).tables = ["churn-features"]))).toEqual([
      'sagemaker.domains[0].users[2].tables[0]: user "carol" lists table "churn-features", which account "ml-dev" itself provides; users read tables shared with their domain\'s account, so grant it in the provider account or share it from there',
    ]);
  });

  test("fails if a user lists a table twice", () => {
    expect(problemsAfter((t) => (user(t).tables = ["orders", "orders"]))).toEqual(['sagemaker.domains[0].users[2].tables[1]: user "carol" lists table "orders" twice']);
  });
});
