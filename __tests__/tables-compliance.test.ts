/** The Lake Formation compliance rules, each with a compliant case, a non-compliant one and a near miss. */
import { elementsOf, Rule, StackJson, Verdict } from "../compliance/rule";
import { RULES } from "../compliance/index";
import { LakeformationCrossAccountSelectDescribeOnly } from "../compliance/rules/lakeformation-cross-account-select-describe";
import { LakeformationFilteredNotWhole } from "../compliance/rules/lakeformation-filtered-not-whole";

const HOME = "100000000002";
const OTHER = "100000000003";
const FILTER = { database_name: "curated", name: "p-customers-safe", table_catalog_id: HOME, table_name: "customers" };
const TABLE = { catalog_id: HOME, database_name: "curated", name: "customers" };

/** A stack deploying into HOME whose Lake Formation grants are `grants` (logical id -> config). */
function stack(grants: Record<string, Record<string, unknown>>): StackJson {
  return {
    provider: { aws: [{ alias: "provider", allowed_account_ids: [HOME] }] },
    resource: { aws_lakeformation_permissions: Object.fromEntries(Object.entries(grants).map(([id, g]) => [id, { provider: "aws.provider", ...g }])) },
  };
}

function verdict(rule: Rule, json: StackJson, id: string): Verdict {
  const e = elementsOf("data-lake", json).find((x) => x.name === id)!;
  return rule.check(e);
}

const share = (extra: Record<string, unknown> = {}) => ({ principal: OTHER, permissions: ["DESCRIBE", "SELECT"], permissions_with_grant_option: ["DESCRIBE", "SELECT"], data_cells_filter: FILTER, ...extra });

test("both rules are registered", () => {
  expect(RULES).toContain(LakeformationCrossAccountSelectDescribeOnly);
  expect(RULES).toContain(LakeformationFilteredNotWhole);
});

describe("LAKEFORMATION_CROSS_ACCOUNT_SELECT_DESCRIBE_ONLY", () => {
  const rule = LakeformationCrossAccountSelectDescribeOnly;

  test("compliant: SELECT and DESCRIBE, grantable, on a filter to another account", () => {
    expect(verdict(rule, stack({ G: share() }), "G")).toBe("compliant");
  });

  test("compliant: SELECT and DESCRIBE on a whole table to another account", () => {
    expect(verdict(rule, stack({ G: share({ data_cells_filter: undefined, table: TABLE }) }), "G")).toBe("compliant");
  });

  test("non-compliant: ALTER to another account", () => {
    expect(verdict(rule, stack({ G: share({ permissions: ["SELECT", "ALTER"] }) }), "G")).toBe("non-compliant");
  });

  test("non-compliant: ALL only in the grant option", () => {
    expect(verdict(rule, stack({ G: share({ permissions_with_grant_option: ["ALL"] }) }), "G")).toBe("non-compliant");
  });

  test("non-compliant: DESCRIBE on the whole database to another account", () => {
    expect(verdict(rule, stack({ G: share({ data_cells_filter: undefined, database: { name: "curated" }, permissions: ["DESCRIBE"], permissions_with_grant_option: [] }) }), "G")).toBe("non-compliant");
  });

  test("non-compliant: a data location to another account's role", () => {
    expect(
      verdict(rule, stack({ G: { principal: `arn:aws:iam::${OTHER}:role/r`, permissions: ["DATA_LOCATION_ACCESS"], data_location: { arn: "arn:aws:s3:::bucket" } } }), "G"),
    ).toBe("non-compliant");
  });

  test("near miss: the same DROP to a role of the stack's own account is not this rule's business", () => {
    expect(verdict(rule, stack({ G: share({ principal: `arn:aws:iam::${HOME}:role/admin`, permissions: ["DROP"] }) }), "G")).toBe("not-applicable");
    expect(verdict(rule, stack({ G: share({ principal: "${aws_iam_role.R.arn}", permissions: ["DROP"] }) }), "G")).toBe("not-applicable");
  });
});

describe("LAKEFORMATION_FILTERED_NOT_WHOLE", () => {
  const rule = LakeformationFilteredNotWhole;
  const whole = share({ data_cells_filter: undefined, table: TABLE });

  test("compliant: an account granted a table through a filter only", () => {
    expect(verdict(rule, stack({ F: share() }), "F")).toBe("compliant");
  });

  test("non-compliant: the same account granted the table whole and through a filter (both grants named)", () => {
    const json = stack({ F: share(), W: whole });
    expect(verdict(rule, json, "F")).toBe("non-compliant");
    expect(verdict(rule, json, "W")).toBe("non-compliant");
  });

  test("near miss: another account granted the table whole", () => {
    const json = stack({ F: share(), W: { ...whole, principal: "100000000004" } });
    expect(verdict(rule, json, "F")).toBe("compliant");
    expect(verdict(rule, json, "W")).toBe("compliant");
  });

  test("near miss: the same account granted another table whole", () => {
    const json = stack({ F: share(), W: { ...whole, table: { ...TABLE, name: "orders" } } });
    expect(verdict(rule, json, "F")).toBe("compliant");
  });

  test("near miss: DESCRIBE alone on the whole table shows no rows", () => {
    const json = stack({ F: share(), W: { ...whole, permissions: ["DESCRIBE"], permissions_with_grant_option: [] } });
    expect(verdict(rule, json, "F")).toBe("compliant");
    expect(verdict(rule, json, "W")).toBe("compliant");
  });

  test("not applicable: a grant on a database", () => {
    expect(verdict(rule, stack({ D: { principal: OTHER, permissions: ["DESCRIBE"], database: { name: "curated" } } }), "D")).toBe("not-applicable");
  });
});
